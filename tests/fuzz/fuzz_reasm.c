/*
 * fuzz_reasm.c - libFuzzer harness for reassembly/flow.c and tcp.c, and
 * through them the classifier, the decoders and the JSON writer.
 *
 * The input is a script of TCP segments over 1-3 flows between fixed
 * endpoints.  Small caps (2 flows, 64-192 KiB of memory, 256 bytes to
 * 8 KiB of depth, a 10 s timeout) make eviction, refusal and cuts happen
 * often.  Each segment is built as the IP packet pkt_parse() would have
 * seen (l3 and payload point into one buffer of the exact size), since
 * nDPI reads the headers.
 *
 *   byte 0   bits 0-1: flows - 1 (3 means 3); bit 2: IPv6; bit 3: mask
 *            usernames; bits 4-5: memcap 64/96/128/192 KiB; bit 6: one
 *            VLAN tag; bit 7: no nDPI (content probes alone classify)
 *   byte 1   depth: 256 * (byte % 32 + 1) bytes
 *   per flow two bytes: server port (index into ports[]; 161 makes the
 *            flow UDP, for reassembly/udp.c and the datagram decoders);
 *            ISNs, client in
 *            the low nibble, server in the high one (index into isns[];
 *            15: a big-endian 32-bit ISN follows, client first)
 *   then ops of at least three bytes:
 *     A  bits 0-1: flow (modulo flows); bit 2: sent by the server;
 *        bit 3: SYN; bit 4: ACK; bits 5-7: ctl[] (FIN, RST, or a time
 *        jump of k quarters of the timeout; else 1 ms passes)
 *     B  bits 6-7: sequence number: 0 the next unsent, 1 back
 *        8 * (k + 1), 2 ahead 64 * (k + 1), 3 the ISN plus a big-endian
 *        16-bit offset that follows; bits 4-5: acknowledgment the same
 *        way over the other side's sequence space (1 back 4 * (k + 1),
 *        2 ahead 32 * (k + 1)); bit 3: snaplen cut (payload_wire > len);
 *        bits 0-2: k
 *     C  bit 7: payload from dict[] (index C & 0x7f); else C & 0x7f bytes
 *        of the input follow (0x7f: a big-endian 16-bit length first)
 *
 * Checks: every finding has the shape the JSON writer relies on and is
 * stamped with the time of a packet of its own connection; every line
 * written is one strict, UTF-8-valid JSON object; the flow and memory caps
 * hold after every packet; every flow ends once; nothing leaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "../../decoders/classify.h"
#include "../../decoders/sasl.h"
#include "../../reassembly/flow.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_TEXT	1024
#define TS_BASE		1700000000000000ULL
#define TIMEOUT_US	10000000ULL
#define CLI_PORT	40001

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * Setting up nDPI takes ~10 ms, a hundred times a run.  The harness is
 * linked with --wrap for these two, so that one engine serves every run,
 * as one serves every flow of a capture in credleak.
 */
struct cls_engine *__real_cls_engine_new(void);
struct cls_engine *__wrap_cls_engine_new(void);
void __wrap_cls_engine_free(struct cls_engine *e);

static struct cls_engine *engine;

struct cls_engine *
__wrap_cls_engine_new(void)
{
	if (engine == NULL)
		engine = __real_cls_engine_new();
	return engine;
}

void
__wrap_cls_engine_free(struct cls_engine *e)
{
	(void)e;	/* kept for the next run; still reachable at exit */
}

/* Server ports: the decoders' hints and others. */
static const uint16_t ports[] = {
	25, 110, 587, 1110, 2525, 8080, 6379, 143,
	21, 80, 3128, 465, 993, 995, 443, 161,
};
#define UDP_PORT	161	/* a flow to this port is UDP: datagrams, no sequence */

/* ISNs, most of them close to 2^32 so that sequence numbers wrap. */
static const uint32_t isns[15] = {
	0xfffffffeu, 0xffffffffu, 0xfffffff0u, 0xffffffc0u, 0xfffff800u,
	0xffff0000u, 0xffffff00u, 0x7fffffffu, 0x80000000u, 0x80000010u,
	0, 1, 1000, 0x12345678u, 0xfffffffdu,
};

