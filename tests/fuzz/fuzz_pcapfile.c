/*
 * fuzz_pcapfile.c - libFuzzer harness for capture/pcapfile.c, differential
 * against libpcap's own reader.
 *
 * Input: a whole pcap file.  It goes to a memfd; libpcap opens it from a
 * FILE on a duplicate of that descriptor (microsecond precision, as
 * capture.c asks) and, when it accepts the header and the file is one the
 * in-place reader would be given (capture.c inplace_reader(): version 2.4,
 * the microsecond or nanosecond magic in either byte order, and a link
 * type credleak reads), both readers go through the records side by side.
 * Any difference aborts: a record's time stamp, caplen, len or bytes, how
 * many records there were, or how the file ended (PCAPFILE_END against
 * libpcap's -2, PCAPFILE_TRUNCATED against an error saying "truncated",
 * PCAPFILE_ERROR against any other error).  Both stop after MAX_RECORDS.
 *
 * One difference is known and let through: libpcap 1.10 reads the time
 * stamp fields of a file in the other byte order as unsigned 32-bit
 * values (its SWAPLONG), those of a file in ours as signed; pcapfile.c
 * reads both as unsigned, as the format says.  They part only on a field
 * with its top bit set (a time past 2038, a fraction over 2^31) in a file
 * of our byte order, and there each must be what its own rule makes of
 * the field, which the harness reads from its copy of the file.
 *
 * Four header bytes that libpcap ignores (thiszone, offset 8) steer the
 * in-place reader:
 *   byte 8   which calls take records: bit k (of the k-th call, mod 8)
 *            set is pcapfile_next(), clear is pcapfile_batch()
 *            (the byte is taken XOR 0x55, so a zero byte alternates)
 *   byte 9   pcapfile_batch()'s max: 1 + (byte + 3) % 16
 *   byte 10  (byte & 3) == 3: filler records (zeros) go before the
 *            input's records, so that the first of them starts 2 * byte 11
 *            bytes before 64 KiB << ((byte >> 2) & 3) past the file
 *            header: 64, 128, 256 or 512 KiB, where the reader's chunks
 *            end and its buffer wraps; small inputs cross them too
 * libpcap reads the same bytes, fillers included.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "../../capture/packet.h"
#include "../../capture/pcapfile.h"

#define MAX_RECORDS	10000	/* both readers stop after this many */
#define MAX_BATCH	16
#define FILEHDR		24u
#define RECHDR		16u
#define GRID		(64u << 10)
#define FILLER_MAX	200000u	/* bytes in one filler record */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() with a message: libFuzzer then saves the input as a crash. */
static void
fail(const char *what, unsigned long long n)
{
	fprintf(stderr, "fuzz_pcapfile: readers differ at record %llu: %s\n",
	    n, what);
	abort();
}

#define CHECK(cond, n)	do { if (!(cond)) fail(#cond, (n)); } while (0)

/* Two values that must be equal: both are printed when they are not. */
#define CHECK_EQ(a, b, n) do {						\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ != b_) {							\
		fprintf(stderr, "fuzz_pcapfile: %s = %lld, %s = %lld\n",	\
		    #a, a_, #b, b_);					\
		fail(#a " == " #b, (n));				\
	}								\
} while (0)

/* The file as written to the memfd. */
struct image {
	uint8_t	*b;
	size_t	 n, cap;
	bool	 swapped, nsec;
};

static uint32_t
get32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? __builtin_bswap32(v) : v;
}

static void
put(struct image *im, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (im->n + n > im->cap) {
		im->cap = im->n + n + 4096;
		if ((im->b = realloc(im->b, im->cap)) == NULL)
			abort();
	}
	if (p != NULL)
		memcpy(im->b + im->n, p, n);
	else
		memset(im->b + im->n, 0, n);
	im->n += n;
}

