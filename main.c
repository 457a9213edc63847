/*
 * main.c - credleak's entry point: options, wiring, signals, privileges and
 * the end-of-run summary.
 *
 * Data flows capture/ -> reassembly/ -> decoders/ -> alerts/; this file only
 * connects them: one flow table per worker, all writing to one alert sink.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alert.h"
#include "alerts/aggregate.h"
#include "alerts/fingerprint.h"
#include "capture/capture.h"
#include "capture/workers.h"
#include "reassembly/flow.h"

#ifndef CREDLEAK_VERSION
#define CREDLEAK_VERSION "dev"
#endif

#define EXIT_USAGE	1
#define EXIT_BADINPUT	2
#define LIVE_STATS_S	60	/* default interval of stats events when live */
#define LIVE_BUFFER	(32 << 20) /* default kernel ring per worker when live */

enum {
	OPT_MASK = 256,
	OPT_AGG_WINDOW,
	OPT_NO_AGG,
	OPT_AGG,
	OPT_POSTURE,
	OPT_REPORT,
	OPT_HOME_NET,
	OPT_LOCAL_DOMAINS,
	OPT_SENSOR,
	OPT_MAX_FLOWS,
	OPT_MEMCAP,
	OPT_DEPTH,
	OPT_TIMEOUT,
	OPT_VERSION,
	OPT_NO_PROMISC,
	OPT_BUFFER,
	OPT_WORKERS,
	OPT_STATS,
	OPT_ALLOW_ROOT,
	OPT_NO_NDPI,
	OPT_LIBPCAP_READER,
	OPT_SYSLOG,
	OPT_SYSLOG_FACILITY,
	OPT_FORMAT,
	OPT_SECRET_KEY
};

static const struct option longopts[] = {
	{ "read",		required_argument,	NULL, 'r' },
	{ "interface",		required_argument,	NULL, 'i' },
	{ "filter",		required_argument,	NULL, 'f' },
	{ "output",		required_argument,	NULL, 'o' },
	{ "user",		required_argument,	NULL, 'u' },
	{ "group",		required_argument,	NULL, 'g' },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "mask-usernames",	no_argument,		NULL, OPT_MASK },
	{ "aggregate-window",	required_argument,	NULL, OPT_AGG_WINDOW },
	{ "no-aggregate",	no_argument,		NULL, OPT_NO_AGG },
	{ "aggregate",		no_argument,		NULL, OPT_AGG },
	{ "posture-interval",	required_argument,	NULL, OPT_POSTURE },
	{ "report",		no_argument,		NULL, OPT_REPORT },
	{ "home-net",		required_argument,	NULL, OPT_HOME_NET },
	{ "local-domains",	required_argument,	NULL, OPT_LOCAL_DOMAINS },
	{ "sensor",		required_argument,	NULL, OPT_SENSOR },
	{ "max-flows",		required_argument,	NULL, OPT_MAX_FLOWS },
	{ "memcap",		required_argument,	NULL, OPT_MEMCAP },
	{ "depth",		required_argument,	NULL, OPT_DEPTH },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ "no-promisc",		no_argument,		NULL, OPT_NO_PROMISC },
	{ "buffer-size",	required_argument,	NULL, OPT_BUFFER },
	{ "workers",		required_argument,	NULL, OPT_WORKERS },
	{ "stats-interval",	required_argument,	NULL, OPT_STATS },
	{ "allow-root",		no_argument,		NULL, OPT_ALLOW_ROOT },
	{ "no-ndpi",		no_argument,		NULL, OPT_NO_NDPI },
	{ "libpcap-reader",	no_argument,		NULL, OPT_LIBPCAP_READER },
	{ "syslog",		required_argument,	NULL, OPT_SYSLOG },
	{ "syslog-facility",	required_argument,	NULL, OPT_SYSLOG_FACILITY },
	{ "format",		required_argument,	NULL, OPT_FORMAT },
	{ "secret-key-file",	required_argument,	NULL, OPT_SECRET_KEY },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ NULL,			0,			NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: credleak [options] -r FILE [FILE...]\n"
