/*
 * test_ldap.c - the LDAP decoder (RFC 4511, RFC 4513, MS-ADTS Sicily binds).
 *
 * Each session runs whole, with each step cut at every byte, and byte by
 * byte (session.h): BER framing must not depend on the segments.  The
 * messages below are BER written out byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../decoders/decoder.h"
#include "../../decoders/sasl.h"

extern const struct decoder ldap_decoder;

#define SESSION_DECODER	ldap_decoder
#define SESSION_APP	"ldap"
#define SESSION_PORT	389
#include "session.h"

#define PW1	"alpha-beta-test-701"
#define PW2	"gamma-delta-test-702"
#define PW3	"epsilon-zeta-test-703"

/* LDAPMessages (RFC 4511 §4.1.1), one per define. */
#define BIND_SIMPLE	"0:\x02\x01\x01`5\x02\x01\x03\x04\x1b" "cn=admin,dc=example," \
	    "dc=test\x80\x13" "alpha-beta-test-701"
#define BIND_OK_1	"0\x0c\x02\x01\x01" "a\x07\x0a\x01\x00\x04\x00\x04\x00"
#define BIND_BAD_1	"0\x0c\x02\x01\x01" "a\x07\x0a\x01" "1\x04\x00\x04\x00"
#define UNBIND_2	"0\x05\x02\x01\x02" "B\x00"
#define SEARCH_2	"07\x02\x01\x02" "c2\x04\x12" "dc=example,dc=test\x0a\x01" \
	    "\x02\x0a\x01\x00\x02\x01\x00\x02\x01\x00\x01\x01\x00\x87" \
	    "\x0bobjectClass0\x00"
#define ENTRY_2_BIG	"0\x82\x04'\x02\x01\x02" "d\x82\x04 \x04\x19" "cn=big,dc=exa" \
	    "mple,dc=test0\x82\x04\x01" "0\x82\x03\xfd\x04\x0b" "descrip" \
	    "tion1\x82\x03\xec\x04\x82\x03\xe8xxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define DONE_2	"0\x0c\x02\x01\x02" "e\x07\x0a\x01\x00\x04\x00\x04\x00"
#define BIND_USER_3	"0F\x02\x01\x03`A\x02\x01\x03\x04&uid=carol,ou=people,dc=exa" \
	    "mple,dc=test\x80\x14gamma-delta-test-702"
#define BIND_OK_3	"0\x0c\x02\x01\x03" "a\x07\x0a\x01\x00\x04\x00\x04\x00"
#define BIND_ANON_1	"0\x0c\x02\x01\x01`\x07\x02\x01\x03\x04\x00\x80\x00"
#define BIND_UNAUTH_1	"0'\x02\x01\x01`\x22\x02\x01\x03\x04\x1buid=dave,dc=example," \
	    "dc=test\x80\x00"
#define BIND_UNWILLING_1	"0\x0c\x02\x01\x01" "a\x07\x0a\x01" "5\x04\x00\x04\x00"
#define BIND_PLAIN_1	"00\x02\x01\x01`+\x02\x01\x03\x04\x00\xa3$\x04\x05PLAIN\x04" \
	    "\x1b\x00" "erin\x00" "epsilon-zeta-test-703"
#define BIND_CRAM_1	"0\x16\x02\x01\x01`\x11\x02\x01\x03\x04\x00\xa3\x0a\x04\x08" "" \
	    "CRAM-MD5"
#define BIND_CONT_1	"0+\x02\x01\x01" "a&\x0a\x01\x0e\x04\x00\x04\x00\x87\x1d<189" \
	    "6.697170952@example.test>"
#define BIND_CRAM_2	"0>\x02\x01\x02`9\x02\x01\x03\x04\x00\xa3" "2\x04\x08" "CRAM" \
	    "-MD5\x04&frank b913a602c7eda7a495b4e6e7334d3890"
