/*
 * capture.c - offline input through libpcap (see capture.h).
 *
 * libpcap reads both pcap and pcapng (and "-" as standard input).  The
 * file is opened here rather than by pcap_open_offline() so that a missing
 * file is told apart, by errno, from one that is not a capture.  Timestamps
 * are asked for in microseconds: libpcap scales nanosecond files down.
 *
 * Messages name the file and the fault and never carry packet bytes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture.h"

static void seterr(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);	/* NOLINT(clang-analyzer-valist.Uninitialized): va_start above */
	va_end(ap);
}

/* Open `path` ("-": stdin) for libpcap, or say why not. */
static pcap_t *
open_capture(const char *path, char *errbuf, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct stat st;
	pcap_t *pc;
	FILE *fp;

	perr[0] = '\0';
	if (strcmp(path, "-") == 0) {
		pc = pcap_open_offline_with_tstamp_precision("-",
		    PCAP_TSTAMP_PRECISION_MICRO, perr);
		fp = NULL;
	} else {
		if ((fp = fopen(path, "rb")) == NULL) {
			if (errno == ENOENT)
				seterr(errbuf, errlen, "%s: no such file",
				    path);
			else
				seterr(errbuf, errlen, "%s: %s", path,
				    strerror(errno));
			return NULL;
		}
		if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
			fclose(fp);
			seterr(errbuf, errlen, "%s: is a directory", path);
			return NULL;
		}
		/* On success pc owns fp; on failure we still do. */
		pc = pcap_fopen_offline_with_tstamp_precision(fp,
		    PCAP_TSTAMP_PRECISION_MICRO, perr);
	}
	if (pc != NULL)
		return pc;
	if (fp != NULL)
		fclose(fp);
	/*
	 * libpcap says "unknown file format" for a bad magic number; a
	 * file too short to hold one gets "truncated dump file; ...".
	 * Either way it is not something we can read.
	 */
	if (strcmp(perr, "unknown file format") == 0 || perr[0] == '\0')
		seterr(errbuf, errlen, "%s: not a pcap or pcapng capture",
		    path);
	else
		seterr(errbuf, errlen, "%s: not a pcap or pcapng capture (%s)",
		    path, perr);
	return NULL;
}

int
capture_file(const char *path, pkt_cb cb, void *arg, struct pkt_counters *c,
    char *errbuf, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	const char *name;
	struct pkt p;
	uint64_t n = 0, ts_us, bad = 0, first_bad = 0;
	const char *why = NULL;
	pcap_t *pc;
	int dlt, rc;

	if ((pc = open_capture(path, errbuf, errlen)) == NULL)
		return -1;
	dlt = pcap_datalink(pc);
	if (!pkt_linktype_supported(dlt)) {
		name = pcap_datalink_val_to_name(dlt);
		seterr(errbuf, errlen, "%s: unsupported link type %d (%s)",
		    path, dlt, name != NULL ? name : "unknown");
		pcap_close(pc);
		return -1;
	}

	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		n++;
		/*
		 * A record with no bytes, or claiming more bytes captured than
		 * were on the wire, is a malformed file: note the first, keep
		 * reading (the rest may hold findings), and fail at the end.
		 */
		if (h->caplen == 0 || h->caplen > h->len) {
			if (bad++ == 0) {
				first_bad = n;
				why = h->caplen == 0 ? "zero-length record" :
				    "captured length greater than wire length";
			}
		}
		ts_us = h->ts.tv_sec < 0 ? 0 :
		    (uint64_t)h->ts.tv_sec * 1000000U +
		    (uint64_t)(h->ts.tv_usec < 0 ? 0 : h->ts.tv_usec);
		/* pkt_parse() counts the record and its bytes in *c. */
		if (pkt_parse(dlt, data, h->caplen, h->len, ts_us, &p, c))
			cb(&p, arg);
	}

	/* -2 (PCAP_ERROR_BREAK) is the end of a savefile. */
	if (rc == PCAP_ERROR_BREAK) {
		pcap_close(pc);
		if (bad > 0) {
			seterr(errbuf, errlen, "%s: malformed record %llu (%s)"
			    "; %llu such records in all", path,
			    (unsigned long long)first_bad, why,
			    (unsigned long long)bad);
			return -1;
		}
		return 0;
	}
	/*
	 * A record cut short: libpcap's message starts "truncated dump
	 * file" (pcap) or "truncated pcapng dump file".  Its other messages
	 * describe headers and lengths, never packet contents.
	 */
	if (strstr(pcap_geterr(pc), "truncated") != NULL)
		seterr(errbuf, errlen,
		    "%s: truncated record after %llu packets", path,
		    (unsigned long long)n);
	else
		seterr(errbuf, errlen, "%s: corrupt record after %llu packets: %s",
		    path, (unsigned long long)n, pcap_geterr(pc));
	pcap_close(pc);
	return -1;
}
