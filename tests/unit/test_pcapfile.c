/*
 * test_pcapfile.c - the in-place reader of classic pcap files.
 *
 * Each test builds a pcap file byte by byte in memory (file header, then
 * records in the file's byte order), writes it to a temporary file and
 * reads it back with pcapfile_next() and pcapfile_batch(), checking every
 * header field and every byte.  Record bodies follow a pattern of their
 * record number and offset, so a record handed out from the wrong place,
 * or a stale pointer, shows as a byte mismatch.
 *
 * The reader takes the file in chunks of some 64 KiB multiple starting
 * just past the file header (offset 24), into a buffer whose size is one
 * too; the large files place headers and bodies across every multiple of
 * 64 KiB (test_chunk_boundaries) and largest-size records across several
 * (test_max_record), so whatever those sizes are, records cross chunk
 * ends and buffer wraps in every way.  The large file is also read by
 * libpcap, which must agree record for record.
 *
 * Every test runs twice: as built, and with pthread_create() failing
 * (linked with --wrap=pthread_create), so a reader that reads ahead in a
 * thread is also tried the way it works when it cannot have one.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "../../capture/pcapfile.h"

#define MAGIC_USEC	0xa1b2c3d4u
#define MAGIC_NSEC	0xa1b23c4du
#define LT_EN10MB	1
#define FILEHDR		24u
#define RECHDR		16u
/*
 * Records are placed across every multiple of GRID bytes after the file
 * header: the reader's chunks and its buffer's size are multiples of it.
 */
#define GRID		(64u << 10)

/* A pcap file under construction, in host order or swapped. */
struct pfile {
	uint8_t	*b;
	size_t	 n, cap;
	bool	 swapped;
};

static char errbuf[PCAP_ERRBUF_SIZE];

/* --- pthread_create(), failing on demand ----------------------------- */

static bool no_threads;

int __real_pthread_create(pthread_t *, const pthread_attr_t *,
    void *(*)(void *), void *);
int __wrap_pthread_create(pthread_t *, const pthread_attr_t *,
    void *(*)(void *), void *);

int
__wrap_pthread_create(pthread_t *t, const pthread_attr_t *a,
    void *(*fn)(void *), void *arg)
{
	if (no_threads)
		return EAGAIN;
	return __real_pthread_create(t, a, fn, arg);
}

static int
threads_on(void **state)
{
	(void)state;
	no_threads = false;
	return 0;
}

static int
threads_off(void **state)
{
	(void)state;
	no_threads = true;
	return 0;
}

/* --- file builders --------------------------------------------------- */

static void
put(struct pfile *f, const void *p, size_t n)
{
	if (f->n + n > f->cap) {
		size_t cap = f->cap == 0 ? 4096 : f->cap;

		while (cap < f->n + n)
			cap *= 2;
		assert_non_null(f->b = realloc(f->b, cap));
		f->cap = cap;
	}
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

/* A 32-bit field in the file's byte order. */
static void
put32(struct pfile *f, uint32_t v)
{
	if (f->swapped)
		v = __builtin_bswap32(v);
	put(f, &v, sizeof(v));
}

static void
put16(struct pfile *f, uint16_t v)
{
	if (f->swapped)
		v = __builtin_bswap16(v);
	put(f, &v, sizeof(v));
}

/* The 24-byte file header, version 2.4. */
static void
file_header(struct pfile *f, uint32_t magic, uint32_t snaplen)
{
	put32(f, magic);
	put16(f, 2);
	put16(f, 4);
	put32(f, 0);		/* thiszone */
	put32(f, 0);		/* sigfigs */
	put32(f, snaplen);
	put32(f, LT_EN10MB);
}

/* The recognisable byte at offset j of record i. */
static uint8_t
pattern(uint32_t i, uint32_t j)
{
	return (uint8_t)(i * 7u + j * 13u + (j >> 8) + 0x5a);
}

/* Record i's body, caplen bytes of pattern(i, .), into buf. */
static void
fill_body(uint8_t *buf, uint32_t i, uint32_t caplen)
{
	uint32_t j;

	for (j = 0; j < caplen; j++)
		buf[j] = pattern(i, j);
}

static void
record_hdr(struct pfile *f, uint32_t sec, uint32_t frac, uint32_t caplen,
    uint32_t len)
{
	put32(f, sec);
	put32(f, frac);
	put32(f, caplen);
	put32(f, len);
}

/* A whole record: header, then `body` bytes of record i's pattern. */
static void
record(struct pfile *f, uint32_t i, uint32_t sec, uint32_t frac,
    uint32_t caplen, uint32_t len, uint32_t body)
{
	uint8_t *b;

	record_hdr(f, sec, frac, caplen, len);
	assert_non_null(b = malloc(body + 1));
	fill_body(b, i, body);
	put(f, b, body);
	free(b);
}

/* Write the file to an unlinked temporary file ($TMPDIR or /tmp); its descriptor. */
static int
to_fd(const struct pfile *f)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	size_t off = 0;
	ssize_t w;
	int fd;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	assert_true((size_t)snprintf(path, sizeof(path),
	    "%s/test_pcapfile.XXXXXX", tmp) < sizeof(path));
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(unlink(path), 0);
	while (off < f->n) {
		w = write(fd, f->b + off, f->n - off);
		assert_true(w > 0);
		off += (size_t)w;
	}
	return fd;
}