#define BIND_OK_2	"0\x0c\x02\x01\x02" "a\x07\x0a\x01\x00\x04\x00\x04\x00"
#define BIND_BAD_2	"0\x0c\x02\x01\x02" "a\x07\x0a\x01" "1\x04\x00\x04\x00"
#define BIND_NTLM_1	"04\x02\x01\x01`/\x02\x01\x03\x04\x00\xa3(\x04\x04NTLM\x04 N" \
	    "TLMSSP\x00\x01\x00\x00\x00\x07\x82\x08\xa2\x00\x00\x00\x00" \
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
#define BIND_NTLM_CONT_1	"0>\x02\x01\x01" "a9\x0a\x01\x0e\x04\x00\x04\x00\x87" "0NTLM" \
	    "SSP\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05" \
	    "\x82\x89\xa2\x01#Eg\x89\xab\xcd\xef\x00\x00\x00\x00\x00\x00" \
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
#define BIND_NTLM_2	"0\x81\xcd\x02\x01\x02`\x81\xc7\x02\x01\x03\x04\x00\xa3\x81" \
	    "\xbf\x04\x04NTLM\x04\x81\xb6NTLMSSP\x00\x03\x00\x00\x00\x18" \
	    "\x00\x18\x00H\x00\x00\x00@\x00@\x00`\x00\x00\x00\x08\x00" \
	    "\x08\x00\xa0\x00\x00\x00\x0a\x00\x0a\x00\xa8\x00\x00\x00" \
	    "\x04\x00\x04\x00\xb2\x00\x00\x00\x00\x00\x00\x00\xb6\x00" \
	    "\x00\x00\x05\x82\x88\xa2\x00\x00\x00\x00\x00\x00\x00\x00" \
	    "\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22" \
	    "\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11" "C\x00O\x00R\x00P\x00g\x00r\x00" "a\x00" "" \
	    "c\x00" "e\x00W\x00S\x00"
#define BIND_SPNEGO_1	"0\x5c\x02\x01\x01`W\x02\x01\x03\x04\x00\xa3P\x04\x0aGSS-SPN" \
	    "EGO\x04" "B`@\x06\x06+\x06\x01\x05\x05\x02\xa0" "604\xa0" \
	    "\x0e" "0\x0c\x06\x0a+\x06\x01\x04\x01\x82" "7\x02\x02\x0a" \
	    "\xa2\x22\x04 NTLMSSP\x00\x01\x00\x00\x00\x07\x82\x08\xa2" \
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	    "\x00\x00"
#define BIND_SPNEGO_CONT_1	"0F\x02\x01\x01" "aA\x0a\x01\x0e\x04\x00\x04\x00\x87" "8\xa1" "" \
	    "604\xa2" "2\x04" "0NTLMSSP\x00\x02\x00\x00\x00\x00\x00\x00" \
	    "\x00\x00\x00\x00\x00\x05\x82\x89\xa2\x01#Eg\x89\xab\xcd\xef" \
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	    "\x00\x00"
#define BIND_SPNEGO_2	"0\x81\xaf\x02\x01\x02`\x81\xa9\x02\x01\x03\x04\x00\xa3\x81" \
	    "\xa1\x04\x0aGSS-SPNEGO\x04\x81\x92\xa1\x81\x8f" "0\x81\x8c" \
	    "\xa2\x81\x89\x04\x81\x86NTLMSSP\x00\x03\x00\x00\x00\x18\x00" \
	    "\x18\x00H\x00\x00\x00\x18\x00\x18\x00`\x00\x00\x00\x00\x00" \
	    "\x00\x00x\x00\x00\x00\x0a\x00\x0a\x00x\x00\x00\x00\x04\x00" \
	    "\x04\x00\x82\x00\x00\x00\x00\x00\x00\x00\x86\x00\x00\x00" \
	    "\x05\x82\x88\xa2\x00\x00\x00\x00\x00\x00\x00\x00\x22\x22" \
	    "\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22" \
	    "\x22\x22\x22\x22\x22\x22\x22\x22\x11\x11\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11h\x00" "e\x00i\x00" "d\x00i\x00W\x00S\x00"
