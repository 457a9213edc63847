/*
 * ber.h - a checked reader of ASN.1 Basic Encoding Rules (ITU-T X.690).
 *
 * Used by the LDAP and SNMP decoders.  Two layers:
 * - ber_header() looks at the identifier and length octets at the start
 *   of a stream buffer and tells "need more bytes" (BER_MORE) apart from
 *   "malformed" (BER_BAD), so a framer can wait for a whole message;
 * - ber_next() and friends read complete TLVs through a struct cursor
 *   (cursor.h), so every content byte is length-checked.
 *
 * Limits: tag numbers fit in 28 bits (four subsequent octets, X.690
 * §8.1.2.4), lengths in BER_LEN_OCTETS_MAX octets (§8.1.3.5).  The
 * indefinite form (§8.1.3.6) is reported by ber_header() but refused by
 * the TLV readers: LDAP (RFC 4511 §5.1) and SNMP (RFC 3417 §8) allow
 * only definite lengths.
 */
#ifndef CREDLEAK_BER_H
#define CREDLEAK_BER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* X.690 §8.1.2.2: the class bits of the identifier octet. */
#define BER_UNIVERSAL	0
#define BER_APPLICATION	1
#define BER_CONTEXT	2
#define BER_PRIVATE	3

/* Universal tag numbers used here (X.680 §8.6). */
#define BER_TAG_INTEGER		2
#define BER_TAG_OCTET_STRING	4
#define BER_TAG_NULL		5
#define BER_TAG_OID		6
#define BER_TAG_ENUMERATED	10
#define BER_TAG_SEQUENCE	16

#define BER_LEN_OCTETS_MAX	4	/* long-form length octets accepted */
#define BER_TAG_OCTETS_MAX	4	/* subsequent tag octets accepted */
#define BER_HDR_MAX		(1 + BER_TAG_OCTETS_MAX + 1 + BER_LEN_OCTETS_MAX)

enum ber_status {
	BER_OK = 0,
	BER_MORE,	/* the header is cut short: feed more bytes */
	BER_BAD		/* not a valid header, whatever follows */
};

struct ber_tlv {
	uint8_t		 cls;		/* BER_UNIVERSAL .. BER_PRIVATE */
	bool		 constructed;
	bool		 indefinite;	/* length octet 0x80; len is 0 */
	uint32_t	 tag;		/* the tag number */
	size_t		 hdr_len;	/* identifier and length octets */
	size_t		 len;		/* content octets */
};

/*
 * Identifier and length octets at p[0..n).  The content is not required
 * to be present.  BER_MORE only when n is too short to tell.
 */
enum ber_status ber_header(const uint8_t *p, size_t n, struct ber_tlv *t);

/*
 * Read one whole definite-length TLV: its header into *t and its content
 * into *val (t->len bytes).  A short buffer, a bad header or the
 * indefinite form fail and set the cursor's error flag.
 */
bool ber_next(struct cursor *c, struct ber_tlv *t, const uint8_t **val);

/*
 * ber_next() for an expected identifier: class, constructed bit and
 * number must match, else the cursor is left where it was and false
 * returned (with the error flag set).
 */
bool ber_expect(struct cursor *c, uint8_t cls, bool constructed, uint32_t tag,
    const uint8_t **val, size_t *len);

/*
 * An INTEGER or ENUMERATED content (X.690 §8.3): two's complement, one
 * to eight octets.  False for an empty or longer content.
 */
bool ber_int_value(const uint8_t *v, size_t n, int64_t *out);

/* ber_expect() of a universal INTEGER, then ber_int_value(). */
bool ber_get_int(struct cursor *c, int64_t *out);

/* A primitive universal OCTET STRING (constructed strings are refused). */
bool ber_get_octets(struct cursor *c, const uint8_t **val, size_t *len);

/* Whether an OBJECT IDENTIFIER's content equals the dotted text `dotted`. */
bool ber_oid_is(const uint8_t *v, size_t n, const char *dotted);

/*
 * Whether an OBJECT IDENTIFIER's content starts with the arcs of
 * `dotted` (the content of a prefix is a prefix of the content).
 */
bool ber_oid_has_prefix(const uint8_t *v, size_t n, const char *dotted);

#endif /* CREDLEAK_BER_H */