static void
pfile_free(struct pfile *f)
{
	free(f->b);
	memset(f, 0, sizeof(*f));
}

/* Check a record handed out: its header and every byte of its body. */
static void
check_record(const struct pcap_pkthdr *h, const uint8_t *data, uint32_t i,
    long sec, long usec, uint32_t caplen, uint32_t len)
{
	uint8_t *want;

	assert_int_equal(h->ts.tv_sec, sec);
	assert_int_equal(h->ts.tv_usec, usec);
	assert_int_equal(h->caplen, caplen);
	assert_int_equal(h->len, len);
	assert_non_null(data);
	assert_non_null(want = malloc(caplen + 1));
	fill_body(want, i, caplen);
	assert_memory_equal(data, want, caplen);
	free(want);
}

/* pcapfile_next() must say `want`; on TRUNCATED/ERROR errbuf must hold `msg`. */
static void
expect_end(struct pcapfile *pf, int want, const char *msg)
{
	struct pcap_pkthdr h;
	const uint8_t *d = NULL;

	errbuf[0] = '\0';
	assert_int_equal(pcapfile_next(pf, &h, &d, errbuf, sizeof(errbuf)),
	    want);
	if (msg != NULL)
		assert_non_null(strstr(errbuf, msg));
}

static struct pcapfile *
open_reader(int fd, bool swapped, bool nsec, uint32_t snaplen)
{
	struct pcapfile *pf;

	assert_non_null(pf = pcapfile_new(fd, FILEHDR, swapped, nsec, snaplen));
	return pf;
}

static void
next_ok(struct pcapfile *pf, struct pcap_pkthdr *h, const uint8_t **d)
{
	errbuf[0] = '\0';
	assert_int_equal(pcapfile_next(pf, h, d, errbuf, sizeof(errbuf)),
	    PCAPFILE_RECORD);
}

/* --- tests ----------------------------------------------------------- */

/* Microseconds, host order: fields as written, then a clean end. */
static void
test_usec(void **state)
{
	struct pfile f = { 0 };
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct pcapfile *pf;
	int fd;

	(void)state;
	file_header(&f, MAGIC_USEC, 65535);
	record(&f, 0, 1700000000, 123456, 60, 60, 60);
	record(&f, 1, 1700000001, 999999, 54, 1514, 54);
	record(&f, 2, 1700000002, 0, 1, 1, 1);
	fd = to_fd(&f);
	pf = open_reader(fd, false, false, 65535);
	next_ok(pf, &h, &d);
	check_record(&h, d, 0, 1700000000, 123456, 60, 60);
	next_ok(pf, &h, &d);
	check_record(&h, d, 1, 1700000001, 999999, 54, 1514);
	next_ok(pf, &h, &d);
	check_record(&h, d, 2, 1700000002, 0, 1, 1);
	expect_end(pf, PCAPFILE_END, NULL);
	/* The end stays the end. */
	expect_end(pf, PCAPFILE_END, NULL);
	pcapfile_free(pf);
	close(fd);
	pfile_free(&f);
}

