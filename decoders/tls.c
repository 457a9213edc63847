/*
 * tls.c - a bounded reader of the TLS hellos that follow an upgrade.
 *
 * Specifications: RFC 5246 §6.2.1 (records), §7.4.1.2-7.4.1.4 (hellos and
 * their extensions), Appendix E.2 (the SSLv2-compatible CLIENT-HELLO);
 * RFC 8446 §4.1.2-4.1.3 (hellos), §4.2.1 (supported_versions), §5.1
 * (records); RFC 6101 §5.2 and §5.6.1.2-5.6.1.3 (SSL 3.0); the SSL 2.0
 * draft (draft-hickman-netscape-ssl-00) for SERVER-HELLO; the IANA "TLS
 * Cipher Suites" registry for names; RFC 7465 (no RC4), RFC 8996 (no TLS
 * 1.0 or 1.1) and RFC 6176 (no SSL 2.0) for what counts as weak.
 *
 * Each direction is read as a stream of records.  The first handshake
 * message of a direction is kept, across records and calls, up to
 * TLS_HELLO_MAX bytes; the version and the cipher suite come early in a
 * ServerHello, so a longer message is parsed as far as it was kept.  All
 * other records are skipped by their length, never buffered.
 *
 * Whether the bytes are TLS at all is decided within the first three bytes
 * of a direction (a record header's type and major version, or an SSLv2
 * header and message type); a caller that wants to hand cleartext back to
 * a line parser need keep no more than a record header's five bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "tls.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define TLS_WATCH_MAX	(16 * 1024)	/* bytes per direction read for hellos */
#define TLS_REC_MAX	(16384 + 2048)	/* RFC 5246 §6.2.3 TLSCiphertext */
#define TLS_HDR_LEN	5		/* type, version, length */
#define SSL2_HDR_LEN	2		/* two-byte SSLv2 record header */

/*
 * tls_half.hdr_len past a header's length marks a direction that is no
 * longer read: its first bytes were no TLS, or its hello was read, or the
 * record stream broke.
 */
#define HALF_NOT_TLS	0xfe
#define HALF_IDLE	0xff

#define CT_CCS		20	/* RFC 5246 §6.2.1 ContentType */
#define CT_APPDATA	23
#define CT_HANDSHAKE	22
#define HS_CLIENT_HELLO	1	/* RFC 5246 §7.4 HandshakeType */
#define HS_SERVER_HELLO	2
#define SSL2_CLIENT_HELLO 1	/* SSL 2.0 message types */
#define SSL2_SERVER_HELLO 4
#define EXT_SUPPORTED_VERSIONS 43	/* RFC 8446 §4.2 */

#define V_SSL2		0x0002
#define V_SSL3		0x0300
#define V_TLS13		0x0304

/* --- names ------------------------------------------------------------ */

/*
 * IANA names, sorted by code.  The 0x0060-0x0066 "EXPORT1024" suites were
 * never registered but were offered by old OpenSSL and Windows stacks.
 */
