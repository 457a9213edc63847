/*
 * classify.c - choose the decoder for a flow from its first bytes, with
 * ports as hints (see classify.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#include "classify.h"

#define NFLOW_POOL	64	/* nDPI flow states kept for reuse */

struct cls_engine {
	struct ndpi_detection_module_struct *nd;
	void		*pool[NFLOW_POOL];
	size_t		 npool;
};

/* nDPI protocols with a decoder of ours, by decoder name. */
static const struct {
	uint16_t	 id;
	const char	*decoder;
} ndpi_map[] = {
	{ NDPI_PROTOCOL_MAIL_SMTP,	"smtp" },
	{ NDPI_PROTOCOL_MAIL_POP,	"pop3" },
	{ NDPI_PROTOCOL_MAIL_IMAP,	"imap" },
	{ NDPI_PROTOCOL_FTP_CONTROL,	"ftp" },
	{ NDPI_PROTOCOL_HTTP,		"http" },
	{ NDPI_PROTOCOL_HTTP_CONNECT,	"http" },
	{ NDPI_PROTOCOL_HTTP_PROXY,	"http" },
	{ NDPI_PROTOCOL_TELNET,		"telnet" },
	{ NDPI_PROTOCOL_IRC,		"irc" },
	{ NDPI_PROTOCOL_USENET,		"nntp" },
	{ NDPI_PROTOCOL_POSTGRES,	"postgresql" },
	{ NDPI_PROTOCOL_MYSQL,		"mysql" },
	{ NDPI_PROTOCOL_LDAP,		"ldap" },
	{ NDPI_PROTOCOL_SNMP,		"snmp" },
	{ NDPI_PROTOCOL_REDIS,		"redis" },
	{ NDPI_PROTOCOL_MQTT,		"mqtt" },
	{ NDPI_PROTOCOL_SOCKS,		"socks" },
};

struct cls_engine *
cls_engine_new(void)
{
	struct cls_engine *e;
	NDPI_PROTOCOL_BITMASK all;

	/*
	 * Workers make their modules when they first need one, possibly at
	 * the same moment: nDPI's set-up touches process-wide state (its
	 * libgcrypt initialisation), so one at a time.
	 */
	static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	pthread_mutex_lock(&init_mu);
	/* Tor's relay list is 1.5 MiB of memory for nothing we report. */
	if ((e->nd = ndpi_init_detection_module(ndpi_dont_load_tor_hosts)) != NULL) {
		/* All protocols: a verdict of "something else" lets a flow go early. */
		NDPI_BITMASK_SET_ALL(all);
		ndpi_set_protocol_detection_bitmask2(e->nd, &all);
		ndpi_finalize_initialization(e->nd);
	}
	pthread_mutex_unlock(&init_mu);
	if (e->nd == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
cls_engine_free(struct cls_engine *e)
{
	if (e == NULL)
		return;
	while (e->npool > 0)
		ndpi_flow_free(e->pool[--e->npool]);
	ndpi_exit_detection_module(e->nd);
	free(e);
}

size_t
cls_flow_size(void)
{
	return SIZEOF_FLOW_STRUCT;
}

void *
cls_flow_new(struct cls_engine *e)
{
	void *nf;

	if (e == NULL)
		return NULL;
	if (e->npool > 0)
		nf = e->pool[--e->npool];
	else if ((nf = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT)) == NULL)
		return NULL;
	memset(nf, 0, SIZEOF_FLOW_STRUCT);
	return nf;
}

void
cls_flow_free(struct cls_engine *e, void *nf)
{
	if (nf == NULL)
		return;
	/* What nDPI allocated inside the flow goes; the flow itself is reused. */
	if (e->npool < NFLOW_POOL) {
		ndpi_free_flow_data(nf);
		memset(nf, 0, SIZEOF_FLOW_STRUCT);	/* no stale pointer is freed twice */
		e->pool[e->npool++] = nf;
	} else
		ndpi_flow_free(nf);
}

static const struct decoder *
ndpi_decoder(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(ndpi_map) / sizeof(ndpi_map[0]); i++)
		if (ndpi_map[i].id == id)
			return decoder_by_name(ndpi_map[i].decoder);
	return NULL;
}

