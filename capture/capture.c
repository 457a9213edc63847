/*
 * capture.c - offline input through libpcap (see capture.h).
 *
 * libpcap opens both pcap and pcapng (and "-" as standard input) and reads
 * their records, except those of a classic pcap file, which pcapfile.c
 * reads in place once libpcap has checked the file's header.  The
 * file is opened here rather than by pcap_open_offline() so that a missing
 * file is told apart, by errno, from one that is not a capture.  Timestamps
 * are asked for in microseconds: libpcap scales nanosecond files down.
 *
 * Messages name the file and the fault and never carry packet bytes.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <linux/if_packet.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "pcapfile.h"

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

/*
 * Bytes of stdio buffer under libpcap's reads.  libpcap reads every record
 * with fread(); with stdio's default buffer (the file system's block size,
 * 4 KiB) that is a system call every few packets, and reading the file
 * costs a third more than with a large buffer.
 */
#define READ_BUF	(256u << 10)	/* fits L2: the copy out of it stays cheap */

/*
 * Open `path` ("-": stdin) for libpcap, or say why not.  *vbuf is the
 * stdio buffer to free after pcap_close() (NULL if none).
 */
static pcap_t *
open_capture(const char *path, char *errbuf, size_t errlen, char **vbuf)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct stat st;
	pcap_t *pc;
	FILE *fp;

	*vbuf = NULL;
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
		if ((*vbuf = malloc(READ_BUF)) != NULL &&
		    setvbuf(fp, *vbuf, _IOFBF, READ_BUF) != 0) {
			free(*vbuf);
			*vbuf = NULL;
		}
		/* On success pc owns fp; on failure we still do. */
		pc = pcap_fopen_offline_with_tstamp_precision(fp,
		    PCAP_TSTAMP_PRECISION_MICRO, perr);
	}
	if (pc != NULL)
		return pc;
	if (fp != NULL)
		fclose(fp);
	free(*vbuf);
	*vbuf = NULL;
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

/*
 * Compile a BPF filter; false with a message naming `what`.  With `keep`
 * the program is left in *keep for pcap_offline_filter() (the in-place
 * reader), else it is set on pc and freed.
 */
static bool
set_filter(pcap_t *pc, const char *what, const char *filter,
    struct bpf_program *keep, char *errbuf, size_t errlen)
{
	struct bpf_program prog;

	if (filter == NULL || *filter == '\0')
		return true;
	if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		seterr(errbuf, errlen, "%s: bad filter '%s': %s", what, filter,
		    pcap_geterr(pc));
		return false;
	}
	if (keep != NULL) {
		*keep = prog;
		return true;
	}
	if (pcap_setfilter(pc, &prog) != 0) {
		seterr(errbuf, errlen, "%s: cannot set filter: %s", what,
		    pcap_geterr(pc));
		pcap_freecode(&prog);
		return false;
	}
	pcap_freecode(&prog);
	return true;
}

/*
 * The in-place reader for `pc` when the file suits it: a regular file in
 * the classic format, version 2.4, with the microsecond or nanosecond
 * magic (draft-ietf-opsawg-pcap §4) in either byte order.  Anything else
 * (pcapng, a pipe, the older variants) stays with libpcap.
 */