/* Bits 5-7 of A. */
#define JUMP	0x100
static const unsigned ctl[8] = {
	0, TH_FIN, TH_RST, 0, 0, TH_FIN, 0, JUMP
};

/* SMTP and POP3 lines, so that short inputs reach the decoders. */
static const char *const dict[] = {
	"220 x ESMTP\r\n",
	"EHLO a\r\n",
	"250-x\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n",
	"250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n",
	"AUTH PLAIN AGFsaWNlAHB3\r\n",
	"235 ok\r\n",
	"+OK hi\r\n",
	"USER a\r\n",
	"PASS b\r\n",
	"AUTH LOGIN\r\n",
	"334 VXNlcm5hbWU6\r\n",
	"YWxpY2U=\r\n",
	"cHc=\r\n",
	"535 no\r\n",
	"STARTTLS\r\n",
	"220 go ahead\r\n",
	"454 TLS not available\r\n",
	"\x16\x03\x01\x01\x05hello",
	"MAIL FROM:<a@b>\r\n",
	"RCPT TO:<c@d>\r\n",
	"250 ok\r\n",
	"DATA\r\n",
	"354 go\r\n",
	"body\r\n.\r\n",
	"BDAT 5 LAST\r\nhello",
	"QUIT\r\n",
	"221 bye\r\n",
	"250-XXXXXXXA\r\n250 AUTH=LOGIN\r\n",
	"AUTH CRAM-MD5\r\n",
	"334 PDEyMzQ1QHg+\r\n",
	"YWxpY2UgMDEyMzQ1Njc4OWFiY2RlZg==\r\n",
	"+OK POP3 ready <1.2@x>\r\n",
	"CAPA\r\n",
	"+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\nSTLS\r\n.\r\n",
	"STLS\r\n",
	"-ERR no\r\n",
	"APOP alice 0123456789abcdef0123456789abcdef\r\n",
	"AUTH PLAIN\r\n",
	"+ \r\n",
	"AGFsaWNlAHB3\r\n",
	"RETR 1\r\n",
	"+OK 5 octets\r\nx\r\n.\r\n",
	"*\r\n",
	"+PONG\r\n",
	"AUTH XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\r\n",
	"\r\n",
	"* OK IMAP4rev1 ready\r\n",
	"a1 LOGIN alice pw\r\n",
	"a1 OK done\r\n",
	"220 FTP ready\r\n",
	"331 password?\r\n",
	"230 in\r\n",
	"AUTH TLS\r\n",
	"CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: Basic YTpi\r\n\r\n",
	"HTTP/1.1 200 OK\r\n\r\n",
	"GET / HTTP/1.1\r\nAuthorization: Basic YTpi\r\n\r\n",
};

/* One op as the checks remember it. */
struct sent {
	uint64_t	ts;
	uint8_t		flow;
};

struct run {
	uint8_t		 family;
	uint16_t	 srv_port[3];
	size_t		 nflows;
	struct sent	*sent;
	size_t		 nsent;
};

static struct run *cur;
static bool print_json;		/* FUZZ_REASM_PRINT set: show the output */

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_reasm: invariant broken: %s\n", what);
	abort();
}

#define CHECK(cond)	do { if (!(cond)) fail(#cond); } while (0)

static void
check_text(const char *s)
{
	CHECK(s != NULL);
	CHECK(strnlen(s, MAX_TEXT) < MAX_TEXT);
}

/* Which of the script's flows a connection is, by its client port. */
static size_t
flow_of(const struct run *r, const struct flow_info *fi)
{
	size_t i;

	for (i = 0; i < r->nflows; i++) {
		if ((fi->cli_port == CLI_PORT + i &&
		    fi->srv_port == r->srv_port[i]) ||
		    (fi->srv_port == CLI_PORT + i &&
		    fi->cli_port == r->srv_port[i]))
			return i;
	}
	fail("finding for a connection the script never made");
	return 0;
}

