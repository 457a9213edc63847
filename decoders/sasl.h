/*
 * sasl.h - base64 and SASL exchanges shared by the SMTP, POP3 and IMAP decoders.
 *
 * Specifications: RFC 4648 (base64), RFC 4422 (SASL), RFC 4616 (PLAIN),
 * draft-murchison-sasl-login (LOGIN), RFC 7628 (OAUTHBEARER), Google's
 * XOAUTH2, RFC 2195 (CRAM-MD5), RFC 2831 (DIGEST-MD5).
 *
 * The exchange tracker sees the protocol-neutral steps of an AUTH command
 * (the command with its optional initial response, the server's
 * continuations, the client's responses) and keeps only what may be printed:
 * the username and whether a secret crossed the wire.  Decoded secret bytes
 * live in a stack buffer for the duration of one call and are wiped; the
 * password of a PLAIN or LOGIN exchange alone is held (struct held_secret)
 * until the final reply, so that the finding can carry it to the keyed
 * fingerprint (alerts/fingerprint.h), and is wiped then.
 */
#ifndef CREDLEAK_SASL_H
#define CREDLEAK_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SASL_USER_MAX	256	/* username bytes kept; longer ones are truncated and flagged */

enum sasl_mech {
	MECH_NONE = 0,
	MECH_PLAIN,
	MECH_LOGIN,
	MECH_XOAUTH2,
	MECH_OAUTHBEARER,
	MECH_CRAM_MD5,
	MECH_DIGEST_MD5,
	MECH_NTLM,
	MECH_GSSAPI,
	MECH_SCRAM,	/* any SCRAM-* */
	MECH_EXTERNAL,
	MECH_ANONYMOUS,
	MECH_OTHER,
	MECH__COUNT
};

/* How a mechanism exposes the secret. */
enum mech_class {
	MC_CLEARTEXT,		/* password in clear (PLAIN, LOGIN) */
	MC_BEARER,		/* a bearer token in clear (XOAUTH2, OAUTHBEARER) */
	MC_CHALLENGE,		/* challenge-response: crackable offline */
	MC_OTHER		/* no secret on the wire we can judge */
};

/* Mechanism from its name (case-insensitive); MECH_OTHER if unknown. */
enum sasl_mech sasl_mech_lookup(const uint8_t *name, size_t len);
/* Upper-case wire name: "PLAIN", "CRAM-MD5", ... */
const char *sasl_mech_name(enum sasl_mech m);
enum mech_class sasl_mech_class(enum sasl_mech m);

/* Bit for a mechanism in a capability set (uint32_t). */
#define MECH_BIT(m)	(1u << (m))
/* The cleartext mechanisms (PLAIN, LOGIN) in a capability set. */
#define MECH_CLEARTEXT_SET	(MECH_BIT(MECH_PLAIN) | MECH_BIT(MECH_LOGIN))

/*
 * Parse a space-separated list of mechanism names (the argument of an SMTP
 * "AUTH" EHLO line or of POP3 "SASL" in CAPA) into a capability set.
 */
uint32_t sasl_mech_list(const uint8_t *p, size_t n);

/*
 * Decode base64 (RFC 4648 §4; whitespace is not allowed, padding optional).
 * Returns false on a bad character or when the result would not fit in
 * outcap bytes.  Never writes past outcap.
 */
bool b64_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap,
    size_t *outlen);

/* Whether p[0..n) is well-formed base64 (the shape check only). */
bool b64_valid(const uint8_t *p, size_t n);

/*
 * A password held from the command that sent it to the reply that ends the
 * login, for finding.secret.  Longer ones are not kept (len 0): a prefix
 * would give false matches.  Wiped with explicit_bzero by secret_drop.
 */
#define SECRET_HOLD_MAX	128

struct held_secret {
	size_t		 len;		/* 0: none held */
	bool		 over;		/* too long: nothing held */
	uint8_t		 b[SECRET_HOLD_MAX];
};

/* Hold p[0..n) (drops what was held; n > SECRET_HOLD_MAX holds nothing). */
void secret_hold(struct held_secret *h, const uint8_t *p, size_t n);
/* Add p[0..n) to what is held (a password read in pieces). */
void secret_append(struct held_secret *h, const uint8_t *p, size_t n);
/* Wipe what is held. */
void secret_drop(struct held_secret *h);

/* One AUTH exchange. */
struct sasl_exchange {
	enum sasl_mech	 mech;
	unsigned	 responses;	/* client responses seen (incl. the initial one) */
	bool		 active;	/* between the AUTH command and its final reply */
	bool		 cancelled;	/* the client sent "*" (RFC 4954 §4) */
	bool		 secret_seen;	/* a password or token crossed the wire */
	bool		 user_truncated;
	bool		 malformed;	/* a response did not decode or parse */
	size_t		 user_len;
	uint8_t		 user[SASL_USER_MAX];
	struct held_secret pass;	/* PLAIN's passwd, LOGIN's second response */
};

/*
 * The client started AUTH with mechanism `mech`; `ir`/`irlen` is the initial
 * response (RFC 4954 §4) if `has_ir`.  An initial response of "=" is empty.
 */
void sasl_begin(struct sasl_exchange *x, enum sasl_mech mech, bool has_ir,
    const uint8_t *ir, size_t irlen);

/*
 * A client response line during the exchange (after a server continuation).
 * "*" cancels.  Returns false if the line is not a SASL response at all
 * (not base64): the client answered a prompt with a command, so no secret
 * was sent.  The server reads that line as a (bad) response, so the caller
 * must not queue it as a command awaiting its own reply.
 */
bool sasl_response(struct sasl_exchange *x, const uint8_t *p, size_t n);

/* The kind of finding the exchange amounts to, by mechanism class. */
enum mech_class sasl_exchange_class(const struct sasl_exchange *x);

/* Mechanism label for alerts: "AUTH PLAIN", "AUTH XOAUTH2", ... */
const char *sasl_auth_label(enum sasl_mech m);

/* Forget the exchange and wipe the username and the held password. */
void sasl_reset(struct sasl_exchange *x);

#endif /* CREDLEAK_SASL_H */
