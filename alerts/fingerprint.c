/*
 * fingerprint.c - keyed fingerprints of secrets (see fingerprint.h).
 *
 * Specifications: RFC 2104 (HMAC; §5 on truncated outputs), FIPS 180-4
 * (SHA-256), the libgcrypt manual ("Message Authentication Codes").
 *
 * The key is read once, before privileges are dropped, into memory that is
 * locked when the system allows it (so it is not written to swap), and
 * wiped with explicit_bzero() when the run ends.  No message here ever
 * quotes the key or the secret.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#include "fingerprint.h"

struct secret_key {
	size_t		 len;
	bool		 locked;	/* mlock() succeeded */
	uint8_t		 b[SECRET_KEY_MAX];
};

/* The same initialisation json.c does; whichever comes first does it. */
static void
gcrypt_ready(void)
{
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		gcry_check_version(NULL);
		gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	}
}

struct secret_key *
secret_key_load(const char *path, char *err, size_t errlen)
{
	struct secret_key *k = NULL;
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto fail;
	}
	/* A key every local user can read protects nothing. */
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "readable or writable by every user "
		    "(mode %04o): chmod o-rw it first", (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	k->locked = mlock(k, sizeof(*k)) == 0;	/* best effort: keep out of swap */
	/* One byte more than allowed tells an oversized file apart. */
	while (got <= sizeof(k->b)) {
		uint8_t extra;

		if (got < sizeof(k->b))
			n = read(fd, k->b + got, sizeof(k->b) - got);
		else {
			n = read(fd, &extra, 1);
			explicit_bzero(&extra, sizeof(extra));
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > sizeof(k->b)) {
		snprintf(err, errlen, "longer than %d bytes", SECRET_KEY_MAX);
		goto fail;
	}
	if (got < SECRET_KEY_MIN) {
		snprintf(err, errlen, "%zu bytes; a key needs at least %d "
		    "(e.g. head -c 32 /dev/urandom)", got, SECRET_KEY_MIN);
		goto fail;
	}
	k->len = got;
	close(fd);
	gcrypt_ready();
	return k;
fail:
	secret_key_free(k);
	close(fd);
	return NULL;
}

void
secret_key_free(struct secret_key *k)
{
	if (k == NULL)
		return;
	explicit_bzero(k->b, sizeof(k->b));
	k->len = 0;
	if (k->locked)
		munlock(k, sizeof(*k));
	free(k);
}

bool
secret_fingerprint(const struct secret_key *k, const uint8_t *secret,
    size_t n, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	static const char prefix[] = FINGERPRINT_PREFIX;
	uint8_t mac[32];
	size_t maclen = sizeof(mac), i, o;
	gcry_mac_hd_t h;
	bool ok;

	if (buf == NULL || buflen == 0)
		return false;
	buf[0] = '\0';
	if (k == NULL || k->len == 0 || secret == NULL || buflen < FINGERPRINT_LEN)
		return false;
	gcrypt_ready();
	/* A handle per call: workers fingerprint at the same time. */
	if (gcry_mac_open(&h, GCRY_MAC_HMAC_SHA256, 0, NULL) != 0)
		return false;
	ok = gcry_mac_setkey(h, k->b, k->len) == 0 &&
	    gcry_mac_write(h, secret, n) == 0 &&
	    gcry_mac_read(h, mac, &maclen) == 0 && maclen == sizeof(mac);
	gcry_mac_close(h);
	if (ok) {
		o = sizeof(prefix) - 1;
		memcpy(buf, prefix, o);
		for (i = 0; i < FINGERPRINT_BYTES; i++) {
			buf[o++] = hex[mac[i] >> 4];
			buf[o++] = hex[mac[i] & 0x0f];
		}
		buf[o] = '\0';
	}
	explicit_bzero(mac, sizeof(mac));
	return ok;
}
