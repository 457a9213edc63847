/*
 * capture.h - offline input through libpcap (pcap and pcapng, "-" for stdin).
 */
#ifndef CREDLEAK_CAPTURE_H
#define CREDLEAK_CAPTURE_H

#include <stddef.h>

#include "packet.h"

/* Called for every parsed TCP packet; the packet is valid only during the call. */
typedef void (*pkt_cb)(const struct pkt *p, void *arg);

/*
 * Read the capture at `path` ("-" is standard input) and hand every TCP
 * packet to cb.  Returns 0 at a clean end of file.  Returns -1 with a
 * message naming the file and the problem in errbuf (missing, not a
 * capture, unsupported link type, truncated record); packets before the
 * fault have already been delivered.
 */
int capture_file(const char *path, pkt_cb cb, void *arg, struct pkt_counters *c,
    char *errbuf, size_t errlen);

#endif /* CREDLEAK_CAPTURE_H */