/* Nanoseconds: handed out in microseconds, nsec / 1000, rounded down. */
static void
test_nsec(void **state)
{
	struct pfile f = { 0 };
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct pcapfile *pf;
	int fd;

	(void)state;
	file_header(&f, MAGIC_NSEC, 65535);
	record(&f, 0, 1700000000, 123456789, 60, 60, 60);
	record(&f, 1, 1700000001, 999, 60, 60, 60);
	record(&f, 2, 1700000002, 999999999, 60, 60, 60);
	record(&f, 3, 1700000003, 1000, 60, 60, 60);
	fd = to_fd(&f);
	pf = open_reader(fd, false, true, 65535);
	next_ok(pf, &h, &d);
	check_record(&h, d, 0, 1700000000, 123456, 60, 60);
	next_ok(pf, &h, &d);
	check_record(&h, d, 1, 1700000001, 0, 60, 60);
	next_ok(pf, &h, &d);
	check_record(&h, d, 2, 1700000002, 999999, 60, 60);
	next_ok(pf, &h, &d);
	check_record(&h, d, 3, 1700000003, 1, 60, 60);
	expect_end(pf, PCAPFILE_END, NULL);
	pcapfile_free(pf);
	close(fd);
	pfile_free(&f);
}

/*
 * The other byte order, both magics.  Every field has four different
 * bytes, so a field read in the wrong order cannot pass.
 */
static void
test_swapped(void **state)
{
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct pcapfile *pf;
	int fd, nsec;

	(void)state;
	for (nsec = 0; nsec <= 1; nsec++) {
		struct pfile f = { .swapped = true };

		file_header(&f, nsec ? MAGIC_NSEC : MAGIC_USEC, 0x00010203);
		record(&f, 0, 0x01020304, nsec ? 0x05060708 : 0x00050607,
		    0x0000010b, 0x0000020c, 0x10b);
		record(&f, 1, 0x11121314, nsec ? 123456789 : 123456,
		    0x00000203, 0x00000304, 0x203);
		/* The file really is big-endian on this (little-endian) host. */
		if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
			assert_memory_equal(f.b, nsec ? "\xa1\xb2\x3c\x4d" :
			    "\xa1\xb2\xc3\xd4", 4);
		fd = to_fd(&f);
		pf = open_reader(fd, true, nsec, 0x00010203);
		next_ok(pf, &h, &d);
		check_record(&h, d, 0, 0x01020304,
		    nsec ? 0x05060708 / 1000 : 0x00050607, 0x10b, 0x20c);
		next_ok(pf, &h, &d);
		check_record(&h, d, 1, 0x11121314, 123456, 0x203, 0x304);
		expect_end(pf, PCAPFILE_END, NULL);
		pcapfile_free(pf);
		close(fd);
		pfile_free(&f);
	}
}

/*
 * A record longer than the snapshot length is cut to it (len kept), the
 * rest of its bytes skipped: the next record is read from the right place.
 */
static void
test_snaplen_cut(void **state)
{
	struct pfile f = { 0 };
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct pcapfile *pf;
	int fd;

	(void)state;
	file_header(&f, MAGIC_USEC, 64);
	record(&f, 0, 10, 1, 100, 120, 100);
	record(&f, 1, 11, 2, 64, 64, 64);
	record(&f, 2, 12, 3, 65, 65, 65);
	record(&f, 3, 13, 4, 10, 10, 10);
	fd = to_fd(&f);
	pf = open_reader(fd, false, false, 64);
	next_ok(pf, &h, &d);
	check_record(&h, d, 0, 10, 1, 64, 120);
	next_ok(pf, &h, &d);
	check_record(&h, d, 1, 11, 2, 64, 64);
	next_ok(pf, &h, &d);
	check_record(&h, d, 2, 12, 3, 64, 65);
	next_ok(pf, &h, &d);
	check_record(&h, d, 3, 13, 4, 10, 10);
	expect_end(pf, PCAPFILE_END, NULL);
	pcapfile_free(pf);

	/* The same through pcapfile_batch(). */
	{
		struct pcap_pkthdr hs[8];
		const uint8_t *ds[8];

		pf = open_reader(fd, false, false, 64);
		assert_int_equal(pcapfile_batch(pf, hs, ds, 8, errbuf,
		    sizeof(errbuf)), 4);
		check_record(&hs[0], ds[0], 0, 10, 1, 64, 120);
		check_record(&hs[1], ds[1], 1, 11, 2, 64, 64);
		check_record(&hs[2], ds[2], 2, 12, 3, 64, 65);
		check_record(&hs[3], ds[3], 3, 13, 4, 10, 10);
		assert_int_equal(pcapfile_batch(pf, hs, ds, 8, errbuf,
		    sizeof(errbuf)), PCAPFILE_END);
		pcapfile_free(pf);
	}
	close(fd);
	pfile_free(&f);
}

