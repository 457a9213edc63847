/*
 * ntlm.h - the NTLM messages a passive observer can read (MS-NLMP §2.2.1),
 * shared by the HTTP (RFC 4559) and LDAP (SASL NTLM, GSS-SPNEGO, MS-ADTS
 * "Sicily" binds) decoders.
 *
 * Only the AUTHENTICATE message (type 3, §2.2.1.3) is parsed: it carries
 * the user and domain names and the challenge response that can be
 * cracked offline.  A SPNEGO token (RFC 4178) that wraps NTLM is searched
 * for the NTLMSSP signature rather than decoded: the mechToken sits at a
 * fixed place in practice, and a token with no NTLMSSP inside is Kerberos.
 */
#ifndef CREDLEAK_NTLM_H
#define CREDLEAK_NTLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasl.h"

#define NTLM_AUTH_MIN	44	/* bytes of a type 3 up to its UserNameFields */
#define NTLM_V1_RESP	24	/* NtChallengeResponse of NTLMv1 (§2.2.2.6) */

struct ntlm_msg {
	uint8_t		 type;		/* 1, 2, 3 (type 3 of NTLM_AUTH_MIN bytes or more); 0 other */
	bool		 bad;		/* type 3 whose UserName lies outside it */
	bool		 anonymous;	/* empty UserName and NtChallengeResponse (§3.2.5.1.2) */
	size_t		 nt_len;	/* NtChallengeResponseLen: 24 NTLMv1, more NTLMv2 */
	bool		 user_truncated;
	size_t		 user_len;
	uint8_t		 user[SASL_USER_MAX];
	bool		 domain_truncated;
	size_t		 domain_len;
	uint8_t		 domain[SASL_USER_MAX];
};

/*
 * Look for an NTLMSSP message in a token (a raw NTLM message or a SPNEGO
 * one around it).  False when there is none; else *m describes it.  Names
 * in UTF-16LE are kept as ASCII, other characters as '?'.
 */
bool ntlm_find(const uint8_t *tok, size_t n, struct ntlm_msg *m);

/* Wipe a parsed message (names are not secret, but nothing lingers). */
void ntlm_clear(struct ntlm_msg *m);

#endif /* CREDLEAK_NTLM_H */