"       credleak [options] -i IFACE -u USER\n"
"\n"
"Reads pcap or pcapng captures (\"-\" is standard input), or listens on an\n"
"interface, and writes one JSON line per finding: cleartext logins and\n"
"challenge-response logins (SMTP, POP3, IMAP, FTP, HTTP, LDAP, SNMP, Telnet,\n"
"rlogin, IRC, NNTP, Redis, MQTT, SOCKS, PostgreSQL, MySQL), cleartext AUTH\n"
"offered, STARTTLS absent, unused, refused or stripped, weak TLS, mail\n"
"accepted without authentication; per-server posture at the end.\n"
"Passwords and their encodings are never printed.\n"
"\n"
"Input:\n"
"  -r, --read FILE        capture to read; repeat, or list several files\n"
"  -i, --interface IFACE  listen live (also \"any\")\n"
"  -f, --filter BPF       capture filter, live or offline\n"
"      --no-promisc       do not put the interface in promiscuous mode\n"
"      --buffer-size N    kernel capture buffer per worker (default 32M)\n"
"      --libpcap-reader   let libpcap read every record of a classic pcap\n"
"                         file too (slower; by default credleak reads\n"
"                         them in place once libpcap has opened the file)\n"
"      --workers N        worker threads, each with its own flow table\n"
"                         (default: the number of cores live, 1 offline)\n"
"Output:\n"
"  -o, --output FILE      append JSON lines to FILE (mode 0640; reopened on\n"
"                         SIGHUP) instead of standard output\n"
"      --mask-usernames   print usernames masked (first letter, @domain)\n"
"      --sensor NAME      sensor name in every event (default: host name)\n"
"      --stats-interval S a stats event every S seconds (default %d live,\n"
"                         none offline; 0: none) and one at exit\n"
"      --syslog SPEC      also send each line as an RFC 5424 message to\n"
"                         unix[:PATH] (default /dev/log), udp://HOST:PORT or\n"
"                         tcp://HOST:PORT (queued while the collector is\n"
"                         down); repeat for several targets\n"
"      --syslog-facility NAME  facility of those messages (default local0)\n"
"      --format eve|ecs   field names: eve, the contract's (default), or ecs,\n"
"                         Elastic Common Schema 8.x (also on syslog)\n"
"      --secret-key-file F  add credential.secret_fingerprint, HMAC-SHA-256\n"
"                         of each password under the key in F (>= 16 bytes,\n"
"                         not readable by others) cut to 128 bits, so reuse\n"
"                         can be correlated; without it, no fingerprint\n"
"      --aggregate-window S  a finding repeated within S seconds (packet\n"
"                         time) is written once, then as one summary with\n"
"                         its count when the window closes (default 3600\n"
"                         live, the whole run offline)\n"
"      --aggregate        offline, fold repeated logins too (by default\n"
"                         offline folds only the per-server findings,\n"
"                         cleartext_auth_offered and starttls_not_offered;\n"
"                         live folds every finding)\n"
"      --no-aggregate     one line per session and finding, no summaries\n"
"      --posture-interval S  live: a posture event per server every S\n"
"                         seconds (default 3600); always one at the end\n"
"      --report           print the servers, worst first, with what to fix,\n"
"                         on standard output instead of JSON (JSON still\n"
"                         goes to -o and --syslog)\n"
"      --home-net CIDR,...  our networks (IPv4/IPv6), for judging mail\n"
"                         accepted without AUTH (inbound, open relay)\n"
"      --local-domains D,...  our mail domains, for the same judgement\n"
"  -q, --quiet            no summary on standard error\n"
"Limits:\n"
"      --max-flows N      flows tracked at once per worker (default %d)\n"
"      --memcap BYTES     flows, buffers and decoder state per worker (default %u)\n"
"      --depth BYTES      bytes inspected per direction of a flow (default %u)\n"
"      --timeout SECONDS  idle time that ends a flow (default %d)\n"
"      --no-ndpi          choose decoders by content and ports only\n"
"Privileges (live):\n"
"  -u, --user USER        drop root for USER once the capture is open\n"
"  -g, --group GROUP      and for GROUP (default: USER's group)\n"
"      --allow-root       keep running as root (not recommended)\n"
"\n"
"  -h, --help             this text\n"
"      --version          print the version\n"
"\n"
"Signals: INT and TERM stop cleanly, HUP reopens the output file, USR1\n"
"writes a stats event.  Exit status: 0 done, 1 usage or set-up error, 2 an\n"
"input could not be read to its end (findings before the fault are written).\n",
	    LIVE_STATS_S, REASM_DEFAULT_MAX_FLOWS, REASM_DEFAULT_MEMCAP,
	    REASM_DEFAULT_DEPTH, REASM_DEFAULT_TIMEOUT_S);
}

/* A positive number with an optional k/M/G suffix (powers of 1024). */
static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: return -1;
	}
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* --- workers ------------------------------------------------------------- */