/* caplen over 262144 is an error (after the good records before it). */
static void
test_caplen_too_big(void **state)
{
	struct pfile f = { 0 };
	struct pcap_pkthdr h, hs[4];
	const uint8_t *d, *ds[4];
	struct pcapfile *pf;
	int fd;

	(void)state;
	file_header(&f, MAGIC_USEC, 65535);
	record(&f, 0, 1, 0, 40, 40, 40);
	/* Whole in the file, so it is the length, not the end, that fails. */
	record(&f, 1, 2, 0, PCAPFILE_MAX_CAPLEN + 1, PCAPFILE_MAX_CAPLEN + 1,
	    PCAPFILE_MAX_CAPLEN + 1);
	fd = to_fd(&f);
	pf = open_reader(fd, false, false, 65535);
	next_ok(pf, &h, &d);
	check_record(&h, d, 0, 1, 0, 40, 40);
	expect_end(pf, PCAPFILE_ERROR,
	    "invalid packet capture length 262145");
	pcapfile_free(pf);

	pf = open_reader(fd, false, false, 0);	/* snaplen 0: the maximum */
	errbuf[0] = '\0';
	assert_int_equal(pcapfile_batch(pf, hs, ds, 4, errbuf, sizeof(errbuf)),
	    1);
	check_record(&hs[0], ds[0], 0, 1, 0, 40, 40);
	assert_int_equal(pcapfile_batch(pf, hs, ds, 4, errbuf, sizeof(errbuf)),
	    PCAPFILE_ERROR);
	assert_non_null(strstr(errbuf, "invalid packet capture length"));
	pcapfile_free(pf);
	close(fd);
	pfile_free(&f);

	/* 0xffffffff: no overflow in the length arithmetic. */
	memset(&f, 0, sizeof(f));
	file_header(&f, MAGIC_USEC, 65535);
	record_hdr(&f, 1, 0, 0xffffffffu, 60);
	put(&f, "abcd", 4);
	fd = to_fd(&f);
	pf = open_reader(fd, false, false, 65535);
	expect_end(pf, PCAPFILE_ERROR, "invalid packet capture length 4294967295");
	pcapfile_free(pf);
	close(fd);
	pfile_free(&f);
}

/* A file of only its header: a clean end, through both calls. */
static void
test_header_only(void **state)
{
	struct pfile f = { 0 };
	struct pcap_pkthdr hs[2];
	const uint8_t *ds[2];
	struct pcapfile *pf;
	int fd;

	(void)state;
	file_header(&f, MAGIC_USEC, 65535);
	assert_int_equal(f.n, FILEHDR);
	fd = to_fd(&f);
	pf = open_reader(fd, false, false, 65535);
	expect_end(pf, PCAPFILE_END, NULL);
	pcapfile_free(pf);
	pf = open_reader(fd, false, false, 65535);
	assert_int_equal(pcapfile_batch(pf, hs, ds, 2, errbuf, sizeof(errbuf)),
	    PCAPFILE_END);
	pcapfile_free(pf);
	close(fd);
	pfile_free(&f);
}

/* The file ends inside a record header: each of 1 to 15 bytes of it. */
static void
test_truncated_header(void **state)
{
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct pcapfile *pf;
	size_t cut;
	int fd;

	(void)state;
	for (cut = 1; cut < RECHDR; cut++) {
		struct pfile f = { 0 };

		file_header(&f, MAGIC_USEC, 65535);
		record(&f, 0, 5, 6, 70, 70, 70);
		record(&f, 1, 7, 8, 70, 70, 70);
		f.n -= 70 + RECHDR - cut;
		fd = to_fd(&f);
		pf = open_reader(fd, false, false, 65535);
		next_ok(pf, &h, &d);
		check_record(&h, d, 0, 5, 6, 70, 70);
		expect_end(pf, PCAPFILE_TRUNCATED, "truncated");
		pcapfile_free(pf);
		close(fd);
		pfile_free(&f);
	}

	/*
	 * Cut after the captured length, which is over the limit: still a
	 * truncated header (libpcap reads the whole header first), not a
	 * length error.
	 */
	for (cut = 12; cut < RECHDR; cut++) {
		struct pfile f = { 0 };

		file_header(&f, MAGIC_USEC, 65535);
		record_hdr(&f, 7, 8, PCAPFILE_MAX_CAPLEN + 1, 70);
		f.n -= RECHDR - cut;
		fd = to_fd(&f);
		pf = open_reader(fd, false, false, 65535);
		expect_end(pf, PCAPFILE_TRUNCATED, "truncated");
		pcapfile_free(pf);
		close(fd);
		pfile_free(&f);
	}
}