static void
put32(struct image *im, uint32_t v)
{
	if (im->swapped)
		v = __builtin_bswap32(v);
	put(im, &v, sizeof(v));
}

/*
 * The file: the input, with the filler records after its header if asked
 * (and the magic says which byte order to write them in).
 */
static void
build(struct image *im, const uint8_t *data, size_t size)
{
	uint32_t magic, caplen;
	size_t target;

	im->n = 0;
	magic = size >= 4 ? get32(data, false) : 0;
	im->swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	im->nsec = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	if (size < FILEHDR || (data[10] & 3) != 3 || !(im->swapped ||
	    magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)) {
		put(im, data, size);
		return;
	}
	put(im, data, FILEHDR);
	target = FILEHDR + ((size_t)GRID << ((data[10] >> 2) & 3)) -
	    2u * data[11];
	while (im->n < target) {
		caplen = (uint32_t)(target - im->n - RECHDR);
		if (caplen > FILLER_MAX)
			caplen = caplen - FILLER_MAX > RECHDR ? FILLER_MAX :
			    caplen / 2;
		put32(im, 1);
		put32(im, 0);
		put32(im, caplen);
		put32(im, caplen);
		put(im, NULL, caplen);
	}
	put(im, data + FILEHDR, size - FILEHDR);
}

/* Write all of the image to the memfd, from offset 0. */
static void
load(int fd, const struct image *im)
{
	size_t off = 0;
	ssize_t w;

	if (ftruncate(fd, 0) != 0) {
		perror("fuzz_pcapfile: ftruncate");
		abort();
	}
	while (off < im->n) {
		if ((w = pwrite(fd, im->b + off, im->n - off, (off_t)off)) <= 0) {
			perror("fuzz_pcapfile: pwrite");
			abort();
		}
		off += (size_t)w;
	}
}

/*
 * The time stamp of the record at `off` in the image, against what each
 * reader made of it.  Equal, or (in a file of our byte order) each by its
 * own rule: unsigned for pcapfile.c, signed for libpcap.
 */
static void
check_ts(const struct image *im, size_t off, const struct pcap_pkthdr *ph,
    const struct pcap_pkthdr *lh, unsigned long long n)
{
	uint32_t sec, frac;
	long long s_sec, s_usec, u_sec, u_usec;

	if (ph->ts.tv_sec == lh->ts.tv_sec && ph->ts.tv_usec == lh->ts.tv_usec)
		return;
	CHECK(!im->swapped, n);
	CHECK(off + RECHDR <= im->n, n);
	sec = get32(im->b + off, false);
	frac = get32(im->b + off + 4, false);
	s_sec = (int32_t)sec;
	s_usec = im->nsec ? (int32_t)frac / 1000 : (int32_t)frac;
	u_sec = sec;
	u_usec = im->nsec ? frac / 1000 : frac;
	CHECK_EQ(ph->ts.tv_sec, u_sec, n);
	CHECK_EQ(ph->ts.tv_usec, u_usec, n);
	CHECK_EQ(lh->ts.tv_sec, s_sec, n);
	CHECK_EQ(lh->ts.tv_usec, s_usec, n);
}