#define BIND_KRB_1	"0M\x02\x01\x01`H\x02\x01\x03\x04\x00\xa3" "A\x04\x0aGSS-SPN" \
	    "EGO\x04" "3`1\x06\x06+\x06\x01\x05\x05\x02\xa0'0%\xa0\x0d" "" \
	    "0\x0b\x06\x09*\x86H\x86\xf7\x12\x01\x02\x02\xa2\x14\x04\x12" \
	    "`\x10\x06\x09*\x86H\x86\xf7\x12\x01\x02\x02\x01\x00\xaa\xbb" \
	    "\xcc"
#define BIND_SICILY_DISC_1	"0\x0c\x02\x01\x01`\x07\x02\x01\x03\x04\x00\x89\x00"
#define BIND_SICILY_DISC_OK_1	"0\x10\x02\x01\x01" "a\x0b\x0a\x01\x00\x04\x04NTLM\x04\x00"
#define BIND_SICILY_NEGO_2	"0,\x02\x01\x02`'\x02\x01\x03\x04\x00\x8a NTLMSSP\x00\x01" \
	    "\x00\x00\x00\x07\x82\x08\xa2\x00\x00\x00\x00\x00\x00\x00" \
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00"
#define BIND_SICILY_CHAL_2	"0<\x02\x01\x02" "a7\x0a\x01\x00\x04" "0NTLMSSP\x00\x02\x00" \
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x82\x89\xa2" \
	    "\x01#Eg\x89\xab\xcd\xef\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	    "\x00\x00\x00\x00\x00\x00\x00\x04\x00"
#define BIND_SICILY_RESP_3	"0\x81\xb8\x02\x01\x03`\x81\xb2\x02\x01\x03\x04\x00\x8b\x81" \
	    "\xaaNTLMSSP\x00\x03\x00\x00\x00\x18\x00\x18\x00H\x00\x00" \
	    "\x00" "0\x00" "0\x00`\x00\x00\x00\x0e\x00\x0e\x00\x90\x00" \
	    "\x00\x00\x08\x00\x08\x00\x9e\x00\x00\x00\x04\x00\x04\x00" \
	    "\xa6\x00\x00\x00\x00\x00\x00\x00\xaa\x00\x00\x00\x05\x82" \
	    "\x88\xa2\x00\x00\x00\x00\x00\x00\x00\x00\x22\x22\x22\x22" \
	    "\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22" \
	    "\x22\x22\x22\x22\x22\x22\x11\x11\x11\x11\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
	    "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" "E\x00X" \
	    "\x00" "A\x00M\x00P\x00L\x00" "E\x00i\x00v\x00" "a\x00n\x00W" \
	    "\x00S\x00"
#define STARTTLS_1	"0\x1d\x02\x01\x01w\x18\x80\x16" "1.3.6.1.4.1.1466.20037"
#define STARTTLS_OK_1	"0\x0c\x02\x01\x01x\x07\x0a\x01\x00\x04\x00\x04\x00"
#define STARTTLS_NO_1	"0\x0c\x02\x01\x01x\x07\x0a\x01\x02\x04\x00\x04\x00"
#define WHOAMI_2	"0\x1e\x02\x01\x02w\x19\x80\x17" "1.3.6.1.4.1.4203.1.11.3"
#define WHOAMI_OK_2	"0\x0c\x02\x01\x02x\x07\x0a\x01\x00\x04\x00\x04\x00"
#define BIND_SCRAM_1	"0A\x02\x01\x01`<\x02\x01\x03\x04\x00\xa3" "5\x04\x0dSCRAM-S" \
	    "HA-256\x04$n,,n=judy,r=fyko+d2lbbFgONRv9qkxdawL"
#define BIND_SCRAM_CONT_1	"0T\x02\x01\x01" "aO\x0a\x01\x0e\x04\x00\x04\x00\x87" "Fr=fy" \
	    "ko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92" \
	    ",i=4096"
