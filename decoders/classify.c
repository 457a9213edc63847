/*
 * classify.c - choose the decoder for a flow from its first bytes, with
 * ports as hints (see classify.h).
 */
#include "classify.h"

#define CLS_MAX_PACKETS	8	/* payload packets to wait for a verdict */
#define CLS_MAX_BYTES	1024	/* bytes after which a MAYBE must be settled */

static bool
has_port(const struct decoder *d, uint16_t port)
{
	const uint16_t *p;

	for (p = d->ports; p != NULL && *p != 0; p++)
		if (*p == port)
			return true;
	return false;
}

bool
classify_port_hint(uint16_t port)
{
	size_t i;

	for (i = 0; decoders[i] != NULL; i++)
		if (has_port(decoders[i], port))
			return true;
	return false;
}

/* Printable ASCII text: what a line-based protocol starts with. */
static bool
looks_text(const uint8_t *p, size_t n)
{
	size_t i;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\r' &&
		    p[i] != '\n' && p[i] != '\t')
			return false;
	return n > 0;
}

enum cls_verdict
classify(const struct cls_input *in, const struct decoder **dec, bool *swap)
{
	const struct decoder *hinted = NULL;
	enum dir order[2], d;
	bool maybe = false, srv, text = false;
	size_t i, k, total = in->len[0] + in->len[1];

	*swap = false;
	order[0] = in->first_dir;
	order[1] = in->first_dir == DIR_C2S ? DIR_S2C : DIR_C2S;
	/* The first bytes may still be missing (the first segment came out of order). */
	if (in->len[order[0]] == 0 && (!in->midstream || in->len[order[1]] == 0))
		return in->packets >= CLS_MAX_PACKETS ? CLS_NONE : CLS_WAIT;
	/*
	 * With the handshake seen, the side that spoke first is known and the
	 * probes judge its bytes.  Mid-session, either side may show itself.
	 */
	for (k = 0; k < (in->midstream ? 2u : 1u); k++) {
		d = order[k];
		if (in->len[d] == 0)
			continue;
		text |= looks_text(in->first[d], in->len[d]);
		for (i = 0; decoders[i] != NULL; i++) {
			const struct decoder *dc = decoders[i];

			srv = false;
			switch (dc->probe(d, in->first[d], in->len[d], &srv)) {
			case PROBE_YES:
				*dec = dc;
				*swap = in->midstream &&
				    ((d == DIR_C2S) == srv);
				return CLS_DECODER;
			case PROBE_MAYBE:
				maybe = true;
				if (hinted == NULL && has_port(dc, in->srv_port))
					hinted = dc;
				break;
			case PROBE_NO:
				break;
			}
		}
	}
	if (hinted == NULL && in->midstream && text) {
		/* A session picked up mid-way: a text stream on a hinted port. */
		for (i = 0; decoders[i] != NULL && hinted == NULL; i++)
			if (has_port(decoders[i], in->srv_port))
				hinted = decoders[i];
		if (hinted != NULL) {
			*dec = hinted;
			return CLS_DECODER;
		}
	}
	if (!maybe)
		return CLS_NONE;
	if (hinted != NULL && (in->midstream || in->packets >= CLS_MAX_PACKETS ||
	    total >= CLS_MAX_BYTES)) {
		*dec = hinted;
		return CLS_DECODER;
	}
	if (in->packets >= CLS_MAX_PACKETS || total >= CLS_MAX_BYTES)
		return CLS_NONE;
	return CLS_WAIT;
}