/* One flow table and what it has counted. */
struct wctx {
	struct reasm		*reasm;
	struct worker_def	*def;
	struct workers		*ws;		/* live: for the snapshot lock */
	bool			 live;
	uint64_t		 last_snap;
	struct reasm_counters	 snap_rc;	/* copies for stats, under the lock */
	struct dec_counters	 snap_dc;
	struct pkt_counters	 snap_pc;
};

static uint64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
on_packet(const struct pkt *p, void *arg)
{
	struct wctx *w = arg;

	reasm_packet(w->reasm, p);
}

/* Live: the wall clock ends idle flows; counters are copied for stats. */
static void
on_tick(void *arg)
{
	struct wctx *w = arg;
	uint64_t now = wall_us();

	if (!w->live)
		return;
	reasm_tick(w->reasm, now);
	if (now - w->last_snap < 500000 || w->ws == NULL)
		return;
	w->last_snap = now;
	workers_lock(w->ws);
	w->snap_rc = *reasm_counters(w->reasm);
	w->snap_dc = *reasm_dec_counters(w->reasm);
	w->snap_pc = w->def->counters;
	workers_unlock(w->ws);
}

static void
on_packets(const struct pkt *p, size_t n, void *arg)
{
	struct wctx *w = arg;

	reasm_packets(w->reasm, p, n);
}

static void
dispatch(const struct pkt *p, size_t n, void *arg)
{
	workers_offline_packets(arg, p, n);
}

/* --- totals ------------------------------------------------------------- */

#define ADD(f)	(t->f += s->f)

static void
sum_pc(struct pkt_counters *t, const struct pkt_counters *s)
{
	ADD(packets); ADD(bytes); ADD(tcp); ADD(udp); ADD(not_ip); ADD(not_tcp);
	ADD(fragments); ADD(bad_link); ADD(bad_ip); ADD(bad_tcp); ADD(bad_udp);
	ADD(truncated);
}

static void
sum_rc(struct reasm_counters *t, const struct reasm_counters *s)
{
	ADD(flows); ADD(flows_decoded); ADD(flows_ignored); ADD(by_ndpi);
	ADD(by_content); ADD(tunnels); ADD(flows_active); ADD(flows_active_max);
	ADD(udp_flows); ADD(udp_unclaimed); ADD(udp_evicted); ADD(ndpi_flows);
	ADD(ended_fin); ADD(ended_rst); ADD(ended_timeout); ADD(ended_evict);
	ADD(ended_exit); ADD(no_flow); ADD(retransmissions); ADD(overlap_diff);
	ADD(gaps); ADD(gap_bytes); ADD(window_overflow); ADD(depth_reached);
	ADD(memcap_evictions); ADD(memcap_refused); ADD(mem_in_use); ADD(mem_peak);
}

static void
sum_dc(struct dec_counters *t, const struct dec_counters *s)
{
	ADD(line_overflow); ADD(bad_base64); ADD(bad_sasl); ADD(unmatched_reply);
	ADD(pipeline_overflow); ADD(nul_in_line); ADD(gaps); ADD(mismatch);
	ADD(bad_framing);
}

#undef ADD

struct totals {
	struct pkt_counters	pc;
	struct reasm_counters	rc;
	struct dec_counters	dc;
	struct live_stats	ks;
	uint64_t		iface_errors;
};

