/*
 * pcapfile.c - the records of a classic pcap file, read in place (see
 * pcapfile.h).
 *
 * The file goes through a ring buffer.  A read-ahead thread fills it with
 * pread() while the caller takes records out, so the kernel's copy of the
 * file runs beside the analysis instead of before it; where no thread can
 * be had, the caller fills the ring itself.  Records are handed out as
 * pointers into the ring: one that wraps past the ring's end has its
 * wrapped part copied into a tail area after it, so every record is
 * contiguous.  What was handed out stays put until the next call, which
 * gives the space back.
 *
 *   ring:  [ RING bytes, written in turn                ][ tail: RECMAX ]
 *           rd <= pos <= wr  (stream offsets; ring index = offset % RING)
 *
 * rd: given back by the caller; the thread may overwrite below it.
 * pos: the next record.  wr: bytes the thread has put in the ring.
 */
#define _GNU_SOURCE	/* sched_getaffinity(), CPU_COUNT() */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapfile.h"

#define RECHDR		16u	/* ts_sec, ts_usec, incl_len, orig_len */
#define RECMAX		(RECHDR + PCAPFILE_MAX_CAPLEN)
#define CHUNK		(256u << 10)	/* one pread() */
/*
 * The ring: a chunk must always fit beside the one record the caller may
 * be waiting for (rd == pos then, and wr - pos < RECMAX), or the thread
 * and the caller would wait for each other.
 */
#define RING		(1024u << 10)
/*
 * The filler, once waiting, is woken when half the ring is free, and
 * fills it again a chunk after another: one wake-up per half ring, not
 * per chunk (each is two context switches).
 */
#define WAKE_ROOM	(RING / 2)
_Static_assert(RING - RECMAX >= CHUNK,
    "ring too small for a chunk and a record");
_Static_assert(RING - RECMAX >= WAKE_ROOM && WAKE_ROOM >= CHUNK,
    "a caller waiting for a record must be able to wake the filler");

enum { RUNNING = 0, AT_END, FAILED };

struct pcapfile {
	int		 fd;
	bool		 swapped, nsec;
	uint32_t	 snaplen;
	uint8_t		*buf;		/* RING + RECMAX */
	uint64_t	 pos;		/* caller's: the next record */
	uint64_t	 fetched;	/* caller's: prefetched up to here */
	uint64_t	 file_off;	/* filler's: the next byte of the file */
	_Atomic uint64_t wr;		/* bytes in the ring so far */
	_Atomic uint64_t rd;		/* bytes given back */
	_Atomic int	 state;		/* RUNNING, AT_END, FAILED (filler's) */
	int		 err;		/* errno of the failed read */
	/* The read-ahead thread, if there is one. */
	bool		 threaded;
	pthread_t	 thr;
	pthread_mutex_t	 mu;
	pthread_cond_t	 more;		/* wr moved, or the filler stopped */
	pthread_cond_t	 room;		/* rd moved, or stop */
	_Atomic bool	 filler_waits;
	_Atomic bool	 stop;
};

/*
 * Read one chunk into the ring if there is room for it.  Returns false
 * when there was no room (nothing done); sets the state at the end of
 * the file or on an error.
 */
static bool
fill_once(struct pcapfile *pf)
{
	uint64_t wr = atomic_load_explicit(&pf->wr, memory_order_relaxed);
	uint64_t rd = atomic_load_explicit(&pf->rd, memory_order_acquire);
	size_t at = (size_t)(wr % RING), want;
	ssize_t n;

	if (RING - (wr - rd) < CHUNK)
		return false;
	want = RING - at < CHUNK ? RING - at : CHUNK;
	do
		n = pread(pf->fd, pf->buf + at, want, (off_t)pf->file_off);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		pf->err = errno != 0 ? errno : EIO;
		atomic_store_explicit(&pf->state, FAILED, memory_order_release);
	} else if (n == 0)
		atomic_store_explicit(&pf->state, AT_END, memory_order_release);
	else {
		pf->file_off += (uint64_t)n;
		atomic_store_explicit(&pf->wr, wr + (uint64_t)n,
		    memory_order_release);
	}
	return true;
}

static void *
filler(void *arg)
{
	struct pcapfile *pf = arg;

	while (!atomic_load(&pf->stop) &&
	    atomic_load_explicit(&pf->state, memory_order_relaxed) == RUNNING) {
		if (fill_once(pf)) {
			pthread_mutex_lock(&pf->mu);
			pthread_cond_signal(&pf->more);
			pthread_mutex_unlock(&pf->mu);
			continue;
		}
		/*
		 * No room: wait for the caller to give some back.  The flag
		 * is set before rd is looked at again, and the caller stores
		 * rd before it looks at the flag (both sequentially
		 * consistent), so one of the two always sees the other.
		 */
		pthread_mutex_lock(&pf->mu);
		atomic_store(&pf->filler_waits, true);
		while (!atomic_load(&pf->stop) &&
		    RING - (atomic_load(&pf->wr) - atomic_load(&pf->rd)) < CHUNK)
			pthread_cond_wait(&pf->room, &pf->mu);
		atomic_store(&pf->filler_waits, false);
		pthread_mutex_unlock(&pf->mu);
	}
	/* The caller may be waiting for bytes that will not come. */
	pthread_mutex_lock(&pf->mu);
	pthread_cond_signal(&pf->more);
	pthread_mutex_unlock(&pf->mu);
	return NULL;
}