#define BIND_SCRAM_2	"0\x7f\x02\x01\x02`z\x02\x01\x03\x04\x00\xa3s\x04\x0dSCRAM-S" \
	    "HA-256\x04" "bc=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZV" \
	    "vWVs7j,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define BIND_DIGEST_1	"0\x18\x02\x01\x01`\x13\x02\x01\x03\x04\x00\xa3\x0c\x04\x0a" "" \
	    "DIGEST-MD5"
#define BIND_DIGEST_CONT_1	"0e\x02\x01\x01" "a`\x0a\x01\x0e\x04\x00\x04\x00\x87Wrealm=" \
	    "\x22" "example.test\x22,nonce=\x22OA6MG9tEQGm2hh\x22,qop=" \
	    "\x22" "auth\x22,algorithm=md5-sess,charset=utf-8"
#define BIND_DIGEST_2	"0\x81\xdb\x02\x01\x02`\x81\xd5\x02\x01\x03\x04\x00\xa3\x81" \
	    "\xcd\x04\x0a" "DIGEST-MD5\x04\x81\xbe" "charset=utf-8,usern" \
	    "ame=\x22kim\x22,realm=\x22" "example.test\x22,nonce=\x22OA6" \
	    "MG9tEQGm2hh\x22,nc=00000001,cnonce=\x22OA6MHXh6VqTrRk\x22,d" \
	    "igest-uri=\x22ldap/example.test\x22,response=d388dad90d4bbd" \
	    "760a152321f2143af7,qop=auth"
#define BIND_GSSAPI_1	"0\x1d\x02\x01\x01`\x18\x02\x01\x03\x04\x00\xa3\x11\x04\x06G" \
	    "SSAPI\x04\x07`\x05\x06\x03*\x03\x04"

/* A TLS 1.2 ClientHello record header and the start of its handshake. */
#define CLIENT_HELLO	"\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03"

/* RFC 4513 §5.1.3: a name/password bind, then unbind. */
static void
test_simple_success(void **unused)
{
	static const struct step st[] = {
		C(BIND_SIMPLE), S(BIND_OK_1), C(UNBIND_2),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "cn=admin,dc=example,dc=test", .result = RES_SUCCESS,
		  .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

/* invalidCredentials (49) is a failure; the password crossed all the same. */
static void
test_simple_failure(void **unused)
{
	static const struct step st[] = { C(BIND_SIMPLE), S(BIND_BAD_1) };
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "cn=admin,dc=example,dc=test", .result = RES_FAILURE,
		  .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

/* No answer before the end: unknown, reported at end(). */
static void
test_simple_no_answer(void **unused)
{
	static const struct step st[] = { C(BIND_SIMPLE) };
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "cn=admin,dc=example,dc=test", .result = RES_UNKNOWN,
		  .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1);
}

/*
 * Two binds on one connection with a search between; the search result
 * entry is larger than what is kept of a server message, the search done
 * and the bind response share one segment.
 */
static void
test_two_binds_big_entry(void **unused)
{
	static const struct step st[] = {
		C(BIND_SIMPLE), S(BIND_OK_1), C(SEARCH_2), S(ENTRY_2_BIG),
		S(DONE_2 BIND_OK_3), C(BIND_USER_3),
	};
	static const struct step st2[] = {
		C(BIND_SIMPLE), S(BIND_OK_1), C(SEARCH_2),
		S(ENTRY_2_BIG DONE_2), C(BIND_USER_3), S(BIND_OK_3),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "cn=admin,dc=example,dc=test", .result = RES_SUCCESS,
		  .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "uid=carol,ou=people,dc=example,dc=test",
		  .result = RES_UNKNOWN, .secret = true },
	};
	static const struct want w2[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "cn=admin,dc=example,dc=test", .result = RES_SUCCESS,
		  .secret = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "uid=carol,ou=people,dc=example,dc=test",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	/* The bind response 3 comes before its request: unmatched, ignored. */
	SESSION(false, st, w, DEC_MORE, PW1, PW2);
	SESSION(false, st2, w2, DEC_MORE, PW1, PW2);
}

/* RFC 4513 §5.1.1: an anonymous bind carries no credential. */
static void
test_anonymous(void **unused)
{
	static const struct step st[] = {
		C(BIND_ANON_1), S(BIND_OK_1), C(SEARCH_2), S(DONE_2),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MORE, "no-secret");
}

/* RFC 4513 §5.1.2: a DN with no password; slapd refuses it (53). */
static void
test_unauthenticated(void **unused)
{
	static const struct step st[] = { C(BIND_UNAUTH_1), S(BIND_UNWILLING_1) };
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS,
		  .mech = "LDAP unauthenticated bind",
		  .user = "uid=dave,dc=example,dc=test", .result = RES_FAILURE,
		  .anon = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "no-secret");
}

/* RFC 4616 PLAIN in a SASL bind: authcid and password in clear. */
static void
test_sasl_plain(void **unused)
{
	static const struct step st[] = { C(BIND_PLAIN_1), S(BIND_OK_1) };
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP SASL PLAIN",
		  .user = "erin", .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW3);
}