bool
classify_denies(const struct decoder *dec, const struct cls_input *in)
{
	bool srv, any = false;
	int d;

	for (d = 0; d < 2; d++) {
		if (in->len[d] == 0)
			continue;
		any = true;
		if (dec->probe((enum dir)d, in->first[d], in->len[d], &srv) != PROBE_NO)
			return false;
	}
	return any;
}

enum cls_ndpi
cls_ndpi_packet(struct cls_engine *e, void *nf, const struct pkt *p,
    const struct decoder **dec)
{
	ndpi_protocol pr;
	const struct decoder *d;

	if (p->l3_len > 0xffff)
		return NDPI_PENDING;
	pr = ndpi_detection_process_packet(e->nd, nf, p->l3,
	    (unsigned short)p->l3_len, p->ts_us / 1000);
	if (pr.master_protocol == NDPI_PROTOCOL_UNKNOWN &&
	    pr.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		return NDPI_PENDING;
	/* HTTP with an application on top (master HTTP, app "Google") is HTTP. */
	if ((d = ndpi_decoder(pr.master_protocol)) != NULL ||
	    (d = ndpi_decoder(pr.app_protocol)) != NULL) {
		*dec = d;
		return NDPI_DECODER;
	}
	return NDPI_OTHER;
}

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
		if (decoders[i]->ipproto != 17 && has_port(decoders[i], port))
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
classify(const struct cls_input *in, const struct decoder **dec, bool *swap,
    bool *sure)
{
	const struct decoder *hinted = NULL;
	enum dir order[2], d;
	bool maybe = false, srv, text = false;
	size_t i, k, total = in->len[0] + in->len[1];

	*swap = false;
	*sure = false;
	order[0] = in->first_dir;
	order[1] = in->first_dir == DIR_C2S ? DIR_S2C : DIR_C2S;
	/* The first bytes may still be missing (the first segment came out of order). */
	if (in->len[order[0]] == 0 && (!in->midstream || in->len[order[1]] == 0))
		return in->force || in->packets >= CLS_MAX_PACKETS ? CLS_NONE : CLS_WAIT;
	/*
	 * The side that spoke first is judged first; the other side's bytes
	 * settle what the first left open (a client that pipelined its
	 * commands before the greeting, a greeting shared by two protocols).
	 */
	for (k = 0; k < 2; k++) {
		d = order[k];
		if (in->len[d] == 0)
			continue;
		text |= looks_text(in->first[d], in->len[d]);
		for (i = 0; decoders[i] != NULL; i++) {
			const struct decoder *dc = decoders[i];

			if (dc->ipproto == 17)
				continue;	/* datagrams: reassembly/udp.c */
			srv = false;
			switch (dc->probe(d, in->first[d], in->len[d], &srv)) {
			case PROBE_YES:
				*dec = dc;
				*swap = in->midstream &&
				    ((d == DIR_C2S) == srv);
				*sure = true;
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
			if (decoders[i]->ipproto != 17 &&
			    has_port(decoders[i], in->srv_port))
				hinted = decoders[i];
		if (hinted != NULL) {
			*dec = hinted;
			return CLS_DECODER;
		}
	}
	if (!maybe)
		return CLS_NONE;
	if (hinted != NULL && (in->midstream || in->force ||
	    in->packets >= CLS_MAX_PACKETS || total >= CLS_MAX_BYTES)) {
		*dec = hinted;
		return CLS_DECODER;
	}
	if (in->force || in->packets >= CLS_MAX_PACKETS || total >= CLS_MAX_BYTES)
		return CLS_NONE;
	return CLS_WAIT;
}