/* Peak resident memory of this process in KiB (Linux VmHWM), 0 if unknown. */
static unsigned long
peak_rss_kib(void)
{
	char line[128];
	unsigned long kib = 0;
	FILE *fp;

	if ((fp = fopen("/proc/self/status", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmHWM: %lu kB", &kib) == 1)
			break;
	fclose(fp);
	return kib;
}

static void
summary(const struct totals *t, struct alert_sink *sink, double secs,
    bool live)
{
	const struct reasm_counters *c = &t->rc;
	const struct dec_counters *d = &t->dc;
	const struct pkt_counters *p = &t->pc;
	uint64_t total = 0;
	int k;

	fprintf(stderr, "credleak: %" PRIu64 " packets, %" PRIu64 " bytes, %"
	    PRIu64 " TCP, %" PRIu64 " UDP; %" PRIu64 " flows (%" PRIu64
	    " decoded, %" PRIu64 " ignored, %" PRIu64 " at once at most); %"
	    PRIu64 " UDP flows decoded, %" PRIu64 " datagrams unclaimed, %"
	    PRIu64 " evicted\n",
	    p->packets, p->bytes, p->tcp, p->udp, c->flows, c->flows_decoded,
	    c->flows_ignored, c->flows_active_max, c->udp_flows,
	    c->udp_unclaimed, c->udp_evicted);
	if (live)
		fprintf(stderr, "credleak: kernel: received %" PRIu64 ", dropped %"
		    PRIu64 ", dropped by the interface %" PRIu64
		    "; interface failures %" PRIu64 "\n", t->ks.received,
		    t->ks.dropped, t->ks.if_dropped, t->iface_errors);
	fprintf(stderr, "credleak: decoders chosen by nDPI %" PRIu64 ", by content %"
	    PRIu64 "; nDPI consulted on %" PRIu64 " flows; tunnels %" PRIu64 "\n",
	    c->by_ndpi, c->by_content, c->ndpi_flows, c->tunnels);
	fprintf(stderr, "credleak: alerts:");
	for (k = 0; k < K__COUNT; k++) {
		uint64_t n = alert_count(sink, (enum finding_kind)k);

		total += n;
		if (n > 0)
			fprintf(stderr, " %s=%" PRIu64, finding_kind_name((enum finding_kind)k), n);
	}
	fprintf(stderr, "%s (total %" PRIu64 ")\n", total ? "" : " none", total);
	fprintf(stderr, "credleak: flows ended by FIN %" PRIu64 ", RST %" PRIu64
	    ", idle timeout %" PRIu64 ", eviction %" PRIu64 ", end of input %"
	    PRIu64 "\n", c->ended_fin, c->ended_rst, c->ended_timeout,
	    c->ended_evict, c->ended_exit);
	fprintf(stderr, "credleak: gaps %" PRIu64 " (%" PRIu64 " bytes), "
	    "retransmissions %" PRIu64 ", overlaps differing %" PRIu64
	    ", window overflows %" PRIu64 ", depth cuts %" PRIu64
	    ", evictions %" PRIu64 ", refused %" PRIu64 "\n",
	    c->gaps, c->gap_bytes, c->retransmissions, c->overlap_diff,
	    c->window_overflow, c->depth_reached, c->memcap_evictions,
	    c->memcap_refused);
	fprintf(stderr, "credleak: anomalies: not-ip %" PRIu64 ", not-tcp %"
	    PRIu64 ", fragments %" PRIu64 ", bad-link %" PRIu64 ", bad-ip %"
	    PRIu64 ", bad-tcp %" PRIu64 ", bad-udp %" PRIu64 ", truncated %" PRIu64
	    "; decoders: long-lines %" PRIu64 ", bad-base64 %" PRIu64
	    ", bad-sasl %" PRIu64 ", unmatched-replies %" PRIu64
	    ", pipeline-overflow %" PRIu64 ", nul %" PRIu64 ", mismatch %"
	    PRIu64 ", bad-framing %" PRIu64 "\n",
	    p->not_ip, p->not_tcp, p->fragments, p->bad_link, p->bad_ip,
	    p->bad_tcp, p->bad_udp, p->truncated, d->line_overflow, d->bad_base64,
	    d->bad_sasl, d->unmatched_reply, d->pipeline_overflow,
	    d->nul_in_line, d->mismatch, d->bad_framing);
	fprintf(stderr, "credleak: memory peak %" PRIu64 " KiB (flows, buffers, "
	    "decoders), peak RSS %lu KiB; %.3f s, %.1f Mbit/s, %.3f Mpackets/s\n",
	    c->mem_peak >> 10, peak_rss_kib(), secs,
	    secs > 0 ? (double)p->bytes * 8 / secs / 1e6 : 0.0,
	    secs > 0 ? (double)p->packets / secs / 1e6 : 0.0);
	alert_sink_syslog_print(sink, stderr);
}

static void
stats_event(struct alert_sink *sink, const struct totals *t, const char *input,
    unsigned nworkers, const struct worker_def *defs, bool final)
{
	struct stats_event e;
	unsigned i;
	int k;

	memset(&e, 0, sizeof(e));
	e.ts_us = wall_us();
	e.input = input;
	e.final = final;
	e.packets = t->pc.packets;
	e.bytes = t->pc.bytes;
	e.flows = t->rc.flows;
	e.flows_active = t->rc.flows_active;
	for (k = 0; k < K__COUNT; k++)
		e.alerts += alert_count(sink, (enum finding_kind)k);
	e.gaps = t->rc.gaps;
	e.gap_bytes = t->rc.gap_bytes;
	e.evictions = t->rc.memcap_evictions;
	e.mem_in_use = t->rc.mem_in_use;
	e.mem_peak = t->rc.mem_peak;
	e.anomalies = t->pc.bad_link + t->pc.bad_ip + t->pc.bad_tcp +
	    t->dc.line_overflow + t->dc.bad_base64 + t->dc.bad_sasl;
	e.nworkers = nworkers < STATS_MAX_WORKERS ? nworkers : STATS_MAX_WORKERS;
	for (i = 0; defs != NULL && i < e.nworkers; i++) {
		e.worker[i].received = defs[i].kstats.received;
		e.worker[i].dropped = defs[i].kstats.dropped;
		e.worker[i].if_dropped = defs[i].kstats.if_dropped;
		e.worker[i].packets = defs[i].counters.packets;
	}
	alert_emit_stats(sink, &e);
}

/* --- privileges and signals ---------------------------------------------- */

/*
 * Give up root for user (and group); false with a message on failure.  The
 * output file, opened as root, is handed over first so SIGHUP can reopen it.
 */
static bool
drop_privileges(const char *user, const char *group, struct alert_sink *sink)
{
	struct passwd *pw = NULL;
	struct group *gr;
	gid_t gid;

	if (user != NULL && (pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "credleak: no such user '%s'\n", user);
		return false;
	}
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			fprintf(stderr, "credleak: no such group '%s'\n", group);
			return false;
		}
		gid = gr->gr_gid;
	} else if (pw != NULL)
		gid = pw->pw_gid;
	else
		return true;
	if (alert_sink_chown(sink, pw != NULL ? pw->pw_uid : (uid_t)-1, gid) != 0)
		fprintf(stderr, "credleak: cannot give the output file to %s: %s\n",
		    user != NULL ? user : group, strerror(errno));
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 ||
	    (pw != NULL && setuid(pw->pw_uid) != 0)) {
		fprintf(stderr, "credleak: cannot drop privileges: %s\n",
		    strerror(errno));
		return false;
	}
	/* Make sure there is no way back. */
	if (pw != NULL && pw->pw_uid != 0 && setuid(0) == 0) {
		fprintf(stderr, "credleak: privileges could be regained; stopping\n");
		return false;
	}
	return true;
}