/* Whether this process may run on more than one core. */
static bool
second_core(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set) > 1;
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

struct pcapfile *
pcapfile_new(int fd, uint64_t start, bool swapped, bool nsec, uint32_t snaplen)
{
	struct pcapfile *pf;
	sigset_t all, old;

	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return NULL;
	if ((pf->buf = malloc(RING + RECMAX)) == NULL) {
		free(pf);
		return NULL;
	}
	pf->fd = fd;
	pf->file_off = start;
	pf->swapped = swapped;
	pf->nsec = nsec;
	pf->snaplen = snaplen == 0 || snaplen > PCAPFILE_MAX_CAPLEN ?
	    PCAPFILE_MAX_CAPLEN : snaplen;
	/* A larger read-ahead: the file is read once, front to back. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	/*
	 * The thread pays only with a second core to run on; on one, the
	 * two would take turns and add their switches to the same work.
	 */
	if (second_core() && pthread_mutex_init(&pf->mu, NULL) == 0) {
		if (pthread_cond_init(&pf->more, NULL) == 0) {
			if (pthread_cond_init(&pf->room, NULL) == 0) {
				/* Signals stay with the threads that handle them. */
				sigfillset(&all);
				pthread_sigmask(SIG_BLOCK, &all, &old);
				pf->threaded = pthread_create(&pf->thr, NULL,
				    filler, pf) == 0;
				pthread_sigmask(SIG_SETMASK, &old, NULL);
				if (!pf->threaded)
					pthread_cond_destroy(&pf->room);
			}
			if (!pf->threaded)
				pthread_cond_destroy(&pf->more);
		}
		if (!pf->threaded)
			pthread_mutex_destroy(&pf->mu);
	}
	return pf;
}

void
pcapfile_free(struct pcapfile *pf)
{
	if (pf == NULL)
		return;
	if (pf->threaded) {
		atomic_store(&pf->stop, true);
		pthread_mutex_lock(&pf->mu);
		pthread_cond_signal(&pf->room);
		pthread_mutex_unlock(&pf->mu);
		pthread_join(pf->thr, NULL);
		pthread_cond_destroy(&pf->room);
		pthread_cond_destroy(&pf->more);
		pthread_mutex_destroy(&pf->mu);
	}
	free(pf->buf);
	free(pf);
}

/* Give back everything before pos: records handed out earlier are done. */
static void
give_back(struct pcapfile *pf)
{
	if (atomic_load_explicit(&pf->rd, memory_order_relaxed) == pf->pos)
		return;
	atomic_store(&pf->rd, pf->pos);
	if (pf->threaded && atomic_load(&pf->filler_waits) &&
	    RING - (atomic_load(&pf->wr) - pf->pos) >= WAKE_ROOM) {
		pthread_mutex_lock(&pf->mu);
		pthread_cond_signal(&pf->room);
		pthread_mutex_unlock(&pf->mu);
	}
}

/*
 * Wait until `need` bytes from pos are in the ring or no more will come.
 * Returns how many are there (fewer than `need` only at the end or on an
 * error).  Only ever called with everything before pos given back.
 */
static size_t
wait_for(struct pcapfile *pf, size_t need)
{
	uint64_t have;

	for (;;) {
		have = atomic_load_explicit(&pf->wr, memory_order_acquire) -
		    pf->pos;
		if (have >= need)
			return need;
		if (atomic_load_explicit(&pf->state, memory_order_acquire) !=
		    RUNNING) {
			/* wr is final once the state is; read it again. */
			return (size_t)(atomic_load_explicit(&pf->wr,
			    memory_order_acquire) - pf->pos);
		}
		if (!pf->threaded) {
			(void)fill_once(pf);
			continue;
		}
		pthread_mutex_lock(&pf->mu);
		while (atomic_load(&pf->wr) - pf->pos < need &&
		    atomic_load(&pf->state) == RUNNING)
			pthread_cond_wait(&pf->more, &pf->mu);
		pthread_mutex_unlock(&pf->mu);
	}
}

/*
 * The `n` bytes at pos (all in the ring), contiguous: a part that wrapped
 * past the ring's end is copied into the tail area.
 */
static const uint8_t *
view(struct pcapfile *pf, size_t n)
{
	size_t at = (size_t)(pf->pos % RING);

	if (at + n > RING)
		memcpy(pf->buf + RING, pf->buf, at + n - RING);
	return pf->buf + at;
}

static uint32_t
get32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? __builtin_bswap32(v) : v;
}

/*
 * Whether the record at pos is whole among the bytes below `wr` (a value
 * of pf->wr already loaded); its captured length in *caplen.  A length
 * over the limit is never "whole": pcapfile_next() reports it.
 */