/*
 * The file ends inside a record's bytes: a plain record, and one longer
 * than the snapshot length cut inside the part that would be skipped.
 */
static void
test_truncated_data(void **state)
{
	struct pcap_pkthdr h, hs[4];
	const uint8_t *d, *ds[4];
	struct pcapfile *pf;
	int fd, snapcase;

	(void)state;
	for (snapcase = 0; snapcase < 4; snapcase++) {
		struct pfile f = { 0 };
		uint32_t snap = snapcase & 1 ? 64 : 65535;

		file_header(&f, MAGIC_USEC, snap);
		record(&f, 0, 5, 6, 30, 30, 30);
		/* 20 bytes missing, or only the last one. */
		record(&f, 1, 7, 8, 100, 100, snapcase & 2 ? 99 : 80);
		fd = to_fd(&f);
		pf = open_reader(fd, false, false, snap);
		next_ok(pf, &h, &d);
		check_record(&h, d, 0, 5, 6, 30, 30);
		expect_end(pf, PCAPFILE_TRUNCATED, "truncated");
		pcapfile_free(pf);

		pf = open_reader(fd, false, false, snap);
		assert_int_equal(pcapfile_batch(pf, hs, ds, 4, errbuf,
		    sizeof(errbuf)), 1);
		check_record(&hs[0], ds[0], 0, 5, 6, 30, 30);
		errbuf[0] = '\0';
		assert_int_equal(pcapfile_batch(pf, hs, ds, 4, errbuf,
		    sizeof(errbuf)), PCAPFILE_TRUNCATED);
		assert_non_null(strstr(errbuf, "truncated"));
		pcapfile_free(pf);
		close(fd);
		pfile_free(&f);
	}
}

/* --- large files ---------------------------------------------------- */

/* The k-th multiple of GRID after the file header. */
#define BOUNDARY(k)	(FILEHDR + (size_t)(k) * GRID)

/* A file and what each of its records must read back as. */
struct recs {
	struct pfile	 f;
	uint32_t	*caplen, *len;
	uint32_t	 n, cap;
};

/*
 * Append record n: caplen bytes of its pattern, the wire length `len`,
 * time stamp 1000000 + n seconds and n % 1000000 microseconds.
 */
static void
add(struct recs *r, uint32_t caplen, uint32_t len)
{
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 1024 : r->cap * 2;
		assert_non_null(r->caplen = realloc(r->caplen,
		    r->cap * sizeof(*r->caplen)));
		assert_non_null(r->len = realloc(r->len,
		    r->cap * sizeof(*r->len)));
	}
	r->caplen[r->n] = caplen;
	r->len[r->n] = len;
	record(&r->f, r->n, 1000000 + r->n, r->n % 1000000, caplen, len,
	    caplen);
	r->n++;
}

/* Records of up to 60000 bytes until the file is exactly `target` long. */
static void
pad_to(struct recs *r, size_t target)
{
	size_t d, size;

	while ((d = target - r->f.n) > 0) {
		assert_true(target > r->f.n && d > RECHDR);
		size = d - RECHDR;
		if (size > 60000)
			size = d - RECHDR - 60000 > RECHDR ? 60000 : size / 2;
		add(r, (uint32_t)size, (uint32_t)size);
	}
}

static void
recs_free(struct recs *r)
{
	pfile_free(&r->f);
	free(r->caplen);
	free(r->len);
	memset(r, 0, sizeof(*r));
}

static void
check_rec(const struct recs *r, const struct pcap_pkthdr *h,
    const uint8_t *d, uint32_t i)
{
	assert_true(i < r->n);
	check_record(h, d, i, 1000000 + (long)i, (long)(i % 1000000),
	    r->caplen[i], r->len[i]);
}

/* Read the whole file with pcapfile_next(): every record, then the end. */
static void
read_all(const struct recs *r, int fd, uint32_t snaplen)
{
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct pcapfile *pf;
	uint32_t i;
	int rc;

	pf = open_reader(fd, false, false, snaplen);
	for (i = 0; (rc = pcapfile_next(pf, &h, &d, errbuf,
	    sizeof(errbuf))) == PCAPFILE_RECORD; i++)
		check_rec(r, &h, d, i);
	assert_int_equal(rc, PCAPFILE_END);
	assert_int_equal(i, r->n);
	pcapfile_free(pf);
}

/*
 * Read it in batches of at most max: never more (the slot after max is
 * left alone), every record of a batch right after the call, every record
 * once and in order.  Returns how many batches held more than one.
 */