/* --- the run ------------------------------------------------------------- */

struct opts {
	const char		**inputs;
	size_t			 ninputs;
	struct live_opts	 live;
	const char		*outpath;
	const char		*user, *group;
	const char		**syslog;	/* --syslog SPECs */
	size_t			 nsyslog;
	int			 facility;
	unsigned		 workers;
	uint64_t		 stats_s;
	bool			 stats_set, quiet, allow_root;
	unsigned		 capture_flags;	/* capture_file() flags */
};

static void
collect(struct totals *t, struct wctx *w, unsigned n, bool snapshots)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (snapshots) {
			sum_rc(&t->rc, &w[i].snap_rc);
			sum_dc(&t->dc, &w[i].snap_dc);
			sum_pc(&t->pc, &w[i].snap_pc);
		} else {
			sum_rc(&t->rc, reasm_counters(w[i].reasm));
			sum_dc(&t->dc, reasm_dec_counters(w[i].reasm));
		}
		t->ks.received += w[i].def->kstats.received;
		t->ks.dropped += w[i].def->kstats.dropped;
		t->ks.if_dropped += w[i].def->kstats.if_dropped;
		t->iface_errors += w[i].def->iface_errors;
	}
}

/* Offline: every file in turn, through n workers. */
static int
run_offline(const struct opts *o, struct wctx *w, struct worker_def *defs,
    unsigned n, struct totals *t)
{
	struct workers *ws = NULL;
	char errbuf[512];
	int status = 0;
	size_t i;

	if (n > 1 && (ws = workers_offline_start(defs, n)) == NULL) {
		fprintf(stderr, "credleak: cannot start %u workers\n", n);
		return EXIT_FAILURE;
	}
	/*
	 * Flows carry over from one file to the next, so a capture rotated
	 * into several files (tcpdump -C/-G) is followed across the cut;
	 * unrelated files are told apart by time, through the idle timeout.
	 */
	for (i = 0; i < o->ninputs; i++) {
		const char *in = o->inputs[i];
		const char *name = strcmp(in, "-") == 0 ? "stdin" : in;
		unsigned k;

		for (k = 0; k < n; k++)
			reasm_set_input(w[k].reasm, name);
		if (capture_file(in, o->live.filter, o->capture_flags,
		    n > 1 ? dispatch : on_packets,
		    n > 1 ? (void *)ws : (void *)&w[0], &t->pc, errbuf,
		    sizeof(errbuf)) != 0) {
			fprintf(stderr, "credleak: %s\n", errbuf);
			status = EXIT_BADINPUT;
		}
		if (ws != NULL && i + 1 < o->ninputs) {
			/* The next file's name goes with its packets: drain first. */
			workers_offline_finish(ws);
			ws = workers_offline_start(defs, n);
		}
	}
	if (ws != NULL)
		workers_offline_finish(ws);
	return status;
}