static bool
whole(struct pcapfile *pf, uint64_t wr, uint32_t *caplen)
{
	uint64_t avail = wr - pf->pos;

	if (avail < RECHDR)
		return false;
	*caplen = get32(view(pf, RECHDR) + 8, pf->swapped);
	return *caplen <= PCAPFILE_MAX_CAPLEN &&
	    avail - RECHDR >= (uint64_t)*caplen;
}

/* Hand out the whole record at pos. */
static void
take(struct pcapfile *pf, uint32_t caplen, struct pcap_pkthdr *h,
    const uint8_t **data)
{
	const uint8_t *rh = view(pf, RECHDR + (size_t)caplen);
	uint32_t frac;

	/*
	 * The seconds and the fraction are unsigned 32-bit values
	 * (draft-ietf-opsawg-pcap §5), good until 2106; libpcap 1.10 reads
	 * them so only in files of the other byte order, and as signed in
	 * ours, which turns a time past 2038 into one before 1970.  A
	 * nanosecond fraction is scaled down to microseconds.
	 */
	h->ts.tv_sec = (time_t)get32(rh, pf->swapped);
	frac = get32(rh + 4, pf->swapped);
	h->ts.tv_usec = (suseconds_t)(pf->nsec ? frac / 1000 : frac);
	h->len = get32(rh + 12, pf->swapped);
	/* Longer than the snapshot length: the rest is dropped (libpcap). */
	h->caplen = caplen > pf->snaplen ? pf->snaplen : caplen;
	*data = rh + RECHDR;
	pf->pos += RECHDR + (uint64_t)caplen;
}

/* The next record, waiting for it if need be; the caller gave back. */
static int
next_waiting(struct pcapfile *pf, struct pcap_pkthdr *h, const uint8_t **data,
    char *errbuf, size_t errlen)
{
	uint32_t caplen;
	size_t avail;

	avail = wait_for(pf, RECHDR);
	if (avail == 0 || avail < RECHDR) {
		if (atomic_load(&pf->state) == FAILED)
			goto readerr;
		if (avail == 0)
			return PCAPFILE_END;
		snprintf(errbuf, errlen, "truncated dump file; %zu of %u record "
		    "header bytes", avail, RECHDR);
		return PCAPFILE_TRUNCATED;
	}
	caplen = get32(view(pf, RECHDR) + 8, pf->swapped);
	if (caplen > PCAPFILE_MAX_CAPLEN) {
		/* Over the limit is over the snapshot length (libpcap's words). */
		snprintf(errbuf, errlen, "invalid packet capture length %u, "
		    "bigger than snaplen of %u", caplen, pf->snaplen);
		return PCAPFILE_ERROR;
	}
	avail = wait_for(pf, RECHDR + (size_t)caplen);
	if (avail < RECHDR + (size_t)caplen) {
		if (atomic_load(&pf->state) == FAILED)
			goto readerr;
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
pcapfile_next(struct pcapfile *pf, struct pcap_pkthdr *h, const uint8_t **data,
    char *errbuf, size_t errlen)
{
	uint32_t caplen;

	give_back(pf);
	if (whole(pf, atomic_load_explicit(&pf->wr, memory_order_acquire),
	    &caplen)) {
		take(pf, caplen, h, data);
		return PCAPFILE_RECORD;
	}
	return next_waiting(pf, h, data, errbuf, errlen);
}

/*
 * The thread's copy leaves the bytes in the other core's cache, and the
 * records' headers lie at irregular distances: fetch every line a stretch
 * ahead of the caller, or each header costs a wait for the other core.
 */
#define FETCH_AHEAD	(16u << 10)

static void
prefetch_ahead(struct pcapfile *pf, uint64_t wr)
{
	uint64_t end = pf->pos + FETCH_AHEAD;

	if (end > wr)
		end = wr;
	if (pf->fetched < pf->pos)
		pf->fetched = pf->pos & ~(uint64_t)63;
	for (; pf->fetched < end; pf->fetched += 64)
		__builtin_prefetch(pf->buf + pf->fetched % RING);
}

int
pcapfile_batch(struct pcapfile *pf, struct pcap_pkthdr *h,
    const uint8_t **data, size_t max, char *errbuf, size_t errlen)
{
	uint64_t wr;
	uint32_t caplen;
	size_t n = 0;
	int rc;

	give_back(pf);
	/* What is in the ring now: one look for the whole batch. */
	wr = atomic_load_explicit(&pf->wr, memory_order_acquire);
	prefetch_ahead(pf, wr);
	while (n < max) {
		if (whole(pf, wr, &caplen))
			take(pf, caplen, &h[n], &data[n]);
		else if (n > 0)
			break;		/* hand these on rather than wait */
		else if ((rc = next_waiting(pf, &h[0], &data[0], errbuf,
		    errlen)) != PCAPFILE_RECORD)
			return rc;
		else
			wr = atomic_load_explicit(&pf->wr, memory_order_acquire);
		n++;
	}
	return (int)n;
}
