/*
 * ntlm.c - NTLM AUTHENTICATE messages (MS-NLMP §2.2.1.3).
 */
#include <string.h>

#include "cursor.h"
#include "ntlm.h"

static const uint8_t ntlm_sig[8] = "NTLMSSP";	/* and its NUL (§2.2.1) */

/*
 * A name field (Len, MaxLen, BufferOffset; §2.2.1.3) of message d[0..n):
 * OEM bytes without NEGOTIATE_UNICODE, else UTF-16LE with ASCII kept.
 */
static bool
name_field(const uint8_t *d, size_t n, size_t at, bool unicode, uint8_t *out,
    size_t *outlen, bool *truncated)
{
	struct cursor c;
	size_t len, off, i, o = 0;

	cur_init(&c, d, n);
	cur_skip(&c, at);
	len = cur_get_u8(&c);
	len |= (size_t)cur_get_u8(&c) << 8;
	cur_skip(&c, 2);	/* MaxLen */
	off = cur_get_u8(&c);
	off |= (size_t)cur_get_u8(&c) << 8;
	off |= (size_t)cur_get_u8(&c) << 16;
	off |= (size_t)cur_get_u8(&c) << 24;
	*outlen = 0;
	*truncated = false;
	if (!cur_ok(&c) || off > n || len > n - off)
		return false;
	if (!unicode) {
		*truncated = len > SASL_USER_MAX;
		*outlen = len > SASL_USER_MAX ? SASL_USER_MAX : len;
		memcpy(out, d + off, *outlen);
		return true;
	}
	for (i = 0; i + 1 < len && o < SASL_USER_MAX; i += 2)
		out[o++] = d[off + i + 1] == 0 && d[off + i] < 0x80 ?
		    d[off + i] : '?';
	*outlen = o;
	*truncated = i + 1 < len;
	return true;
}

bool
ntlm_find(const uint8_t *tok, size_t n, struct ntlm_msg *m)
{
	const uint8_t *d;
	size_t at, dl;
	bool unicode;

	memset(m, 0, sizeof(*m));
	for (at = 0; at + sizeof(ntlm_sig) <= n; at++)
		if (memcmp(tok + at, ntlm_sig, sizeof(ntlm_sig)) == 0)
			break;
	if (at + sizeof(ntlm_sig) > n)
		return false;
	d = tok + at;
	dl = n - at;
	if (dl < 12)
		return true;	/* MessageType cut off: type 0 */
	if (d[8] != 3) {
		m->type = d[8] <= 2 ? d[8] : 0;
		return true;
	}
	if (dl < NTLM_AUTH_MIN)
		return true;
	m->type = 3;
	m->nt_len = (size_t)d[20] | (size_t)d[21] << 8;
	/* NegotiateFlags (§2.2.2.5) follow at 60: bit A is NEGOTIATE_UNICODE. */
	unicode = !(dl >= 64 && (d[60] & 1) == 0);
	if (!name_field(d, dl, 36, unicode, m->user, &m->user_len,
	    &m->user_truncated)) {
		m->bad = true;
		return true;
	}
	m->anonymous = m->user_len == 0 && m->nt_len == 0;
	if (!name_field(d, dl, 28, unicode, m->domain, &m->domain_len,
	    &m->domain_truncated))
		m->domain_len = 0;
	return true;
}

void
ntlm_clear(struct ntlm_msg *m)
{
	explicit_bzero(m, sizeof(*m));
}