static void
hook(void *arg, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	struct run *r = cur;
	volatile uint8_t sum = 0;
	size_t i, fl;
	bool found = false;

	(void)arg;
	CHECK(r != NULL);
	CHECK(fi->family == r->family);
	CHECK(fi->flow_id > 0);
	CHECK(fi->input != NULL && strcmp(fi->input, "fuzz") == 0);
	CHECK((unsigned)f->kind < K__COUNT);
	check_text(f->app_proto);
	if (f->mechanism != NULL)
		check_text(f->mechanism);
	if (f->reason != NULL)
		check_text(f->reason);
	CHECK(f->username_len <= SASL_USER_MAX);
	if (f->username == NULL)
		CHECK(f->username_len == 0);
	for (i = 0; f->username != NULL && i < f->username_len; i++)
		sum ^= f->username[i];
	(void)sum;
	CHECK(f->nmechs <= FINDING_MAX_MECHS);
	for (i = 0; i < f->nmechs; i++)
		check_text(f->mechs[i]);

	/*
	 * The time of a finding is that of the packet that completed it, or
	 * the last packet of its flow when the flow ends without one: in
	 * either case a packet of this very connection.
	 */
	fl = flow_of(r, fi);
	for (i = r->nsent; i > 0 && !found; i--)
		found = r->sent[i - 1].ts == ts_us && r->sent[i - 1].flow == fl;
	if (!found) {
		fprintf(stderr, "fuzz_reasm: finding %d for flow %zu stamped "
		    "%llu, not a time of that flow's packets\n", (int)f->kind,
		    fl, (unsigned long long)(ts_us - TS_BASE));
		fail("finding stamped with another flow's time");
	}
}

/* A cursor over the script; reads past the end give zeroes and stop it. */
struct script {
	const uint8_t	*p;
	size_t		 left;
	bool		 over;
};

static uint8_t
get8(struct script *s)
{
	if (s->left == 0) {
		s->over = true;
		return 0;
	}
	s->left--;
	return *s->p++;
}

static uint32_t
get16(struct script *s)
{
	uint32_t v = get8(s);

	return v << 8 | get8(s);
}

static uint32_t
get32(struct script *s)
{
	uint32_t v = get16(s);

	return v << 16 | get16(s);
}

static void
put16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
put32(uint8_t *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b + 2, v);
}

/* The IP header of p, `len` bytes of IP payload by its length field. */
static void
ip_header(const struct pkt *p, uint8_t *b, size_t len)
{
	if (p->family == 4) {
		b[0] = 0x45;
		put16(b + 2, (uint32_t)(20 + len));
		b[6] = 0x40;		/* don't fragment */
		b[8] = 64;
		b[9] = p->ipproto;
		memcpy(b + 12, p->src, 4);
		memcpy(b + 16, p->dst, 4);
	} else {
		b[0] = 0x60;
		put16(b + 4, (uint32_t)len);
		b[6] = p->ipproto;
		b[7] = 64;
		memcpy(b + 8, p->src, 16);
		memcpy(b + 24, p->dst, 16);
	}
}