static uint32_t
read_batches(const struct recs *r, int fd, uint32_t snaplen, size_t max)
{
	struct pcap_pkthdr *hs;
	const uint8_t **ds;
	const uint8_t sentinel = 0;
	struct pcapfile *pf;
	uint32_t i = 0, j, multi = 0, nbatch = 0;
	int rc;

	assert_non_null(hs = calloc(max + 1, sizeof(*hs)));
	assert_non_null(ds = calloc(max + 1, sizeof(*ds)));
	pf = open_reader(fd, false, false, snaplen);
	for (;;) {
		memset(&hs[max], 0xee, sizeof(hs[max]));
		ds[max] = &sentinel;
		rc = pcapfile_batch(pf, hs, ds, max, errbuf, sizeof(errbuf));
		if (rc <= 0)
			break;
		assert_true((size_t)rc <= max);
		assert_int_equal(hs[max].caplen, 0xeeeeeeeeu);
		assert_ptr_equal(ds[max], &sentinel);
		if (rc > 1)
			multi++;
		/*
		 * Now and then let a reader that reads ahead fill all the room
		 * it has: it must not be the room of these records.
		 */
		if (++nbatch % 16 == 0)
			(void)usleep(200);
		/* All of them, after the call: none was moved or overwritten. */
		for (j = 0; j < (uint32_t)rc; j++)
			check_rec(r, &hs[j], ds[j], i + j);
		i += (uint32_t)rc;
	}
	assert_int_equal(rc, PCAPFILE_END);
	assert_int_equal(i, r->n);
	pcapfile_free(pf);
	free(hs);
	free(ds);
	return multi;
}

#define NBOUNDARY	64	/* a 4 MiB file */

/*
 * Records of odd sizes 1 .. 1517 (cycling), with one record sized to end
 * at a target by each boundary k = 1 .. 64, the targets cycling through
 * (7 kinds: every power-of-two multiple of GRID meets all of them):
 * the next header straddles it (-7, -8), ends 4 bytes before it so the
 * body straddles (-20), ends exactly on it (-16), starts one byte before
 * it (-1); a record ends exactly on it (0) or one byte past it (+1).  The
 * record after a target is at least 64 bytes long.
 */
static void
make_big(struct recs *r)
{
	static const int where[] = { -7, -20, 0, -16, 1, -1, -8 };
	size_t k = 1, pos, target;
	uint32_t i, size;
	bool after = false;

	memset(r, 0, sizeof(*r));
	file_header(&r->f, MAGIC_USEC, 65535);
	for (i = 0; k <= NBOUNDARY || i < 1517 ||
	    r->f.n < BOUNDARY(NBOUNDARY) + 8192; i++) {
		pos = r->f.n;
		size = i % 1517 + 1;
		if (after && size < 64)
			size = 64 + i % 7;
		after = false;
		target = (size_t)((long)BOUNDARY(k) +
		    where[(k - 1) % (sizeof(where) / sizeof(where[0]))]);
		/* Would this record leave less than a 17-byte record's room? */
		if (k <= NBOUNDARY && pos + RECHDR + size + RECHDR + 1 > target) {
			assert_true(target >= pos + RECHDR + 1);
			size = (uint32_t)(target - pos - RECHDR);
			k++;
			after = true;
		}
		/* len > caplen now and then, as with a snapshot length. */
		add(r, size, size + (i % 3 == 0 ? 4 : 0));
		if (after)
			assert_int_equal(r->f.n, target);
	}
	assert_int_equal(k, NBOUNDARY + 1);
}

/* Every record's bytes and the count, one at a time; libpcap agrees. */
static void
test_chunk_boundaries(void **state)
{
	struct recs r;
	struct pcap_pkthdr h, *lh;
	const uint8_t *d;
	const u_char *ld;
	struct pcapfile *pf;
	char perr[PCAP_ERRBUF_SIZE];
	FILE *fp;
	pcap_t *pc;
	uint32_t i;
	int fd, rc;

	(void)state;
	make_big(&r);
	assert_true(r.f.n > 600u << 10);
	fd = to_fd(&r.f);
	read_all(&r, fd, 65535);

	/* libpcap's own reading of the same file, record for record. */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_non_null(fp = fdopen(dup(fd), "rb"));
	pc = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_MICRO, perr);
	assert_non_null(pc);
	pf = open_reader(fd, pcap_is_swapped(pc) == 1, false,
	    (uint32_t)pcap_snapshot(pc));
	for (i = 0; (rc = pcap_next_ex(pc, &lh, &ld)) == 1; i++) {
		next_ok(pf, &h, &d);
		assert_int_equal(h.ts.tv_sec, lh->ts.tv_sec);
		assert_int_equal(h.ts.tv_usec, lh->ts.tv_usec);
		assert_int_equal(h.caplen, lh->caplen);
		assert_int_equal(h.len, lh->len);
		assert_memory_equal(d, ld, h.caplen);
	}
	assert_int_equal(rc, PCAP_ERROR_BREAK);
	assert_int_equal(i, r.n);
	expect_end(pf, PCAPFILE_END, NULL);
	pcapfile_free(pf);
	pcap_close(pc);

	close(fd);
	recs_free(&r);
}

