/*
 * pcapfile.h - the records of a classic pcap file, read in place.
 *
 * libpcap reads a savefile with two fread() calls per record into a buffer
 * of its own: two copies of every byte and two locked stdio calls per
 * packet, more than half of credleak's time on a large file.  Once libpcap
 * has opened the file and checked its header, this reader takes the
 * records (the format of draft-ietf-opsawg-pcap §4-5: a 16-byte header,
 * then the captured bytes) from large pread() chunks and hands out
 * pointers into them, with libpcap's rules for odd records (but time
 * stamps unsigned, as the format says, in either byte order).  pcapng,
 * standard input and the older header variants stay with libpcap.
 */
#ifndef CREDLEAK_PCAPFILE_H
#define CREDLEAK_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

/* The largest record accepted, as libpcap's limit for the link types we read. */
#define PCAPFILE_MAX_CAPLEN	262144u

struct pcapfile;

/*
 * Read records from `fd` starting at byte `start` (just past the file
 * header).  `swapped`: the file's byte order is not ours; `nsec`: its
 * time stamps are in nanoseconds (handed out in microseconds, as libpcap
 * does when asked for those); `snaplen`: the file's snapshot length as
 * libpcap took it (pcap_snapshot()).  NULL when out of memory.  The fd
 * stays the caller's.
 */
struct pcapfile *pcapfile_new(int fd, uint64_t start, bool swapped,
    bool nsec, uint32_t snaplen);

enum {
	PCAPFILE_RECORD = 1,	/* *h and *data are set */
	PCAPFILE_END = 0,	/* clean end of file */
	PCAPFILE_TRUNCATED = -1,/* the file ends inside a record */
	PCAPFILE_ERROR = -2	/* a read error or an impossible length */
};

/*
 * The next record.  *data points into the reader's buffer and stays valid
 * until the next call.  A record longer than the snapshot length is cut to
 * it, as libpcap does; one longer than PCAPFILE_MAX_CAPLEN is an error.
 * On TRUNCATED or ERROR, errbuf says what (never with packet bytes).
 */
int pcapfile_next(struct pcapfile *pf, struct pcap_pkthdr *h,
    const uint8_t **data, char *errbuf, size_t errlen);

/*
 * Up to `max` records (max > 0, at most INT_MAX) in h[] and data[], all
 * valid together until the next call: those whole in the buffer, or, if
 * none is, one read as pcapfile_next() does.  Returns how many (> 0), or
 * what pcapfile_next() returns when no record could be had.
 */
int pcapfile_batch(struct pcapfile *pf, struct pcap_pkthdr *h,
    const uint8_t **data, size_t max, char *errbuf, size_t errlen);

void pcapfile_free(struct pcapfile *pf);

#endif /* CREDLEAK_PCAPFILE_H */