/* CRAM-MD5 (RFC 2195) over two bind requests (RFC 4511 §4.2.1). */
static void
test_sasl_cram(void **unused)
{
	static const struct step st[] = {
		C(BIND_CRAM_1), S(BIND_CONT_1), C(BIND_CRAM_2), S(BIND_BAD_2),
	};
	static const struct step cut[] = { C(BIND_CRAM_1), S(BIND_CONT_1) };
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "LDAP SASL CRAM-MD5",
		  .user = "frank", .result = RES_FAILURE },
	};
	static const struct want wcut[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "LDAP SASL CRAM-MD5",
		  .result = RES_UNKNOWN },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "no-secret");
	/* The capture ends after the challenge: the mechanism alone. */
	SESSION(false, cut, wcut, DEC_MORE, "no-secret");
}

/* SCRAM (RFC 5802): the name is in the client-first message. */
static void
test_sasl_scram(void **unused)
{
	static const struct step st[] = {
		C(BIND_SCRAM_1), S(BIND_SCRAM_CONT_1), C(BIND_SCRAM_2),
		S(BIND_OK_2),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "LDAP SASL SCRAM-SHA-256",
		  .user = "judy", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "no-secret");
}

/* DIGEST-MD5 (RFC 2831 §2.1.2): username="..." in the digest-response. */
static void
test_sasl_digest(void **unused)
{
	static const struct step st[] = {
		C(BIND_DIGEST_1), S(BIND_DIGEST_CONT_1), C(BIND_DIGEST_2),
		S(BIND_OK_2),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "LDAP SASL DIGEST-MD5",
		  .user = "kim", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "no-secret");
}

/* SASL NTLM: NEGOTIATE, CHALLENGE, AUTHENTICATE with an NTLMv2 response. */
static void
test_sasl_ntlm(void **unused)
{
	static const struct step st[] = {
		C(BIND_NTLM_1), S(BIND_NTLM_CONT_1), C(BIND_NTLM_2), S(BIND_OK_2),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "LDAP SASL NTLM (NTLMv2)",
		  .user = "CORP\\grace", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "no-secret");
}

/* GSS-SPNEGO wrapping NTLMv1, refused; then one wrapping Kerberos: nothing. */
static void
test_spnego(void **unused)
{
	static const struct step st[] = {
		C(BIND_SPNEGO_1), S(BIND_SPNEGO_CONT_1), C(BIND_SPNEGO_2),
		S(BIND_BAD_2),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE,
		  .mech = "LDAP SASL GSS-SPNEGO/NTLMv1", .user = "heidi",
		  .result = RES_FAILURE },
	};
	static const struct step krb[] = {
		C(BIND_KRB_1), S(BIND_OK_1), C(SEARCH_2), S(DONE_2),
	};
	static const struct step gssapi[] = { C(BIND_GSSAPI_1), S(BIND_OK_1) };

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "no-secret");
	SESSION_NONE(false, krb, DEC_MORE, "no-secret");
	SESSION_NONE(false, gssapi, DEC_MORE, "no-secret");
}