/*
 * Records of exactly the largest length (262144 bytes), not cut with the
 * default snapshot length: at the start of the file, with the header
 * straddling 512 KiB and 1 MiB, the body straddling 1.5 MiB, the body
 * starting at 2 MiB, and several in a row; through both calls.
 */
static void
test_max_record(void **state)
{
	const uint32_t M = PCAPFILE_MAX_CAPLEN;
	struct recs r = { 0 };
	int fd;

	(void)state;
	file_header(&r.f, MAGIC_USEC, M);
	add(&r, M, M);				/* at offset 24 */
	add(&r, 30, 30);
	pad_to(&r, BOUNDARY(8) - 8);		/* 512 KiB */
	add(&r, M, M + 100);			/* header across it */
	pad_to(&r, BOUNDARY(16) - 9);		/* 1 MiB */
	add(&r, M, M);				/* header across it */
	pad_to(&r, BOUNDARY(24) - 1000);	/* 1.5 MiB */
	add(&r, M, M);				/* body across it */
	pad_to(&r, BOUNDARY(32) - RECHDR);	/* 2 MiB */
	add(&r, M, M);				/* body starts on it */
	add(&r, M, M);
	add(&r, M, M);
	add(&r, M, M);
	add(&r, M, M);
	add(&r, 1, 1);
	fd = to_fd(&r.f);
	read_all(&r, fd, M);
	(void)read_batches(&r, fd, M, 1);
	(void)read_batches(&r, fd, M, 4);
	(void)read_batches(&r, fd, M, 32);
	/* Snapshot length 0 is taken as the largest. */
	read_all(&r, fd, 0);
	close(fd);
	recs_free(&r);
}

/*
 * pcapfile_batch() over the large file: more than one record at a time
 * (most batches full: only those cut short by a boundary are not), never
 * more than max, each record once, all correct after each call.
 */
static void
test_batch(void **state)
{
	static const size_t maxes[] = { 1, 2, 7, 32, 1000 };
	struct recs r;
	size_t m, max;
	uint32_t multi;
	int fd;

	(void)state;
	make_big(&r);
	fd = to_fd(&r.f);
	for (m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
		max = maxes[m];
		multi = read_batches(&r, fd, 65535, max);
		if (max == 1)
			assert_int_equal(multi, 0);
		else if (max < 1000)
			assert_true(multi > r.n / max / 2);
		else
			assert_true(multi >= 4);
	}
	close(fd);
	recs_free(&r);
}

/* Batches and single records mixed, each picking up where the other left. */
static void
test_batch_mixed(void **state)
{
	struct pfile f = { 0 };
	struct pcap_pkthdr h, hs[3];
	const uint8_t *d, *ds[3];
	struct pcapfile *pf;
	uint32_t i;
	int fd;

	(void)state;
	file_header(&f, MAGIC_USEC, 65535);
	for (i = 0; i < 10; i++)
		record(&f, i, 100 + i, i, 20 + i, 20 + i, 20 + i);
	fd = to_fd(&f);
	pf = open_reader(fd, false, false, 65535);
	assert_int_equal(pcapfile_batch(pf, hs, ds, 3, errbuf, sizeof(errbuf)),
	    3);
	for (i = 0; i < 3; i++)
		check_record(&hs[i], ds[i], i, 100 + i, i, 20 + i, 20 + i);
	next_ok(pf, &h, &d);
	check_record(&h, d, 3, 103, 3, 23, 23);
	assert_int_equal(pcapfile_batch(pf, hs, ds, 3, errbuf, sizeof(errbuf)),
	    3);
	for (i = 0; i < 3; i++)
		check_record(&hs[i], ds[i], 4 + i, 104 + i, 4 + i, 24 + i,
		    24 + i);
	next_ok(pf, &h, &d);
	check_record(&h, d, 7, 107, 7, 27, 27);
	assert_int_equal(pcapfile_batch(pf, hs, ds, 3, errbuf, sizeof(errbuf)),
	    2);
	for (i = 0; i < 2; i++)
		check_record(&hs[i], ds[i], 8 + i, 108 + i, 8 + i, 28 + i,
		    28 + i);
	assert_int_equal(pcapfile_batch(pf, hs, ds, 3, errbuf, sizeof(errbuf)),
	    PCAPFILE_END);
	pcapfile_free(pf);
	close(fd);
	pfile_free(&f);
}