/* Every line of the output: one strict JSON object, valid UTF-8. */
static void
check_json(const char *buf, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;
	const char *line = buf, *nl;

	if ((tok = json_tokener_new()) == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	while (line < buf + len) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		CHECK(nl != NULL);
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, line, (int)(nl - line));
		if (o == NULL || json_tokener_get_error(tok) !=
		    json_tokener_success ||
		    json_tokener_get_parse_end(tok) != (size_t)(nl - line)) {
			fprintf(stderr, "fuzz_reasm: bad JSON line: %.*s\n",
			    (int)(nl - line), line);
			fail("output line is not one valid JSON object");
		}
		CHECK(json_object_is_type(o, json_type_object));
		json_object_put(o);
		line = nl + 1;
	}
	json_tokener_free(tok);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	print_json = getenv("FUZZ_REASM_PRINT") != NULL;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t memcaps[4] = { 64, 96, 128, 192 };
	struct script s = { data, size, false };
	struct reasm_config cfg;
	struct alert_opts opts;
	struct alert_sink *sink;
	struct reasm *ra;
	struct run run;
	struct pkt p;
	const struct reasm_counters *rc;
	uint32_t isn[3][2], next[3][2], seq, ack, start, endseq;
	uint64_t ts = TS_BASE;
	uint8_t a, b, c, cfgb, depthb, fl, ib, *pkt, *th;
	const uint8_t *src;
	char *obuf = NULL;
	size_t i, n, hl, wire, obuflen = 0;
	unsigned flags, k;
	bool udp;
	FILE *out;
	int d;

	if (size < 3)
		return 0;
	cfgb = get8(&s);
	depthb = get8(&s);
	memset(&run, 0, sizeof(run));
	run.nflows = (cfgb & 3) == 0 ? 1 : (cfgb & 3) == 1 ? 2 : 3;
	run.family = (cfgb & 4) ? 6 : 4;
	for (i = 0; i < run.nflows; i++) {
		run.srv_port[i] = ports[get8(&s) % nitems(ports)];
		ib = get8(&s);
		isn[i][0] = (ib & 0x0f) == 0x0f ? get32(&s) : isns[ib & 0x0f];
		isn[i][1] = (ib >> 4) == 0x0f ? get32(&s) : isns[ib >> 4];
		next[i][0] = isn[i][0];
		next[i][1] = isn[i][1];
	}
	if (s.over)
		return 0;
	/* At most one op per three bytes. */
	if ((run.sent = calloc(size / 3 + 1, sizeof(*run.sent))) == NULL)
		abort();

	if ((out = open_memstream(&obuf, &obuflen)) == NULL)
		abort();
	memset(&opts, 0, sizeof(opts));
	opts.out = out;
	opts.mask_usernames = (cfgb & 8) != 0;
	opts.sensor = "fuzz";
	opts.hook = hook;
	if ((sink = alert_sink_new(&opts)) == NULL)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_flows = 2;
	cfg.memcap = memcaps[(cfgb >> 4) & 3] << 10;
	cfg.depth = 256 * ((uint64_t)(depthb % 32) + 1);
	cfg.timeout_us = TIMEOUT_US;
	cfg.no_ndpi = (cfgb & 0x80) != 0;
	if ((ra = reasm_new(&cfg, sink)) == NULL)
		abort();
	reasm_set_input(ra, "fuzz");
	cur = &run;

	for (;;) {
		a = get8(&s);
		b = get8(&s);
		c = get8(&s);
		if (s.over)
			break;
		fl = (uint8_t)((a & 3) % run.nflows);
		d = (a >> 2) & 1;
		flags = ctl[a >> 5];
		k = (b & 7) + 1;
		memset(&p, 0, sizeof(p));

		switch (b >> 6) {
		case 0:
			seq = next[fl][d];
			break;
		case 1:
			seq = next[fl][d] - 8 * k;
			break;
		case 2:
			seq = next[fl][d] + 64 * k;
			break;
		default:
			seq = isn[fl][d] + get16(&s);
			break;
		}
		switch ((b >> 4) & 3) {
		case 0:
			ack = next[fl][!d];
			break;
		case 1:
			ack = next[fl][!d] - 4 * k;
			break;
		case 2:
			ack = next[fl][!d] + 32 * k;
			break;
		default:
			ack = isn[fl][!d] + get16(&s);
			break;
		}
		if (c & 0x80) {
			src = (const uint8_t *)dict[(c & 0x7f) % nitems(dict)];
			n = strlen((const char *)src);
		} else {
			n = c & 0x7f;
			if (n == 0x7f)
				n = get16(&s);
			if (n > s.left)
				n = s.left;
			src = s.p;
			s.p += n;
			s.left -= n;
		}
		if (s.over)
			break;
		/* The IP length field holds what a snaplen cut leaves out. */
		udp = run.srv_port[fl] == UDP_PORT;
		hl = (run.family == 4 ? 20 : 40) + (udp ? 8 : 20);
		if (n > 0xffff - hl - 100)
			n = 0xffff - hl - 100;
		wire = (b & 8) ? n + 100 : n;

		/* Quarters of the timeout: one flow expires, not another. */
		ts += (flags & JUMP) ? k * (TIMEOUT_US / 4) : 1000;
		p.ts_us = ts;
		p.family = run.family;
		p.ipproto = udp ? 17 : 6;
		if (cfgb & 0x40) {
			p.nvlan = 1;
			p.vlan[0] = 42;
		}
		if (run.family == 4) {
			p.src[0] = p.dst[0] = 10;
			p.src[3] = d ? 2 : 1;
			p.dst[3] = d ? 1 : 2;
		} else {
			p.src[0] = p.dst[0] = 0xfd;
			p.src[15] = d ? 2 : 1;
			p.dst[15] = d ? 1 : 2;
		}
		p.sport = d ? run.srv_port[fl] : (uint16_t)(CLI_PORT + fl);
		p.dport = d ? (uint16_t)(CLI_PORT + fl) : run.srv_port[fl];
		p.seq = seq;
		p.ack = (a & 0x10) ? ack : 0;
		p.tcp_flags = (uint8_t)(((a & 0x08) ? TH_SYN : 0) |
		    ((a & 0x10) ? TH_ACK : 0) | (flags & (TH_FIN | TH_RST)));
		p.window = 65535;

		/* An exact-size buffer: ASan sees a read past the end. */
		if ((pkt = calloc(1, hl + n)) == NULL)
			abort();
		th = pkt + (run.family == 4 ? 20 : 40);
		ip_header(&p, pkt, (size_t)(hl - (run.family == 4 ? 20 : 40)) + wire);
		put16(th, p.sport);
		put16(th + 2, p.dport);
		if (udp) {
			/* RFC 768: no sequence, no flags; a datagram is whole. */
			put16(th + 4, (uint32_t)(8 + wire));
			p.seq = p.ack = 0;
			p.tcp_flags = 0;
			p.window = 0;
		} else {
			put32(th + 4, p.seq);
			put32(th + 8, p.ack);
			th[12] = 5 << 4;
			th[13] = p.tcp_flags;
			put16(th + 14, p.window);
		}
		if (n > 0)
			memcpy(pkt + hl, src, n);
		p.l3 = pkt;
		p.l3_len = hl + n;
		p.payload = pkt + hl;
		p.payload_len = n;
		p.payload_wire = wire;
		p.truncated = wire > n;

		run.sent[run.nsent].ts = ts;
		run.sent[run.nsent].flow = fl;
		run.nsent++;
		reasm_packet(ra, &p);
		free(pkt);
		/* The caps hold after every packet; nothing went negative. */
		rc = reasm_counters(ra);
		CHECK(rc->flows_active <= cfg.max_flows);
		CHECK(rc->mem_in_use <= cfg.memcap);

		/* What this side has sent so far, in its sequence space. */
		start = seq + ((a & 0x08) ? 1 : 0);
		endseq = start + (uint32_t)p.payload_wire +
		    ((p.tcp_flags & TH_FIN) ? 1 : 0);
		if ((int32_t)(endseq - next[fl][d]) > 0)
			next[fl][d] = endseq;
	}

	/* Every flow ends once, through flow_end(). */
	reasm_flush(ra);
	rc = reasm_counters(ra);
	CHECK(rc->flows_active == 0);
	CHECK(rc->ended_fin + rc->ended_rst + rc->ended_timeout +
	    rc->ended_evict + rc->ended_exit == rc->flows);
	reasm_free(ra);
	alert_sink_free(sink);
	cur = NULL;
	fclose(out);
	if (print_json)
		fwrite(obuf, 1, obuflen, stderr);
	check_json(obuf, obuflen);
	free(obuf);
	free(run.sent);
	return 0;
}
