/*
 * tls.h - a bounded reader of the TLS handshake that follows an upgrade
 * (SMTP STARTTLS, POP3 STLS, IMAP STARTTLS, FTP AUTH TLS).
 *
 * Specifications: RFC 8446 §4.1.2-4.1.3 and §4.2.1 (ClientHello,
 * ServerHello, supported_versions), RFC 5246 §6.2 and §7.4.1 (records and
 * hellos of TLS 1.2 and earlier), RFC 6101 (SSL 3.0), the SSLv2-compatible
 * ClientHello of RFC 5246 Appendix E.2.
 *
 * A decoder that saw the server accept an upgrade feeds every following byte
 * of both directions here until tls_watch_data() says TLS_HELLO_DONE (the
 * ServerHello was read: version and cipher are known) or TLS_NOT_TLS (the
 * bytes are no TLS record: the upgrade was faked or stripped).  It keeps a
 * few hundred bytes per direction at most and never allocates.
 */
#ifndef CREDLEAK_TLS_H
#define CREDLEAK_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"

#define TLS_HELLO_MAX	512	/* bytes of a hello message kept to find version and cipher */

enum tls_verdict {
	TLS_MORE = 0,		/* keep feeding */
	TLS_NOT_TLS,		/* the first bytes of a direction are no TLS record */
	TLS_HELLO_DONE,		/* the ServerHello was read */
	TLS_GIVE_UP		/* no ServerHello within the bytes we look at */
};

struct tls_half {
	uint32_t	 seen;			/* bytes fed in this direction */
	uint16_t	 rec_left;		/* bytes of the current record still to come */
	uint8_t		 hdr[5];		/* a record header being assembled */
	uint8_t		 hdr_len;
	uint16_t	 msg_len;		/* bytes of the first handshake message kept */
	uint8_t		 msg[TLS_HELLO_MAX];
};

struct tls_watch {
	struct tls_half	 h[2];			/* by enum dir */
	uint16_t	 client_version;	/* highest the ClientHello offered */
	uint16_t	 version;		/* negotiated (ServerHello, supported_versions) */
	uint16_t	 cipher;		/* negotiated cipher suite */
	bool		 client_hello;		/* a ClientHello was seen */
	bool		 server_hello;		/* a ServerHello was read */
	bool		 sslv2;			/* an SSLv2-format ClientHello */
};

/* Start watching (zeroes the state). */
void tls_watch_init(struct tls_watch *w);

/* Bytes of one direction after the upgrade. */
enum tls_verdict tls_watch_data(struct tls_watch *w, enum dir d,
    const uint8_t *p, size_t n);

/*
 * Whether the negotiated session is weak: SSL 3.0, TLS 1.0 or 1.1, or a
 * NULL, EXPORT, anonymous, RC4, DES or 3DES cipher.  *why names the reason
 * ("TLS 1.0", "RC4 cipher", ...).
 */
bool tls_is_weak(const struct tls_watch *w, const char **why);

/* "SSLv3", "TLSv1.0", ... "TLSv1.3"; NULL if unknown. */
const char *tls_version_name(uint16_t v);

/* IANA name of a cipher suite ("TLS_RSA_WITH_RC4_128_SHA"), NULL if not in our table. */
const char *tls_cipher_name(uint16_t c);

#endif /* CREDLEAK_TLS_H */
