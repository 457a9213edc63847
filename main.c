/*
 * main.c - credleak's entry point: options, wiring, the end-of-run summary.
 *
 * Data flows capture/ -> reassembly/ -> decoders/ -> alerts/; this file only
 * connects them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "alerts/alert.h"
#include "capture/capture.h"
#include "reassembly/flow.h"

#ifndef CREDLEAK_VERSION
#define CREDLEAK_VERSION "dev"
#endif

#define EXIT_USAGE	1
#define EXIT_BADINPUT	2

enum {
	OPT_MASK = 256,
	OPT_SENSOR,
	OPT_MAX_FLOWS,
	OPT_MEMCAP,
	OPT_DEPTH,
	OPT_TIMEOUT,
	OPT_VERSION
};

static const struct option longopts[] = {
	{ "read",		required_argument,	NULL, 'r' },
	{ "output",		required_argument,	NULL, 'o' },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "mask-usernames",	no_argument,		NULL, OPT_MASK },
	{ "sensor",		required_argument,	NULL, OPT_SENSOR },
	{ "max-flows",		required_argument,	NULL, OPT_MAX_FLOWS },
	{ "memcap",		required_argument,	NULL, OPT_MEMCAP },
	{ "depth",		required_argument,	NULL, OPT_DEPTH },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ NULL,			0,			NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: credleak [options] -r FILE [FILE...]\n"
"\n"
"Reads pcap or pcapng captures (\"-\" is standard input) and writes one JSON\n"
"line per finding: cleartext logins, cleartext AUTH offered, STARTTLS absent,\n"
"unused, refused or stripped, mail accepted without authentication.\n"
"Passwords and their encodings are never printed.\n"
"\n"
"  -r, --read FILE        capture to read; repeat, or list several files\n"
"  -o, --output FILE      write JSON lines to FILE (default: standard output)\n"
"  -q, --quiet            no summary on standard error\n"
"      --mask-usernames   print usernames masked (first letter, @domain)\n"
"      --sensor NAME      sensor name in every event (default: host name)\n"
"      --max-flows N      flows tracked at once (default %d)\n"
"      --memcap BYTES     stream buffers and decoder state, all flows (default %u)\n"
"      --depth BYTES      bytes inspected per direction of a flow (default %u)\n"
"      --timeout SECONDS  idle time that ends a flow (default %d)\n"
"  -h, --help             this text\n"
"      --version          print the version\n"
"\n"
"Exit status: 0 done, 1 usage error, 2 an input could not be read to its end\n"
"(findings before the fault are still written).\n",
	    REASM_DEFAULT_MAX_FLOWS, REASM_DEFAULT_MEMCAP, REASM_DEFAULT_DEPTH,
	    REASM_DEFAULT_TIMEOUT_S);
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
	if (*end != '\0' || v == 0)
		return -1;
	*out = v;
	return 0;
}

struct run {
	struct reasm		*reasm;
	struct pkt_counters	 pc;
};

static void
on_packet(const struct pkt *p, void *arg)
{
	struct run *run = arg;

	reasm_packet(run->reasm, p);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
summary(const struct run *run, struct alert_sink *sink, double secs)
{
	const struct reasm_counters *c = reasm_counters(run->reasm);
	const struct dec_counters *d = reasm_dec_counters(run->reasm);
	const struct pkt_counters *p = &run->pc;
	uint64_t total = 0;
	int k;

	fprintf(stderr, "credleak: %" PRIu64 " packets, %" PRIu64 " bytes, %"
	    PRIu64 " TCP; %" PRIu64 " flows (%" PRIu64 " decoded, %" PRIu64
	    " ignored, %" PRIu64 " at once at most)\n",
	    p->packets, p->bytes, p->tcp, c->flows, c->flows_decoded,
	    c->flows_ignored, c->flows_active_max);
	fprintf(stderr, "credleak: decoders chosen by nDPI %" PRIu64 ", by content %"
	    PRIu64 "; tunnels %" PRIu64 "\n", c->by_ndpi, c->by_content, c->tunnels);
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
	    PRIu64 ", bad-tcp %" PRIu64 ", truncated %" PRIu64
	    "; decoders: long-lines %" PRIu64 ", bad-base64 %" PRIu64
	    ", bad-sasl %" PRIu64 ", unmatched-replies %" PRIu64
	    ", pipeline-overflow %" PRIu64 ", nul %" PRIu64 ", mismatch %"
	    PRIu64 "\n",
	    p->not_ip, p->not_tcp, p->fragments, p->bad_link, p->bad_ip,
	    p->bad_tcp, p->truncated, d->line_overflow, d->bad_base64,
	    d->bad_sasl, d->unmatched_reply, d->pipeline_overflow,
	    d->nul_in_line, d->mismatch);
	fprintf(stderr, "credleak: memory peak %" PRIu64 " KiB (flows, buffers, "
	    "decoders), peak RSS %lu KiB; %.3f s, %.1f Mbit/s, %.3f Mpackets/s\n",
	    c->mem_peak >> 10, peak_rss_kib(), secs,
	    secs > 0 ? (double)p->bytes * 8 / secs / 1e6 : 0.0,
	    secs > 0 ? (double)p->packets / secs / 1e6 : 0.0);
}

int
main(int argc, char **argv)
{
	struct reasm_config cfg = { 0 };
	struct alert_opts aopts = { 0 };
	struct alert_sink *sink;
	struct run run;
	const char **inputs;
	const char *outpath = NULL;
	char errbuf[512];
	size_t ninputs = 0, i;
	uint64_t v;
	bool quiet = false;
	int c, status = 0;
	double t0;

	memset(&run, 0, sizeof(run));
	if ((inputs = calloc((size_t)argc + 1, sizeof(*inputs))) == NULL)
		return EXIT_FAILURE;
	while ((c = getopt_long(argc, argv, "r:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			inputs[ninputs++] = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_MASK:
			aopts.mask_usernames = true;
			break;
		case OPT_SENSOR:
			aopts.sensor = optarg;
			break;
		case OPT_MAX_FLOWS:
		case OPT_MEMCAP:
		case OPT_DEPTH:
		case OPT_TIMEOUT:
			if (parse_size(optarg, &v) != 0) {
				fprintf(stderr, "credleak: bad number '%s'\n",
				    optarg);
				usage(stderr);
				free(inputs);
				return EXIT_USAGE;
			}
			if (c == OPT_MAX_FLOWS)
				cfg.max_flows = (size_t)v;
			else if (c == OPT_MEMCAP)
				cfg.memcap = (size_t)v;
			else if (c == OPT_DEPTH)
				cfg.depth = v;
			else
				cfg.timeout_us = v * 1000000;
			break;
		case 'h':
			usage(stdout);
			free(inputs);
			return 0;
		case OPT_VERSION:
			printf("credleak %s\n", CREDLEAK_VERSION);
			free(inputs);
			return 0;
		default:
			usage(stderr);
			free(inputs);
			return EXIT_USAGE;
		}
	}
	/* "-r a.pcap b.pcap": the files after the options are inputs too. */
	for (; optind < argc; optind++)
		inputs[ninputs++] = argv[optind];
	if (ninputs == 0) {
		fprintf(stderr, "credleak: no input: give -r FILE\n");
		usage(stderr);
		free(inputs);
		return EXIT_USAGE;
	}

	aopts.out = stdout;
	if (outpath != NULL && strcmp(outpath, "-") != 0) {
		mode_t old = umask(027);

		aopts.out = fopen(outpath, "a");
		umask(old);
		if (aopts.out == NULL) {
			fprintf(stderr, "credleak: %s: %s\n", outpath, strerror(errno));
			free(inputs);
			return EXIT_USAGE;
		}
	}
	if ((sink = alert_sink_new(&aopts)) == NULL ||
	    (run.reasm = reasm_new(&cfg, sink)) == NULL) {
		fprintf(stderr, "credleak: out of memory\n");
		alert_sink_free(sink);
		free(inputs);
		return EXIT_FAILURE;
	}

	t0 = now_s();
	/*
	 * Flows carry over from one file to the next, so a capture rotated
	 * into several files (tcpdump -C/-G) is followed across the cut;
	 * unrelated files are told apart by time, through the idle timeout.
	 */
	for (i = 0; i < ninputs && inputs[i] != NULL; i++) {
		const char *name = strcmp(inputs[i], "-") == 0 ? "stdin" : inputs[i];

		reasm_set_input(run.reasm, name);
		if (capture_file(inputs[i], NULL, on_packet, &run, &run.pc, errbuf,
		    sizeof(errbuf)) != 0) {
			fprintf(stderr, "credleak: %s\n", errbuf);
			status = EXIT_BADINPUT;
		}
	}
	reasm_flush(run.reasm);
	if (!quiet)
		summary(&run, sink, now_s() - t0);
	reasm_free(run.reasm);
	alert_sink_free(sink);
	if (aopts.out != stdout && fclose(aopts.out) != 0) {
		fprintf(stderr, "credleak: %s: %s\n", outpath, strerror(errno));
		status = EXIT_FAILURE;
	}
	free(inputs);
	return status;
}