/*
 * MS-ADTS §5.1.1.1.3: package discovery [9], negotiate [10] answered
 * success with the challenge in matchedDN, response [11].
 */
static void
test_sicily(void **unused)
{
	static const struct step st[] = {
		C(BIND_SICILY_DISC_1), S(BIND_SICILY_DISC_OK_1),
		C(BIND_SICILY_NEGO_2), S(BIND_SICILY_CHAL_2),
		C(BIND_SICILY_RESP_3), S(BIND_OK_3),
	};
	static const struct want w[] = {
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "LDAP Sicily NTLM (NTLMv2)",
		  .user = "EXAMPLE\\ivan", .result = RES_SUCCESS },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, "no-secret");
}

/* RFC 4511 §4.14: StartTLS answered success: the rest is TLS. */
static void
test_starttls(void **unused)
{
	static const struct step st[] = {
		C(STARTTLS_1), S(STARTTLS_OK_1), C(CLIENT_HELLO BIND_SIMPLE),
	};
	/* The ClientHello overtook the answer. */
	static const struct step early[] = {
		C(STARTTLS_1), C(CLIENT_HELLO BIND_SIMPLE), S(STARTTLS_OK_1),
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_DONE, PW1);
	SESSION_NONE(false, early, DEC_DONE, PW1);
}

/* StartTLS refused, and another extended operation: still in clear. */
static void
test_starttls_refused(void **unused)
{
	static const struct step st[] = {
		C(STARTTLS_1), S(STARTTLS_NO_1), C(WHOAMI_2), S(WHOAMI_OK_2),
		C(BIND_USER_3), S(BIND_OK_3),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "uid=carol,ou=people,dc=example,dc=test",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW2);
}

/* A hole in the server's bytes may hold the answer: unknown, gap set. */
static void
test_gap(void **unused)
{
	static const struct step st[] = {
		C(BIND_SIMPLE), GAP(DIR_S2C, 14), C(SEARCH_2), S(DONE_2),
		C(BIND_USER_3), S(BIND_OK_3),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "cn=admin,dc=example,dc=test", .result = RES_UNKNOWN,
		  .secret = true, .gap = true },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "uid=carol,ou=people,dc=example,dc=test",
		  .result = RES_SUCCESS, .secret = true, .gap = true },
	};

	(void)unused;
	SESSION(false, st, w, DEC_MORE, PW1, PW2);
}

/* Picked up mid-session: a stray answer, then a whole bind. */
static void
test_midstream(void **unused)
{
	static const struct step st[] = {
		S(DONE_2), C(BIND_USER_3), S(BIND_OK_3),
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "LDAP simple bind",
		  .user = "uid=carol,ou=people,dc=example,dc=test",
		  .result = RES_SUCCESS, .secret = true },
	};

	(void)unused;
	SESSION(true, st, w, DEC_MORE, PW2);
}

/* With the handshake seen, a first message that is no LDAP detaches. */
static void
test_not_ldap(void **unused)
{
	static const struct step st[] = { C("GET / HTTP/1.0\r\n\r\n") };
	static const struct step ind[] = {
		C("\x30\x80\x02\x01\x01\x60\x00\x00\x00"),	/* indefinite */
	};

	(void)unused;
	SESSION_NONE(false, st, DEC_MISMATCH, "no-secret");
	SESSION_NONE(false, ind, DEC_MISMATCH, "no-secret");
}