/* The in-place reader's result against libpcap's next one. */
static void
compare_end(pcap_t *pc, int rc, unsigned long long n)
{
	struct pcap_pkthdr *lh;
	const u_char *ld;
	const char *err;
	int lrc;

	lrc = pcap_next_ex(pc, &lh, &ld);
	if (rc == PCAPFILE_END) {
		CHECK_EQ(lrc, PCAP_ERROR_BREAK, n);
		return;
	}
	CHECK_EQ(lrc, PCAP_ERROR, n);
	err = pcap_geterr(pc);
	if (rc == PCAPFILE_TRUNCATED)
		CHECK(strstr(err, "truncated") != NULL, n);
	else
		CHECK(rc == PCAPFILE_ERROR && strstr(err, "truncated") == NULL,
		    n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static struct image im;
	struct pcap_pkthdr hs[MAX_BATCH], *lh;
	const uint8_t *ds[MAX_BATCH];
	const u_char *ld;
	char perr[PCAP_ERRBUF_SIZE], rerr[PCAP_ERRBUF_SIZE];
	unsigned long long n = 0;
	struct pcapfile *pf;
	size_t max, i, call, off;
	uint32_t magic;
	uint8_t pattern;
	pcap_t *pc;
	FILE *fp;
	int dupfd, rc, lrc;

	if (fd < 0 && (fd = memfd_create("fuzz_pcapfile", 0)) < 0) {
		perror("fuzz_pcapfile: memfd_create");
		abort();
	}
	build(&im, data, size);
	load(fd, &im);
	if (lseek(fd, 0, SEEK_SET) != 0 || (dupfd = dup(fd)) < 0) {
		perror("fuzz_pcapfile: lseek/dup");
		abort();
	}
	if ((fp = fdopen(dupfd, "rb")) == NULL) {
		perror("fuzz_pcapfile: fdopen");
		abort();
	}
	pc = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (pc == NULL) {
		fclose(fp);		/* still ours when libpcap refuses it */
		return 0;
	}
	/* What capture.c checks before it uses the in-place reader. */
	magic = size >= 4 ? get32(data, false) : 0;
	if (size < FILEHDR || !(magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 ||
	    magic == 0xa1b23c4d || magic == 0x4d3cb2a1) ||
	    pcap_major_version(pc) != 2 || pcap_minor_version(pc) != 4 ||
	    !pkt_linktype_supported(pcap_datalink(pc))) {
		pcap_close(pc);
		return 0;
	}
	CHECK((pcap_is_swapped(pc) == 1) == im.swapped, 0);
	pf = pcapfile_new(fd, FILEHDR, im.swapped, im.nsec,
	    (uint32_t)pcap_snapshot(pc));
	if (pf == NULL) {
		pcap_close(pc);
		return 0;
	}
	pattern = data[8] ^ 0x55;
	max = 1 + (size_t)(data[9] + 3) % MAX_BATCH;

	off = FILEHDR;
	for (call = 0; n < MAX_RECORDS; call++) {
		rerr[0] = '\0';
		if ((pattern >> (call % 8)) & 1)
			rc = pcapfile_next(pf, &hs[0], &ds[0], rerr,
			    sizeof(rerr));
		else {
			rc = pcapfile_batch(pf, hs, ds, max, rerr,
			    sizeof(rerr));
			CHECK(rc <= (int)max, n);
		}
		if (rc <= 0) {
			CHECK(rc == PCAPFILE_END || rc == PCAPFILE_TRUNCATED ||
			    rc == PCAPFILE_ERROR, n);
			/* A message on a fault, and never an empty one. */
			CHECK(rc == PCAPFILE_END || rerr[0] != '\0', n);
			compare_end(pc, rc, n);
			break;
		}
		/*
		 * Each record of the batch against libpcap's next one; the
		 * batch's pointers must all still be good after the call.
		 */
		for (i = 0; i < (size_t)rc; i++, n++) {
			lrc = pcap_next_ex(pc, &lh, &ld);
			CHECK_EQ(lrc, 1, n);
			check_ts(&im, off, &hs[i], lh, n);
			CHECK_EQ(hs[i].caplen, lh->caplen, n);
			CHECK_EQ(hs[i].len, lh->len, n);
			CHECK(hs[i].caplen <= PCAPFILE_MAX_CAPLEN, n);
			CHECK(hs[i].caplen == 0 ||
			    memcmp(ds[i], ld, hs[i].caplen) == 0, n);
			/* The next record in the image: past this one's bytes. */
			CHECK(off + RECHDR <= im.n, n);
			off += RECHDR + get32(im.b + off + 8, im.swapped);
		}
	}
	pcapfile_free(pf);
	pcap_close(pc);
	return 0;
}