static const struct suite {
	uint16_t	 code;
	const char	*name;
} suites[] = {
	{ 0x0000, "TLS_NULL_WITH_NULL_NULL" },
	{ 0x0001, "TLS_RSA_WITH_NULL_MD5" },
	{ 0x0002, "TLS_RSA_WITH_NULL_SHA" },
	{ 0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5" },
	{ 0x0004, "TLS_RSA_WITH_RC4_128_MD5" },
	{ 0x0005, "TLS_RSA_WITH_RC4_128_SHA" },
	{ 0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5" },
	{ 0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA" },
	{ 0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x0009, "TLS_RSA_WITH_DES_CBC_SHA" },
	{ 0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA" },
	{ 0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA" },
	{ 0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA" },
	{ 0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA" },
	{ 0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA" },
	{ 0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5" },
	{ 0x0018, "TLS_DH_anon_WITH_RC4_128_MD5" },
	{ 0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA" },
	{ 0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA" },
	{ 0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA" },
	{ 0x001E, "TLS_KRB5_WITH_DES_CBC_SHA" },
	{ 0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0020, "TLS_KRB5_WITH_RC4_128_SHA" },
	{ 0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA" },
	{ 0x0022, "TLS_KRB5_WITH_DES_CBC_MD5" },
	{ 0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5" },
	{ 0x0024, "TLS_KRB5_WITH_RC4_128_MD5" },
	{ 0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5" },
	{ 0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA" },
	{ 0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA" },
	{ 0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA" },
	{ 0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5" },
	{ 0x002A, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5" },
	{ 0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5" },
	{ 0x002C, "TLS_PSK_WITH_NULL_SHA" },
	{ 0x002D, "TLS_DHE_PSK_WITH_NULL_SHA" },
	{ 0x002E, "TLS_RSA_PSK_WITH_NULL_SHA" },
	{ 0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA" },
	{ 0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA" },
	{ 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA" },
	{ 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA" },
	{ 0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA" },
	{ 0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA" },
	{ 0x003B, "TLS_RSA_WITH_NULL_SHA256" },
	{ 0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256" },
	{ 0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256" },
	{ 0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256" },
	{ 0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5" },
	{ 0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5" },
	{ 0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA" },
	{ 0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA" },
	{ 0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA" },
	{ 0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA" },
	{ 0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA" },
	{ 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256" },
	{ 0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256" },
	{ 0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256" },
	{ 0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256" },
	{ 0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256" },
	{ 0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256" },
	{ 0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x008A, "TLS_PSK_WITH_RC4_128_SHA" },
	{ 0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA" },
	{ 0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA" },
	{ 0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA" },
	{ 0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256" },
	{ 0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384" },
	{ 0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256" },
	{ 0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384" },
	{ 0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256" },
	{ 0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384" },
	{ 0x1301, "TLS_AES_128_GCM_SHA256" },
	{ 0x1302, "TLS_AES_256_GCM_SHA384" },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
	{ 0x1304, "TLS_AES_128_CCM_SHA256" },
	{ 0x1305, "TLS_AES_128_CCM_8_SHA256" },
	{ 0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA" },
	{ 0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA" },
	{ 0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA" },
	{ 0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA" },
	{ 0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA" },
	{ 0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA" },
	{ 0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" },
	{ 0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA" },
	{ 0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA" },
	{ 0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA" },
	{ 0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA" },
	{ 0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA" },
	{ 0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA" },
	{ 0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA" },
	{ 0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" },
	{ 0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
	{ 0xC015, "TLS_ECDH_anon_WITH_NULL_SHA" },
	{ 0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA" },
	{ 0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA" },
	{ 0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA" },
	{ 0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA" },
	{ 0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA" },
	{ 0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA" },
	{ 0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA" },
	{ 0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA" },
	{ 0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA" },
	{ 0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA" },
	{ 0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256" },
	{ 0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384" },
	{ 0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256" },
	{ 0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384" },
	{ 0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384" },
	{ 0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384" },
	{ 0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
	{ 0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
	{ 0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256" },
	{ 0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384" },
	{ 0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
};

static int
suite_cmp(const void *key, const void *elt)
{
	uint16_t k = *(const uint16_t *)key;
	const struct suite *s = elt;

	return k < s->code ? -1 : k > s->code;
}

const char *
tls_cipher_name(uint16_t c)
{
	const struct suite *s;

	s = bsearch(&c, suites, nitems(suites), sizeof(suites[0]), suite_cmp);
	return s != NULL ? s->name : NULL;
}

const char *
tls_version_name(uint16_t v)
{
	switch (v) {
	case V_SSL2:
		return "SSLv2";
	case V_SSL3:
		return "SSLv3";
	case 0x0301:
		return "TLSv1.0";
	case 0x0302:
		return "TLSv1.1";
	case 0x0303:
		return "TLSv1.2";
	case V_TLS13:
		return "TLSv1.3";
	default:
		return NULL;
	}
}

/* --- weakness --------------------------------------------------------- */

/*
 * Weak cipher classes, strongest reason first, found by the parts of the
 * IANA name: "WITH_NULL" (no encryption), "EXPORT" (40/56-bit keys),
 * "_anon_" (no server authentication), RC4 (RFC 7465), single DES and
 * 3DES (64-bit blocks, Sweet32).  "WITH_DES" does not match "WITH_3DES".
 */
enum weak_cipher {
	WC_NONE = 0,
	WC_NULL,
	WC_EXPORT,
	WC_ANON,
	WC_RC4,
	WC_DES,
	WC_3DES,
	WC__COUNT
};

static enum weak_cipher
cipher_class(uint16_t c)
{
	static const struct {
		const char	*part;
		enum weak_cipher cls;
	} rules[] = {
		{ "WITH_NULL", WC_NULL },
		{ "EXPORT", WC_EXPORT },
		{ "_anon_", WC_ANON },
		{ "RC4", WC_RC4 },
		{ "WITH_DES", WC_DES },
		{ "3DES", WC_3DES },
	};
	const char *name;
	size_t i;

	if ((name = tls_cipher_name(c)) == NULL)
		return WC_NONE;
	for (i = 0; i < nitems(rules); i++)
		if (strstr(name, rules[i].part) != NULL)
			return rules[i].cls;
	return WC_NONE;
}

/* Weak versions: 0 none, 1 SSL 2.0, 2 SSL 3.0, 3 TLS 1.0, 4 TLS 1.1. */
static unsigned
version_class(uint16_t v)
{
	switch (v) {
	case V_SSL2:
		return 1;
	case V_SSL3:
		return 2;
	case 0x0301:
		return 3;
	case 0x0302:
		return 4;
	default:
		return 0;
	}
}

#define WHY_ROW(v) {							\
	v, v " with a NULL cipher", v " with an EXPORT cipher",		\
	v " with an anonymous cipher", v " with an RC4 cipher",		\
	v " with a DES cipher", v " with a 3DES cipher" }

bool
tls_is_weak(const struct tls_watch *w, const char **why)
{
	static const char *const reasons[5][WC__COUNT] = {
		{ NULL, "NULL cipher (no encryption)",
		  "EXPORT cipher (40/56-bit keys)",
		  "anonymous cipher (server not authenticated)", "RC4 cipher",
		  "DES cipher", "3DES cipher" },
		WHY_ROW("SSL 2.0"),
		WHY_ROW("SSL 3.0"),
		WHY_ROW("TLS 1.0"),
		WHY_ROW("TLS 1.1"),
	};
	const char *r;
	unsigned v;
	enum weak_cipher c;

	if (why != NULL)
		*why = NULL;
	if (!w->server_hello)
		return false;
	v = version_class(w->version);
	/* SSL 2.0 cipher specs are not kept: 0 is "unknown", not a suite. */
	c = w->version == V_SSL2 ? WC_NONE : cipher_class(w->cipher);
	r = reasons[v][c];
	if (why != NULL)
		*why = r;
	return r != NULL;
}

/* --- hello parsing ---------------------------------------------------- */

static bool
is_grease(uint16_t v)
{
	/* RFC 8701 §2: 0x0A0A, 0x1A1A, ... 0xFAFA. */
	return (v & 0x0f0f) == 0x0a0a && (v >> 12) == ((v >> 4) & 0x0f);
}

/* RFC 8446 §4.2.1: ClientHello's list of versions; keep the highest known. */
static uint16_t
client_versions(const uint8_t *p, size_t n, uint16_t best)
{
	struct cursor c;
	uint16_t v;

	cur_init(&c, p, n);
	cur_limit(&c, cur_get_u8(&c));
	while (cur_left(&c) >= 2) {
		v = cur_get_be16(&c);
		if (!is_grease(v) && tls_version_name(v) != NULL && v > best)
			best = v;
	}
	return best;
}

/*
 * The extensions block at the cursor: Extension extensions<0..2^16-1>
 * (RFC 5246 §7.4.1.4).  Returns the version supported_versions gives, or
 * `v` when there is none (or it was cut off with the rest of the hello).
 */
static uint16_t
ext_version(struct cursor *c, bool server, uint16_t v)
{
	struct cursor e;
	uint16_t type, len;

	if (cur_left(c) < 2)
		return v;
	cur_limit(c, cur_get_be16(c));
	while (cur_left(c) >= 4) {
		type = cur_get_be16(c);
		len = cur_get_be16(c);
		if (type == EXT_SUPPORTED_VERSIONS) {
			cur_init(&e, cur_ptr(c), cur_left(c));
			cur_limit(&e, len);
			if (server && cur_left(&e) >= 2)
				v = cur_get_be16(&e);	/* selected_version */
			else if (!server)
				v = client_versions(cur_ptr(&e), cur_left(&e),
				    v);
		}
		cur_skip(c, len);
	}
	return v;
}

/* RFC 5246 §7.4.1.2, RFC 8446 §4.1.2. */
static bool
client_hello(struct tls_watch *w, const uint8_t *p, size_t n)
{
	struct cursor c;
	uint16_t legacy;

	cur_init(&c, p, n);
	legacy = cur_get_be16(&c);
	if (!cur_ok(&c))
		return false;
	cur_skip(&c, 32);			/* random */
	cur_skip(&c, cur_get_u8(&c));		/* legacy_session_id */
	cur_skip(&c, cur_get_be16(&c));		/* cipher_suites */
	cur_skip(&c, cur_get_u8(&c));		/* compression_methods */
	w->client_hello = true;
	w->client_version = cur_ok(&c) ? ext_version(&c, false, legacy) :
	    legacy;
	return true;
}

/*
 * RFC 5246 §7.4.1.3, RFC 8446 §4.1.3: legacy_version, random,
 * session_id, cipher_suite, compression_method, then extensions.  In TLS
 * 1.3 (and in a HelloRetryRequest) legacy_version says 1.2 and
 * supported_versions the truth.
 */
static bool
server_hello(struct tls_watch *w, const uint8_t *p, size_t n)
{
	struct cursor c;
	uint16_t legacy, cipher;

	cur_init(&c, p, n);
	legacy = cur_get_be16(&c);
	cur_skip(&c, 32);			/* random */
	cur_skip(&c, cur_get_u8(&c));		/* session_id */
	cipher = cur_get_be16(&c);
	if (!cur_ok(&c))
		return false;
	cur_skip(&c, 1);			/* compression_method */
	w->version = cur_ok(&c) ? ext_version(&c, true, legacy) : legacy;
	w->cipher = cipher;
	w->server_hello = true;
	return true;
}

/*
 * SSL 2.0 messages (RFC 5246 Appendix E.2 for CLIENT-HELLO): msg_type,
 * then for CLIENT-HELLO the version the client wants (0x0002, or 0x0300
 * and up in a "compatible" hello); for SERVER-HELLO session_id_hit and
 * certificate_type come first.  A SERVER-HELLO means SSL 2.0 whatever its
 * version field says; its cipher specs are three bytes wide and are not
 * recorded.
 */
static bool
ssl2_hello(struct tls_watch *w, enum dir d, const uint8_t *p, size_t n)
{
	struct cursor c;
	uint16_t v;

	cur_init(&c, p, n);
	cur_skip(&c, d == DIR_C2S ? 1 : 3);
	v = cur_get_be16(&c);
	if (!cur_ok(&c))
		return false;
	if (d == DIR_C2S) {
		w->client_hello = true;
		w->sslv2 = true;
		w->client_version = v;
		return true;
	}
	w->version = V_SSL2;
	w->cipher = 0;
	w->server_hello = true;
	return true;
}

/* --- the record stream ------------------------------------------------ */

static bool
is_ssl2(const struct tls_half *h)
{
	return (h->hdr[0] & 0x80) != 0;
}

static size_t
hdr_size(const struct tls_half *h)
{
	return is_ssl2(h) ? SSL2_HDR_LEN : TLS_HDR_LEN;
}

static bool
in_header(const struct tls_half *h)
{
	return h->hdr_len == 0 || h->hdr_len < hdr_size(h);
}

/*
 * Stop reading a direction; without a ServerHello that is the end.  What
 * was kept is wiped: bytes that broke the record stream may be cleartext.
 */
static enum tls_verdict
stop(struct tls_half *h, enum dir d)
{
	memset(h->msg, 0, sizeof(h->msg));
	h->hdr_len = HALF_IDLE;
	return d == DIR_S2C ? TLS_GIVE_UP : TLS_MORE;
}

static enum tls_verdict
not_tls(struct tls_half *h)
{
	memset(h->msg, 0, sizeof(h->msg));
	h->msg_len = 0;
	h->hdr_len = HALF_NOT_TLS;
	return TLS_NOT_TLS;
}

/*
 * One byte of a record header.  Only the first header of a direction can
 * say "not TLS" (or be SSLv2's); a bad header later means the stream is
 * out of step, and reading it further would be guessing.
 */
static enum tls_verdict
header_byte(struct tls_half *h, enum dir d, uint8_t b)
{
	bool first = h->seen == h->hdr_len, ok = true;
	size_t len;

	h->hdr[h->hdr_len++] = b;
	if (is_ssl2(h)) {
		if (!first)
			return stop(h, d);
		if (h->hdr_len < SSL2_HDR_LEN)
			return TLS_MORE;
		len = (size_t)(h->hdr[0] & 0x7f) << 8 | h->hdr[1];
		if (len == 0)
			return not_tls(h);
		h->rec_left = (uint16_t)len;
		h->msg_len = 0;
		return TLS_MORE;
	}
	switch (h->hdr_len) {
	case 1:		/* RFC 5246 §6.2.1: change_cipher_spec .. app data */
		ok = b >= CT_CCS && b <= CT_APPDATA;
		break;
	case 2:		/* ProtocolVersion.major */
		ok = b == 3;
		break;
	case 3:		/* .minor: SSL 3.0 (0) to TLS 1.3 (4) */
		ok = b <= 4;
		break;
	case TLS_HDR_LEN:
		len = (size_t)h->hdr[3] << 8 | h->hdr[4];
		if (len > TLS_REC_MAX ||
		    (len == 0 && h->hdr[0] == CT_HANDSHAKE))
			return stop(h, d);
		h->rec_left = (uint16_t)len;
		if (len == 0)
			h->hdr_len = 0;	/* RFC 5246 §6.2.1: empty appdata */
		return TLS_MORE;
	default:
		break;
	}
	if (!ok)
		return first ? not_tls(h) : stop(h, d);
	return TLS_MORE;
}

/* Bytes of the first handshake message wanted so far (header, then body). */
static size_t
msg_want(const struct tls_half *h)
{
	size_t len;

	if (h->msg_len < 4)
		return 4;
	len = 4 + ((size_t)h->msg[1] << 16 | (size_t)h->msg[2] << 8 |
	    h->msg[3]);
	return len < TLS_HELLO_MAX ? len : TLS_HELLO_MAX;
}

/* The first handshake message of a direction is complete (or capped). */
static enum tls_verdict
hello_done(struct tls_watch *w, struct tls_half *h, enum dir d)
{
	size_t n = h->msg_len - 4;
	uint8_t want = d == DIR_C2S ? HS_CLIENT_HELLO : HS_SERVER_HELLO;
	bool ok;

	ok = h->msg[0] == want && (d == DIR_C2S ?
	    client_hello(w, h->msg + 4, n) : server_hello(w, h->msg + 4, n));
	/* Nothing more is read; bytes that were no TLS are not kept. */
	memset(h->msg, 0, sizeof(h->msg));
	h->hdr_len = HALF_IDLE;
	if (ok && d == DIR_S2C)
		return TLS_HELLO_DONE;
	return ok ? TLS_MORE : stop(h, d);
}

/* Record body bytes: kept while part of the first hello, else skipped. */
static enum tls_verdict
body_bytes(struct tls_watch *w, struct tls_half *h, enum dir d,
    const uint8_t *p, size_t n)
{
	size_t want, take;
	bool ok;

	h->rec_left -= (uint16_t)n;
	if (is_ssl2(h)) {
		/* One message per record; the record length is its length. */
		want = (size_t)(h->hdr[0] & 0x7f) << 8 | h->hdr[1];
		if (want > TLS_HELLO_MAX)
			want = TLS_HELLO_MAX;
		take = want - h->msg_len < n ? want - h->msg_len : n;
		memcpy(h->msg + h->msg_len, p, take);
		h->msg_len += (uint16_t)take;
		if (h->msg[0] != (d == DIR_C2S ? SSL2_CLIENT_HELLO :
		    SSL2_SERVER_HELLO))
			return not_tls(h);
		if (h->msg_len < want)
			return TLS_MORE;
		h->hdr_len = HALF_IDLE;
		ok = ssl2_hello(w, d, h->msg, h->msg_len);
		memset(h->msg, 0, sizeof(h->msg));
		if (!ok)
			return stop(h, d);
		return d == DIR_S2C ? TLS_HELLO_DONE : TLS_MORE;
	}
	if (h->hdr[0] == CT_HANDSHAKE) {
		while (n > 0 && h->msg_len < (want = msg_want(h))) {
			take = want - h->msg_len < n ? want - h->msg_len : n;
			memcpy(h->msg + h->msg_len, p, take);
			h->msg_len += (uint16_t)take;
			p += take;
			n -= take;
		}
		if (h->msg_len >= 4 && h->msg_len == msg_want(h))
			return hello_done(w, h, d);
	}
	if (h->rec_left == 0)
		h->hdr_len = 0;
	return TLS_MORE;
}

void
tls_watch_init(struct tls_watch *w)
{
	memset(w, 0, sizeof(*w));
}

enum tls_verdict
tls_watch_data(struct tls_watch *w, enum dir d, const uint8_t *p, size_t n)
{
	struct tls_half *h = &w->h[d == DIR_S2C];
	enum tls_verdict v = TLS_MORE;
	size_t k;

	if (w->server_hello)
		return TLS_HELLO_DONE;
	if (h->hdr_len == HALF_NOT_TLS)
		return TLS_NOT_TLS;
	while (n > 0 && v == TLS_MORE) {
		if (h->hdr_len == HALF_IDLE) {
			k = n;
			if (d == DIR_S2C)
				v = TLS_GIVE_UP;
		} else if (in_header(h)) {
			k = 1;
			v = header_byte(h, d, p[0]);
		} else {
			k = n < h->rec_left ? n : h->rec_left;
			v = body_bytes(w, h, d, p, k);
		}
		/* Counted after the byte: header_byte() needs the old count. */
		h->seen = h->seen > UINT32_MAX - k ? UINT32_MAX :
		    h->seen + (uint32_t)k;
		p += k;
		n -= k;
	}
	if (v == TLS_MORE && h->seen >= TLS_WATCH_MAX)
		v = TLS_GIVE_UP;
	return v;
}