/* Garbage mid-stream costs a counter; the next delivery resyncs. */
static void
test_resync(void **unused)
{
	static const struct flow_info fi = { .family = 4, .cli_port = 40000,
	    .srv_port = 389, .flow_id = 1, .input = "test" };
	static const uint8_t junk[] = "\x04\x03zzz\x30\x80";
	static const uint8_t bind[] = BIND_USER_3, ok[] = BIND_OK_3;
	struct alert_opts opts = { .out = NULL, .hook = record };
	struct dec_ctx ctx = { .flow = &fi, .ts_us = 1, .ctr = &ctr };
	void *st;

	(void)unused;
	cur_secrets = (const char *const[]){ PW2, NULL };
	memset(&ctr, 0, sizeof(ctr));
	ngot = 0;
	assert_non_null(ctx.sink = alert_sink_new(&opts));
	assert_non_null(st = calloc(1, ldap_decoder.state_size));
	ldap_decoder.init(st, true);
	assert_int_equal(ldap_decoder.data(st, &ctx, DIR_C2S, bind,
	    sizeof(bind) - 1), DEC_MORE);
	assert_int_equal(ldap_decoder.data(st, &ctx, DIR_C2S, junk,
	    sizeof(junk) - 1), DEC_MORE);
	assert_int_equal(ldap_decoder.data(st, &ctx, DIR_S2C, ok,
	    sizeof(ok) - 1), DEC_MORE);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].result, RES_SUCCESS);
	/* Once synced, junk at a message start is malformed framing. */
	assert_int_equal(ldap_decoder.data(st, &ctx, DIR_C2S,
	    (const uint8_t *)"\x30\x03\x04\x01z", 5), DEC_MORE);
	assert_true(ctr.bad_framing >= 1);
	ldap_decoder.end(st, &ctx, END_FIN);
	ldap_decoder.wipe(st);
	free(st);
	alert_sink_free(ctx.sink);
}

/* Content probes: a message start tells LDAP and who sent it. */
static void
test_probe(void **unused)
{
	static const char bind[] = BIND_SIMPLE, resp[] = BIND_OK_1;
	bool srv = true;
	size_t k;

	(void)unused;
	assert_int_equal(ldap_decoder.probe(DIR_C2S, (const uint8_t *)bind,
	    sizeof(bind) - 1, &srv), PROBE_YES);
	assert_false(srv);
	assert_int_equal(ldap_decoder.probe(DIR_S2C, (const uint8_t *)resp,
	    sizeof(resp) - 1, &srv), PROBE_YES);
	assert_true(srv);
	/* Every prefix up to the protocolOp tag is undecided. */
	for (k = 1; k < 6; k++)
		assert_int_equal(ldap_decoder.probe(DIR_C2S,
		    (const uint8_t *)bind, k, &srv), PROBE_MAYBE);
	assert_int_equal(ldap_decoder.probe(DIR_C2S,
	    (const uint8_t *)"EHLO x\r\n", 8, &srv), PROBE_NO);
	assert_int_equal(ldap_decoder.probe(DIR_C2S,
	    (const uint8_t *)"0\r\n", 3, &srv), PROBE_NO);
	/* SNMP: version INTEGER then an OCTET STRING, no application tag. */
	assert_int_equal(ldap_decoder.probe(DIR_C2S,
	    (const uint8_t *)"\x30\x0c\x02\x01\x01\x04\x07", 7, &srv), PROBE_NO);
	/* A negative messageID. */
	assert_int_equal(ldap_decoder.probe(DIR_C2S,
	    (const uint8_t *)"\x30\x07\x02\x01\xff\x42\x00", 7, &srv), PROBE_NO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_success),
		cmocka_unit_test(test_simple_failure),
		cmocka_unit_test(test_simple_no_answer),
		cmocka_unit_test(test_two_binds_big_entry),
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_unauthenticated),
		cmocka_unit_test(test_sasl_plain),
		cmocka_unit_test(test_sasl_cram),
		cmocka_unit_test(test_sasl_scram),
		cmocka_unit_test(test_sasl_digest),
		cmocka_unit_test(test_sasl_ntlm),
		cmocka_unit_test(test_spnego),
		cmocka_unit_test(test_sicily),
		cmocka_unit_test(test_starttls),
		cmocka_unit_test(test_starttls_refused),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_not_ldap),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