/*
 * Time stamps are unsigned 32-bit (draft-ietf-opsawg-pcap §5): a second
 * count with the top bit set is a time after 2038, not before 1970, and
 * a fraction with it set stays positive, in either byte order and after
 * nanosecond scaling.
 */
static void
test_ts_unsigned(void **state)
{
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct pcapfile *pf;
	int fd, sw, nsec;

	(void)state;
	for (sw = 0; sw <= 1; sw++) {
		for (nsec = 0; nsec <= 1; nsec++) {
			struct pfile f = { .swapped = sw };

			file_header(&f, nsec ? MAGIC_NSEC : MAGIC_USEC, 65535);
			record(&f, 0, (uint32_t)-16, nsec ? 5000 : 5, 40, 40,
			    40);
			record(&f, 1, 0x80000000u, (uint32_t)(nsec ? -5000 :
			    -5), 40, 40, 40);
			record(&f, 2, 0x7fffffffu, 0, 40, 40, 40);
			fd = to_fd(&f);
			pf = open_reader(fd, sw, nsec, 65535);
			next_ok(pf, &h, &d);
			assert_true(h.ts.tv_sec > 0);
			check_record(&h, d, 0, 4294967280L, 5, 40, 40);
			next_ok(pf, &h, &d);
			assert_true(h.ts.tv_sec > 0);
			check_record(&h, d, 1, 2147483648L,
			    nsec ? 4294962L : 4294967291L, 40, 40);
			next_ok(pf, &h, &d);
			check_record(&h, d, 2, INT32_MAX, 0, 40, 40);
			expect_end(pf, PCAPFILE_END, NULL);
			pcapfile_free(pf);
			close(fd);
			pfile_free(&f);
		}
	}
}

/* A read that fails is an error, never a clean end of file. */
static void
test_read_error(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	struct pcapfile *pf;
	int fd, wfd;

	(void)state;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	assert_true((size_t)snprintf(path, sizeof(path),
	    "%s/test_pcapfile.XXXXXX", tmp) < sizeof(path));
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, "0123456789012345678901234567890123456789",
	    40), 40);
	/* Open for writing only: pread() fails with EBADF. */
	assert_true((wfd = open(path, O_WRONLY)) >= 0);
	assert_int_equal(unlink(path), 0);
	close(fd);
	pf = open_reader(wfd, false, false, 65535);
	expect_end(pf, PCAPFILE_ERROR, "error reading");
	pcapfile_free(pf);
	close(wfd);
}

/* The reader starts where it is told, past the file header. */
static void
test_start_offset(void **state)
{
	struct pfile f = { 0 };
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct pcapfile *pf;
	int fd;

	(void)state;
	put(&f, "0123456789", 10);	/* not a header: just bytes to skip */
	record(&f, 0, 9, 9, 33, 33, 33);
	fd = to_fd(&f);
	assert_non_null(pf = pcapfile_new(fd, 10, false, false, 65535));
	next_ok(pf, &h, &d);
	check_record(&h, d, 0, 9, 9, 33, 33);
	expect_end(pf, PCAPFILE_END, NULL);
	pcapfile_free(pf);
	close(fd);
	pfile_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usec),
		cmocka_unit_test(test_nsec),
		cmocka_unit_test(test_swapped),
		cmocka_unit_test(test_snaplen_cut),
		cmocka_unit_test(test_caplen_too_big),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_truncated_data),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_max_record),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_batch_mixed),
		cmocka_unit_test(test_ts_unsigned),
		cmocka_unit_test(test_start_offset),
		cmocka_unit_test(test_read_error),
	};

	int failed;

	failed = cmocka_run_group_tests(tests, threads_on, NULL);
	fprintf(stderr, "again, with pthread_create() failing:\n");
	failed += cmocka_run_group_tests(tests, threads_off, threads_on);
	return failed;
}
