/*
 * pcapfile.c - the records of a classic pcap file, read in place (see
 * pcapfile.h).
 *
 * The buffer holds one chunk of the file plus room for the largest record,
 * so a record is always whole in memory when handed out; only the tail of
 * a chunk (less than one record) is ever moved.  Chunks are small enough
 * to stay in the second-level cache between the kernel's copy and the
 * decoders' reads.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapfile.h"

#define CHUNK		(256u << 10)
#define RECHDR		16u	/* ts_sec, ts_usec, incl_len, orig_len */

struct pcapfile {
	int		 fd;
	bool		 swapped, nsec;
	uint32_t	 snaplen;
	uint64_t	 off;		/* file offset of buf[have] */
	uint8_t		*buf;
	size_t		 size;		/* CHUNK + largest record */
	size_t		 pos, have;	/* buf[pos, have): read, not yet handed out */
	bool		 eof;
	int		 err;		/* a read error's errno: stays an error */
};

struct pcapfile *
pcapfile_new(int fd, uint64_t start, bool swapped, bool nsec, uint32_t snaplen)
{
	struct pcapfile *pf;

	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return NULL;
	pf->size = CHUNK + RECHDR + PCAPFILE_MAX_CAPLEN;
	if ((pf->buf = malloc(pf->size)) == NULL) {
		free(pf);
		return NULL;
	}
	pf->fd = fd;
	pf->off = start;
	pf->swapped = swapped;
	pf->nsec = nsec;
	pf->snaplen = snaplen == 0 || snaplen > PCAPFILE_MAX_CAPLEN ?
	    PCAPFILE_MAX_CAPLEN : snaplen;
	/* A larger read-ahead: the file is read once, front to back. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return pf;
}

void
pcapfile_free(struct pcapfile *pf)
{
	if (pf == NULL)
		return;
	free(pf->buf);
	free(pf);
}

/*
 * Make at least `need` unread bytes available, reading whole chunks.
 * Returns how many are available (fewer than `need` only at the end of
 * the file or on an error, which sets pf->err).
 */
static size_t
fill(struct pcapfile *pf, size_t need)
{
	ssize_t n;
	size_t want;

	if (pf->have - pf->pos >= need)
		return need;
	/* The tail is less than one record: cheap to move. */
	if (pf->pos > 0) {
		memmove(pf->buf, pf->buf + pf->pos, pf->have - pf->pos);
		pf->have -= pf->pos;
		pf->pos = 0;
	}
	while (pf->have < need && !pf->eof && pf->err == 0) {
		want = pf->size - pf->have;
		if (want > CHUNK)
			want = CHUNK;
		n = pread(pf->fd, pf->buf + pf->have, want, (off_t)pf->off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pf->err = errno != 0 ? errno : EIO;
			break;
		}
		if (n == 0) {
			pf->eof = true;
			break;
		}
		pf->have += (size_t)n;
		pf->off += (uint64_t)n;
	}
	return pf->have;
}

static uint32_t
get32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? __builtin_bswap32(v) : v;
}

/*
 * Whether the record at pos is whole in the buffer; its captured length in
 * *caplen.  A length over the limit is never "whole": pcapfile_next()
 * reports it.
 */
static bool
whole(const struct pcapfile *pf, uint32_t *caplen)
{
	size_t avail = pf->have - pf->pos;

	if (avail < RECHDR)
		return false;
	*caplen = get32(pf->buf + pf->pos + 8, pf->swapped);
	return *caplen <= PCAPFILE_MAX_CAPLEN &&
	    avail - RECHDR >= (size_t)*caplen;
}

/* Hand out the whole record at pos. */
static void
take(struct pcapfile *pf, uint32_t caplen, struct pcap_pkthdr *h,
    const uint8_t **data)
{
	const uint8_t *rh = pf->buf + pf->pos;
	int32_t frac;

	/*
	 * The seconds and the fraction are signed 32-bit values in libpcap's
	 * reading; a nanosecond fraction is scaled down to microseconds.
	 */
	h->ts.tv_sec = (int32_t)get32(rh, pf->swapped);
	frac = (int32_t)get32(rh + 4, pf->swapped);
	h->ts.tv_usec = pf->nsec ? frac / 1000 : frac;
	h->len = get32(rh + 12, pf->swapped);
	/* Longer than the snapshot length: the rest is dropped (libpcap). */
	h->caplen = caplen > pf->snaplen ? pf->snaplen : caplen;
	*data = rh + RECHDR;
	pf->pos += RECHDR + (size_t)caplen;
}

int
pcapfile_next(struct pcapfile *pf, struct pcap_pkthdr *h, const uint8_t **data,
    char *errbuf, size_t errlen)
{
	uint32_t caplen;
	size_t avail;

	if (pf->err != 0)
		goto readerr;
	if (whole(pf, &caplen)) {
		take(pf, caplen, h, data);
		return PCAPFILE_RECORD;
	}
	avail = fill(pf, RECHDR);
	if (pf->err != 0)
		goto readerr;
	if (avail == 0)
		return PCAPFILE_END;
	if (avail < RECHDR) {
		snprintf(errbuf, errlen, "truncated dump file; %zu of %u record "
		    "header bytes", avail, RECHDR);
		return PCAPFILE_TRUNCATED;
	}
	caplen = get32(pf->buf + pf->pos + 8, pf->swapped);
	if (caplen > PCAPFILE_MAX_CAPLEN) {
		snprintf(errbuf, errlen, "invalid packet capture length %u, "
		    "bigger than maximum of %u", caplen, PCAPFILE_MAX_CAPLEN);
		return PCAPFILE_ERROR;
	}
	avail = fill(pf, RECHDR + (size_t)caplen);
	if (pf->err != 0)
		goto readerr;
	if (avail < RECHDR + (size_t)caplen) {
		snprintf(errbuf, errlen, "truncated dump file; %zu of %u "
		    "captured bytes", avail - RECHDR, caplen);
		return PCAPFILE_TRUNCATED;
	}
	take(pf, caplen, h, data);
	return PCAPFILE_RECORD;
readerr:
	snprintf(errbuf, errlen, "error reading dump file: %s", strerror(pf->err));
	return PCAPFILE_ERROR;
}

int
pcapfile_batch(struct pcapfile *pf, struct pcap_pkthdr *h,
    const uint8_t **data, size_t max, char *errbuf, size_t errlen)
{
	uint32_t caplen;
	size_t n = 0;
	int rc;

	while (n < max) {
		if (whole(pf, &caplen))
			take(pf, caplen, &h[n], &data[n]);
		else if (n > 0)
			break;		/* reading more would move the others */
		else if ((rc = pcapfile_next(pf, &h[0], &data[0], errbuf,
		    errlen)) != PCAPFILE_RECORD)
			return rc;
		n++;
	}
	return (int)n;
}