static volatile sig_atomic_t got_stop, got_hup, got_usr1;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_stop = 1;
}

/* Live: workers on the interface until INT or TERM. */
static int
run_live(const struct opts *o, struct wctx *w, struct worker_def *defs,
    unsigned n, struct alert_sink *sink)
{
	struct workers *ws;
	struct sigaction sa;
	char errbuf[512];
	double next_stats;
	unsigned i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	if ((ws = workers_live_start(defs, n, &o->live, errbuf, sizeof(errbuf))) == NULL) {
		fprintf(stderr, "credleak: %s\n", errbuf);
		return EXIT_FAILURE;
	}
	for (i = 0; i < n; i++)
		w[i].ws = ws;
	/* The capture is open: root is no longer needed. */
	if (geteuid() == 0) {
		if (o->user != NULL || o->group != NULL) {
			if (!drop_privileges(o->user, o->group, sink)) {
				workers_live_stop(ws);
				return EXIT_FAILURE;
			}
		} else if (!o->allow_root) {
			fprintf(stderr, "credleak: refusing to keep running as root "
			    "once the capture is open: give -u USER (or --allow-root)\n");
			workers_live_stop(ws);
			return EXIT_FAILURE;
		}
	}
	if (!o->quiet)
		fprintf(stderr, "credleak: listening on %s with %u worker%s\n",
		    o->live.iface, n, n == 1 ? "" : "s");
	next_stats = o->stats_s > 0 ? mono_s() + (double)o->stats_s : 0;
	while (!got_stop) {
		usleep(100000);
		alert_sink_syslog_tick(sink);	/* a quiet link still reconnects */
		agg_tick(alert_sink_agg(sink), sink, wall_us());
		if (got_hup) {
			got_hup = 0;
			if (alert_sink_reopen(sink) != 0)
				fprintf(stderr, "credleak: cannot reopen the output: %s\n",
				    strerror(errno));
		}
		if (got_usr1 || (next_stats > 0 && mono_s() >= next_stats)) {
			struct totals now;

			memset(&now, 0, sizeof(now));
			workers_lock(ws);
			collect(&now, w, n, true);
			workers_unlock(ws);
			stats_event(sink, &now, o->live.iface, n, defs, false);
			got_usr1 = 0;
			if (next_stats > 0)
				next_stats = mono_s() + (double)o->stats_s;
		}
	}
	workers_live_stop(ws);
	return 0;
}

