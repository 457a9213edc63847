/*
 * ber.c - a checked reader of ASN.1 BER (ITU-T X.690 §8.1-8.3, §8.19).
 */
#include <stdint.h>
#include <string.h>

#include "ber.h"

enum ber_status
ber_header(const uint8_t *p, size_t n, struct ber_tlv *t)
{
	size_t i = 0, k, cnt;
	uint32_t tag;
	size_t len;

	memset(t, 0, sizeof(*t));
	if (n < 1)
		return BER_MORE;
	/* §8.1.2: class (bits 8-7), constructed (bit 6), number (bits 5-1). */
	t->cls = (uint8_t)(p[0] >> 6);
	t->constructed = (p[0] & 0x20) != 0;
	tag = p[0] & 0x1f;
	i = 1;
	if (tag == 0x1f) {
		/* §8.1.2.4: high-tag form, base 128, bit 8 set but on the last. */
		tag = 0;
		for (k = 0;; k++) {
			if (i >= n)
				return BER_MORE;
			if (k == BER_TAG_OCTETS_MAX)
				return BER_BAD;
			if (k == 0 && p[i] == 0x80)
				return BER_BAD;	/* §8.1.2.4.2 c): no leading zero */
			tag = tag << 7 | (p[i] & 0x7f);
			if ((p[i++] & 0x80) == 0)
				break;
		}
		if (tag < 0x1f)
			return BER_BAD;	/* §8.1.2.2: low numbers use one octet */
	}
	t->tag = tag;
	if (i >= n)
		return BER_MORE;
	/* §8.1.3: the length octets. */
	if (p[i] < 0x80) {
		t->len = p[i++];
	} else if (p[i] == 0x80) {
		/* §8.1.3.6: indefinite form, constructed encodings only. */
		if (!t->constructed)
			return BER_BAD;
		t->indefinite = true;
		i++;
	} else if (p[i] == 0xff) {
		return BER_BAD;	/* §8.1.3.5 c): reserved */
	} else {
		cnt = p[i++] & 0x7fu;
		if (cnt > BER_LEN_OCTETS_MAX)
			return BER_BAD;
		len = 0;
		for (k = 0; k < cnt; k++) {
			if (i >= n)
				return BER_MORE;
			len = len << 8 | p[i++];
		}
		t->len = len;
	}
	t->hdr_len = i;
	return BER_OK;
}

bool
ber_next(struct cursor *c, struct ber_tlv *t, const uint8_t **val)
{
	*val = NULL;
	if (!cur_ok(c) ||
	    ber_header(cur_ptr(c), cur_left(c), t) != BER_OK ||
	    t->indefinite || t->len > cur_left(c) - t->hdr_len) {
		memset(t, 0, sizeof(*t));
		(void)cur_need(c, cur_left(c) + 1);	/* sets the error flag */
		return false;
	}
	cur_skip(c, t->hdr_len);
	*val = cur_ptr(c);
	cur_skip(c, t->len);
	return cur_ok(c);
}

bool
ber_expect(struct cursor *c, uint8_t cls, bool constructed, uint32_t tag,
    const uint8_t **val, size_t *len)
{
	struct cursor save = *c;
	struct ber_tlv t;

	*len = 0;
	if (!ber_next(c, &t, val))
		return false;
	if (t.cls != cls || t.constructed != constructed || t.tag != tag) {
		*c = save;
		(void)cur_need(c, cur_left(c) + 1);
		*val = NULL;
		return false;
	}
	*len = t.len;
	return true;
}

bool
ber_int_value(const uint8_t *v, size_t n, int64_t *out)
{
	uint64_t u;
	size_t i;

	*out = 0;
	/* §8.3.1: one octet or more; eight fit an int64_t. */
	if (n < 1 || n > 8)
		return false;
	u = (v[0] & 0x80) ? UINT64_MAX : 0;
	for (i = 0; i < n; i++)
		u = u << 8 | v[i];
	/* Two's complement back to a signed value, without overflow. */
	if (u > (uint64_t)INT64_MAX)
		*out = -(int64_t)(UINT64_MAX - u) - 1;
	else
		*out = (int64_t)u;
	return true;
}

bool
ber_get_int(struct cursor *c, int64_t *out)
{
	const uint8_t *v;
	size_t n;

	*out = 0;
	if (!ber_expect(c, BER_UNIVERSAL, false, BER_TAG_INTEGER, &v, &n))
		return false;
	if (!ber_int_value(v, n, out)) {
		(void)cur_need(c, cur_left(c) + 1);
		return false;
	}
	return true;
}

bool
ber_get_octets(struct cursor *c, const uint8_t **val, size_t *len)
{
	return ber_expect(c, BER_UNIVERSAL, false, BER_TAG_OCTET_STRING, val,
	    len);
}

/* §8.19: the content octets of a dotted OID; false if it does not fit. */
static bool
oid_encode(const char *dotted, uint8_t *out, size_t cap, size_t *outlen)
{
	uint64_t arcs[32], v;
	size_t na = 0, o = 0, k, nb;
	const char *s = dotted;
	uint8_t tmp[10];

	while (*s != '\0') {
		v = 0;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9') {
			if (v > UINT32_MAX)
				return false;
			v = v * 10 + (uint64_t)(*s++ - '0');
		}
		if (na == sizeof(arcs) / sizeof(arcs[0]))
			return false;
		arcs[na++] = v;
		if (*s == '.')
			s++;
	}
	if (na < 2 || arcs[0] > 2)
		return false;
	/* §8.19.4: the first two arcs share one subidentifier. */
	arcs[1] += arcs[0] * 40;
	for (k = 1; k < na; k++) {
		v = arcs[k];
		nb = 0;
		do {
			tmp[nb++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v != 0);
		if (nb > cap - o)
			return false;
		while (nb > 0) {
			nb--;
			out[o++] = (uint8_t)(tmp[nb] | (nb > 0 ? 0x80 : 0));
		}
	}
	*outlen = o;
	return true;
}

bool
ber_oid_is(const uint8_t *v, size_t n, const char *dotted)
{
	uint8_t e[64];
	size_t el;

	return oid_encode(dotted, e, sizeof(e), &el) && el == n &&
	    memcmp(v, e, n) == 0;
}

bool
ber_oid_has_prefix(const uint8_t *v, size_t n, const char *dotted)
{
	uint8_t e[64];
	size_t el;

	return oid_encode(dotted, e, sizeof(e), &el) && el <= n &&
	    memcmp(v, e, el) == 0;
}