static struct pcapfile *
inplace_reader(pcap_t *pc)
{
	FILE *fp = pcap_file(pc);
	struct stat st;
	uint8_t m[4];
	uint32_t magic;
	int fd;

	if (fp == NULL || (fd = fileno(fp)) < 0 || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return NULL;
	if (pcap_major_version(pc) != 2 || pcap_minor_version(pc) != 4)
		return NULL;
	if (pread(fd, m, sizeof(m), 0) != (ssize_t)sizeof(m))
		return NULL;
	magic = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
	    (uint32_t)m[2] << 8 | m[3];
	switch (magic) {
	case 0xa1b2c3d4: case 0xd4c3b2a1:	/* microseconds */
		return pcapfile_new(fd, 24, pcap_is_swapped(pc) == 1, false,
		    (uint32_t)pcap_snapshot(pc));
	case 0xa1b23c4d: case 0x4d3cb2a1:	/* nanoseconds */
		return pcapfile_new(fd, 24, pcap_is_swapped(pc) == 1, true,
		    (uint32_t)pcap_snapshot(pc));
	default:
		return NULL;
	}
}

/* pcap_close() closes the FILE; its buffer is ours to free after. */
static void
close_capture(pcap_t *pc, char *vbuf)
{
	pcap_close(pc);
	free(vbuf);
}

/* Records read and parsed before the packets are handed on together. */
#define BATCH	32

int
capture_file(const char *path, const char *filter, unsigned flags,
    pkt_batch_cb cb, void *arg, struct pkt_counters *c, char *errbuf,
    size_t errlen)
{
	struct pcap_pkthdr hdrs[BATCH], *h;
	const u_char *datas[BATCH];
	struct pkt pk[BATCH];
	struct bpf_program prog;
	struct pcapfile *pf = NULL;
	char rerr[PCAP_ERRBUF_SIZE];
	const char *name;
	uint64_t n = 0, ts_us, bad = 0, first_bad = 0;
	const char *why = NULL;
	char *vbuf;
	pcap_t *pc;
	bool filtered;
	size_t i, nrec, np;
	int dlt, rc;

	if ((pc = open_capture(path, errbuf, errlen, &vbuf)) == NULL)
		return -1;
	dlt = pcap_datalink(pc);
	if (!pkt_linktype_supported(dlt)) {
		name = pcap_datalink_val_to_name(dlt);
		seterr(errbuf, errlen, "%s: unsupported link type %d (%s)",
		    path, dlt, name != NULL ? name : "unknown");
		close_capture(pc, vbuf);
		return -1;
	}
	if (!(flags & CAPTURE_LIBPCAP_READER))
		pf = inplace_reader(pc);
	if (!set_filter(pc, path, filter, pf != NULL ? &prog : NULL, errbuf,
	    errlen)) {
		pcapfile_free(pf);
		close_capture(pc, vbuf);
		return -1;
	}
	filtered = pf != NULL && filter != NULL && *filter != '\0';
	rerr[0] = '\0';

	for (;;) {
		/*
		 * The in-place reader hands out records that stay valid
		 * together, so packets go on in batches and reassembly can
		 * look ahead; libpcap reuses its buffer, so one at a time.
		 */
		if (pf != NULL) {
			if ((rc = pcapfile_batch(pf, hdrs, datas, BATCH, rerr,
			    sizeof(rerr))) <= 0)
				break;
			nrec = (size_t)rc;
		} else {
			if ((rc = pcap_next_ex(pc, &h, &datas[0])) != 1)
				break;
			hdrs[0] = *h;
			nrec = 1;
		}
		for (i = np = 0; i < nrec; i++) {
			h = &hdrs[i];
			if (filtered && pcap_offline_filter(&prog, h, datas[i]) == 0)
				continue;
			n++;
			/*
			 * A record with no bytes, or claiming more bytes
			 * captured than were on the wire, is a malformed file:
			 * note the first, keep reading (the rest may hold
			 * findings), and fail at the end.
			 */
			if (h->caplen == 0 || h->caplen > h->len) {
				if (bad++ == 0) {
					first_bad = n;
					why = h->caplen == 0 ?
					    "zero-length record" :
					    "captured length greater than wire length";
				}
			}
			ts_us = h->ts.tv_sec < 0 ? 0 :
			    (uint64_t)h->ts.tv_sec * 1000000U +
			    (uint64_t)(h->ts.tv_usec < 0 ? 0 : h->ts.tv_usec);
			/* pkt_parse() counts the record and its bytes in *c. */
			if (pkt_parse(dlt, datas[i], h->caplen, h->len, ts_us,
			    &pk[np], c))
				np++;
		}
		if (np > 0)
			cb(pk, np, arg);
	}
	if (filtered)
		pcap_freecode(&prog);

	/* The end of the file: PCAP_ERROR_BREAK (-2) from libpcap. */
	if ((pf != NULL && rc == PCAPFILE_END) ||
	    (pf == NULL && rc == PCAP_ERROR_BREAK)) {
		pcapfile_free(pf);
		close_capture(pc, vbuf);
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
	 * file" (pcap) or "truncated pcapng dump file", as ours does.
	 * Neither reader's other messages carry packet contents.
	 */
	if (pf == NULL)
		snprintf(rerr, sizeof(rerr), "%s", pcap_geterr(pc));
	if (strstr(rerr, "truncated") != NULL)
		seterr(errbuf, errlen,
		    "%s: truncated record after %llu packets", path,
		    (unsigned long long)n);
	else
		seterr(errbuf, errlen, "%s: corrupt record after %llu packets: %s",
		    path, (unsigned long long)n, rerr);
	pcapfile_free(pf);
	close_capture(pc, vbuf);
	return -1;
}

/* --- live capture --------------------------------------------------------- */

#define LIVE_SNAPLEN	262144	/* full packets: a cut AUTH line is a lost finding */
#define LIVE_TIMEOUT_MS	250	/* how long live_run() waits for packets before tick() runs */

struct live {
	pcap_t		*pc;
	int		 dlt;
	char		 name[64];
};

struct live_ctx {
	struct live		*l;
	pkt_cb			 cb;
	void			*arg;
	struct pkt_counters	*c;
};

static void
live_handler(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct live_ctx *x = (struct live_ctx *)(void *)user;
	struct pkt p;
	uint64_t ts_us;

	ts_us = h->ts.tv_sec < 0 ? 0 : (uint64_t)h->ts.tv_sec * 1000000U +
	    (uint64_t)(h->ts.tv_usec < 0 ? 0 : h->ts.tv_usec);
	if (pkt_parse(x->l->dlt, data, h->caplen, h->len, ts_us, &p, x->c))
		x->cb(&p, x->arg);
}

struct live *
live_open(const struct live_opts *o, char *errbuf, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct live *l;
	const char *name;
	int rc;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		seterr(errbuf, errlen, "%s: out of memory", o->iface);
		return NULL;
	}
	snprintf(l->name, sizeof(l->name), "%s", o->iface);
	perr[0] = '\0';
	if ((l->pc = pcap_create(o->iface, perr)) == NULL) {
		seterr(errbuf, errlen, "%s: %s", o->iface, perr);
		free(l);
		return NULL;
	}
	pcap_set_snaplen(l->pc, LIVE_SNAPLEN);
	pcap_set_promisc(l->pc, o->promisc ? 1 : 0);
	pcap_set_timeout(l->pc, LIVE_TIMEOUT_MS);
	/* Findings must not wait for a buffer to fill on a quiet link. */
	pcap_set_immediate_mode(l->pc, 1);
	if (o->buffer_bytes > 0)
		pcap_set_buffer_size(l->pc, o->buffer_bytes);
	if ((rc = pcap_activate(l->pc)) < 0) {
		seterr(errbuf, errlen, "%s: %s", o->iface,
		    rc == PCAP_ERROR ? pcap_geterr(l->pc) : pcap_statustostr(rc));
		goto fail;
	}
	l->dlt = pcap_datalink(l->pc);
	if (!pkt_linktype_supported(l->dlt)) {
		name = pcap_datalink_val_to_name(l->dlt);
		seterr(errbuf, errlen, "%s: unsupported link type %d (%s)",
		    o->iface, l->dlt, name != NULL ? name : "unknown");
		goto fail;
	}
	if (!set_filter(l->pc, o->iface, o->filter, NULL, errbuf, errlen))
		goto fail;
	/*
	 * Non-blocking, and live_run() waits in poll() itself: libpcap 1.10
	 * on Linux keeps polling inside pcap_dispatch() until a packet comes
	 * (the read timeout never returns control on a quiet link), and
	 * tick() must run anyway to end idle flows and refresh counters.
	 */
	if (pcap_setnonblock(l->pc, 1, perr) != 0) {
		seterr(errbuf, errlen, "%s: cannot set non-blocking mode: %s",
		    o->iface, perr);
		goto fail;
	}
	if (o->fanout_group > 0) {
		/*
		 * AF_PACKET fanout, hash mode: the kernel's flow hash is made
		 * symmetric (__flow_hash_consistentify), so both directions of
		 * a connection reach the same worker.  Fragments are
		 * reassembled first so they hash alike.
		 */
		uint32_t arg = ((uint32_t)o->fanout_group & 0xffff) |
		    ((uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);

		if (setsockopt(pcap_fileno(l->pc), SOL_PACKET, PACKET_FANOUT,
		    &arg, sizeof(arg)) != 0) {
			seterr(errbuf, errlen, "%s: cannot join fanout group %d: %s",
			    o->iface, o->fanout_group, strerror(errno));
			goto fail;
		}
	}
	return l;
fail:
	pcap_close(l->pc);
	free(l);
	return NULL;
}

int
live_run(struct live *l, pkt_cb cb, void *cb_arg, void (*tick)(void *),
    void *tick_arg, struct pkt_counters *c, atomic_int *stop, char *errbuf,
    size_t errlen)
{
	struct live_ctx x = { l, cb, cb_arg, c };
	struct pollfd pfd;
	int rc;

	pfd.fd = pcap_get_selectable_fd(l->pc);
	pfd.events = POLLIN;
	while (!atomic_load(stop)) {
		/* Non-blocking: what the ring holds now, then back here. */
		rc = pcap_dispatch(l->pc, -1, live_handler, (u_char *)(void *)&x);
		if (tick != NULL)
			tick(tick_arg);
		if (rc == PCAP_ERROR_BREAK)
			continue;	/* woken up: look at *stop again */
		if (rc < 0) {
			/* "The interface went down", ENODEV, ENXIO, ... */
			seterr(errbuf, errlen, "%s: %s", l->name, pcap_geterr(l->pc));
			return -1;
		}
		/* An empty ring: wait for a packet, an error or the timeout. */
		if (rc == 0 && pfd.fd >= 0)
			(void)poll(&pfd, 1, LIVE_TIMEOUT_MS);
	}
	return 0;
}

void
live_get_stats(struct live *l, struct live_stats *s)
{
	struct pcap_stat ps;

	memset(s, 0, sizeof(*s));
	if (pcap_stats(l->pc, &ps) == 0) {
		s->received = ps.ps_recv;
		s->dropped = ps.ps_drop;
		s->if_dropped = ps.ps_ifdrop;
	}
}

void
live_breakloop(struct live *l)
{
	pcap_breakloop(l->pc);	/* libpcap 1.10 wakes a blocked poll() */
}

void
live_close(struct live *l)
{
	if (l == NULL)
		return;
	pcap_close(l->pc);
	free(l);
}