int
main(int argc, char **argv)
{
	struct reasm_config cfg = { 0 };
	struct alert_opts aopts = { 0 };
	struct worker_def *defs = NULL;
	struct alert_sink *sink;
	struct agg_opts ag = { .aggregate = true, .posture = true };
	int64_t agg_window_s = -1, posture_s = -1;	/* -1: the default */
	bool agg_all = false;		/* --aggregate or a window: fold logins offline too */
	bool report = false;
	struct agg *agg;
	struct secret_key *key = NULL;
	const char *keypath = NULL;
	struct wctx *w = NULL;
	struct totals t;
	struct opts o;
	uint64_t v;
	unsigned i;
	int c, status = 0;
	double t0;
	bool live;

	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	o.live.promisc = true;
	o.facility = -1;
	if ((o.inputs = calloc((size_t)argc + 1, sizeof(*o.inputs))) == NULL ||
	    (o.syslog = calloc((size_t)argc + 1, sizeof(*o.syslog))) == NULL) {
		free(o.inputs);
		return EXIT_FAILURE;
	}
	while ((c = getopt_long(argc, argv, "r:i:f:o:u:g:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.inputs[o.ninputs++] = optarg; break;
		case 'i': o.live.iface = optarg; break;
		case 'f': o.live.filter = optarg; break;
		case 'o': o.outpath = optarg; break;
		case 'u': o.user = optarg; break;
		case 'g': o.group = optarg; break;
		case 'q': o.quiet = true; break;
		case OPT_MASK: aopts.mask_usernames = true; break;
		case OPT_SENSOR: aopts.sensor = optarg; break;
		case OPT_NO_PROMISC: o.live.promisc = false; break;
		case OPT_ALLOW_ROOT: o.allow_root = true; break;
		case OPT_NO_NDPI: cfg.no_ndpi = true; break;
		case OPT_LIBPCAP_READER: o.capture_flags |= CAPTURE_LIBPCAP_READER; break;
		case OPT_NO_AGG: ag.aggregate = false; break;
		case OPT_AGG: agg_all = true; break;
		case OPT_REPORT: report = true; break;
		case OPT_HOME_NET: ag.home_net = optarg; break;
		case OPT_LOCAL_DOMAINS: ag.local_domains = optarg; break;
		case OPT_AGG_WINDOW:
		case OPT_POSTURE:
			/* Seconds; at most ten years, so microseconds fit. */
			if (parse_size(optarg, &v) != 0 || v > 315360000u ||
			    (v == 0 && c == OPT_AGG_WINDOW)) {
				fprintf(stderr, "credleak: bad number '%s'\n", optarg);
				usage(stderr);
				free(o.inputs);
				free(o.syslog);
				return EXIT_USAGE;
			}
			if (c == OPT_AGG_WINDOW) {
				agg_window_s = (int64_t)v;
				agg_all = true;
			} else
				posture_s = (int64_t)v;
			break;
		case OPT_SYSLOG: o.syslog[o.nsyslog++] = optarg; break;
		case OPT_SECRET_KEY: keypath = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "eve") == 0)
				aopts.format = ALERT_FORMAT_EVE;
			else if (strcmp(optarg, "ecs") == 0)
				aopts.format = ALERT_FORMAT_ECS;
			else {
				fprintf(stderr, "credleak: unknown format '%s' "
				    "(eve or ecs)\n", optarg);
				usage(stderr);
				free(o.inputs);
				free(o.syslog);
				return EXIT_USAGE;
			}
			break;
		case OPT_SYSLOG_FACILITY:
			if ((o.facility = syslog_facility(optarg)) < 0) {
				fprintf(stderr, "credleak: unknown facility '%s'\n",
				    optarg);
				usage(stderr);
				free(o.inputs);
				free(o.syslog);
				return EXIT_USAGE;
			}
			break;
		case OPT_MAX_FLOWS:
		case OPT_MEMCAP:
		case OPT_DEPTH:
		case OPT_TIMEOUT:
		case OPT_BUFFER:
		case OPT_WORKERS:
		case OPT_STATS:
			if (parse_size(optarg, &v) != 0 || (v == 0 && c != OPT_STATS) ||
			    (c == OPT_WORKERS && v > WORKERS_MAX) ||
			    (c == OPT_BUFFER && v > (1u << 30))) {
				fprintf(stderr, "credleak: bad number '%s'\n", optarg);
				usage(stderr);
				free(o.inputs);
				free(o.syslog);
				return EXIT_USAGE;
			}
			if (c == OPT_MAX_FLOWS)
				cfg.max_flows = (size_t)v;
			else if (c == OPT_MEMCAP)
				cfg.memcap = (size_t)v;
			else if (c == OPT_DEPTH)
				cfg.depth = v;
			else if (c == OPT_TIMEOUT)
				cfg.timeout_us = v * 1000000;
			else if (c == OPT_BUFFER)
				o.live.buffer_bytes = (int)v;
			else if (c == OPT_WORKERS)
				o.workers = (unsigned)v;
			else {
				o.stats_s = v;
				o.stats_set = true;
			}
			break;
		case 'h':
			usage(stdout);
			free(o.inputs);
			free(o.syslog);
			return 0;
		case OPT_VERSION:
			printf("credleak %s\n", CREDLEAK_VERSION);
			free(o.inputs);
			free(o.syslog);
			return 0;
		default:
			usage(stderr);
			free(o.inputs);
			free(o.syslog);
			return EXIT_USAGE;
		}
	}
	/* "-r a.pcap b.pcap": the files after the options are inputs too. */
	for (; optind < argc; optind++)
		o.inputs[o.ninputs++] = argv[optind];
	live = o.live.iface != NULL;
	if ((o.ninputs == 0) == !live) {
		fprintf(stderr, "credleak: %s\n", live ? "give -i or -r, not both" :
		    "no input: give -r FILE or -i IFACE");
		usage(stderr);
		free(o.inputs);
		free(o.syslog);
		return EXIT_USAGE;
	}
	if (o.workers == 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		o.workers = live && ncpu > 0 ? (unsigned)(ncpu < WORKERS_MAX ? ncpu : WORKERS_MAX) : 1;
	}
	if (live && !o.stats_set)
		o.stats_s = LIVE_STATS_S;
	/*
	 * Immediate mode keeps findings from waiting on a quiet link, but it
	 * takes libpcap's fixed-slot ring: give it room for bursts.
	 */
	if (live && o.live.buffer_bytes == 0)
		o.live.buffer_bytes = LIVE_BUFFER;

	/* Read before privileges go; the message never quotes the key. */
	if (keypath != NULL) {
		char err[256];

		if ((key = secret_key_load(keypath, err, sizeof(err))) == NULL) {
			fprintf(stderr, "credleak: --secret-key-file %s: %s\n",
			    keypath, err);
			free(o.inputs);
			free(o.syslog);
			return EXIT_USAGE;
		}
		aopts.secret_key = key;
	}
	aopts.out = report ? NULL : stdout;	/* --report: the text instead */
	aopts.path = o.outpath != NULL && strcmp(o.outpath, "-") != 0 ? o.outpath : NULL;
	if ((sink = alert_sink_new(&aopts)) == NULL) {
		fprintf(stderr, "credleak: %s: %s\n", aopts.path != NULL ?
		    aopts.path : "output", strerror(errno));
		secret_key_free(key);
		free(o.inputs);
		free(o.syslog);
		return EXIT_USAGE;
	}
	{
		char err[256];

		/*
		 * Live, every finding is aggregated and windows close on the
		 * hour.  Offline, only what describes a server (the contract
		 * allows those once per server and run): an analyst going
		 * through captures wants each session's login, unless
		 * --aggregate or a window asks to fold them too.
		 */
		ag.per_server_only = !live && !agg_all;
		ag.window_us = (uint64_t)(agg_window_s >= 0 ? agg_window_s :
		    live ? AGG_LIVE_WINDOW_S : 0) * 1000000;
		ag.posture_us = live ? (uint64_t)(posture_s >= 0 ? posture_s :
		    AGG_POSTURE_S) * 1000000 : 0;
		ag.mask = aopts.mask_usernames;
		if ((agg = agg_new(&ag, err, sizeof(err))) == NULL) {
			fprintf(stderr, "credleak: %s\n", err);
			status = EXIT_USAGE;
			goto out;
		}
		alert_sink_set_agg(sink, agg);
	}
	for (i = 0; i < o.nsyslog; i++) {
		char err[256];

		if (alert_sink_add_syslog(sink, o.syslog[i], o.facility, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "credleak: --syslog %s: %s\n",
			    o.syslog[i], err);
			status = EXIT_USAGE;
			goto out;
		}
	}
	defs = calloc(o.workers, sizeof(*defs));
	w = calloc(o.workers, sizeof(*w));
	for (i = 0; defs != NULL && w != NULL && i < o.workers; i++) {
		struct reasm_config wc = cfg;

		/* Flow ids stay unique across workers: i + 1, i + 1 + n, ... */
		wc.id_base = i;
		wc.id_step = o.workers;
		if ((w[i].reasm = reasm_new(&wc, sink)) == NULL)
			break;
		w[i].def = &defs[i];
		w[i].live = live;
		defs[i].cb = on_packet;
		defs[i].batch = on_packets;
		defs[i].tick = on_tick;
		defs[i].arg = &w[i];
	}
	if (defs == NULL || w == NULL || i < o.workers) {
		fprintf(stderr, "credleak: out of memory\n");
		status = EXIT_FAILURE;
		goto out;
	}

	t0 = mono_s();
	if (live)
		status = run_live(&o, w, defs, o.workers, sink);
	else
		status = run_offline(&o, w, defs, o.workers, &t);
	for (i = 0; i < o.workers; i++)
		reasm_flush(w[i].reasm);
	/* Offline the reading thread parsed; live or threaded, the workers did. */
	for (i = 0; i < o.workers; i++)
		sum_pc(&t.pc, &defs[i].counters);
	collect(&t, w, o.workers, false);
	/* Open summaries and posture, before the final stats and syslog close. */
	agg_end(alert_sink_agg(sink), sink);
	if (report)
		agg_report(alert_sink_agg(sink), stdout);
	if (live || o.stats_set)
		stats_event(sink, &t, live ? o.live.iface : "offline", o.workers,
		    defs, true);
	alert_sink_syslog_close(sink);	/* sends what is queued, 2 s at most */
	if (!o.quiet)
		summary(&t, sink, mono_s() - t0, live);
out:
	for (i = 0; w != NULL && i < o.workers; i++)
		reasm_free(w[i].reasm);
	free(w);
	free(defs);
	if (alert_sink_free(sink) != 0) {
		fprintf(stderr, "credleak: %s: %s\n", o.outpath, strerror(errno));
		status = EXIT_FAILURE;
	}
	secret_key_free(key);	/* wiped: explicit_bzero */
	free(o.inputs);
	free(o.syslog);
	return status;
}
