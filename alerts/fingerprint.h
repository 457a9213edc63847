/*
 * fingerprint.h - keyed fingerprints of secrets (--secret-key-file).
 *
 * A fingerprint lets a SIEM see that one password was used by several
 * accounts or on several servers without the password, or anything a
 * dictionary could be run against, leaving the sensor: it is HMAC-SHA-256
 * (RFC 2104, FIPS 180-4) under a key only the operator holds, truncated to
 * 128 bits (RFC 2104 §5 allows truncation to at least half the output).
 * It is a correlation handle, not a proof: 128 bits keep accidental
 * collisions negligible (about 2^-64 after 2^32 distinct secrets) while
 * halving what an event carries.
 */
#ifndef CREDLEAK_FINGERPRINT_H
#define CREDLEAK_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECRET_KEY_MIN		16	/* bytes: 128 bits, the fingerprint's strength */
#define SECRET_KEY_MAX		1024	/* bytes read from the key file at most */
#define FINGERPRINT_PREFIX	"hmac-sha256-128:"
#define FINGERPRINT_BYTES	16	/* of the 32 the HMAC gives */
/* Prefix, two hex digits a byte, NUL. */
#define FINGERPRINT_LEN		(sizeof(FINGERPRINT_PREFIX) - 1 + (size_t)2 * FINGERPRINT_BYTES + 1)

struct secret_key;

/*
 * Read the key from path: its bytes as they are (a trailing newline is part
 * of the key).  NULL with a reason in err (which never holds key bytes) when
 * the file cannot be read, is not a regular file, can be read by others
 * than its owner and group, or holds fewer than SECRET_KEY_MIN bytes or more
 * than SECRET_KEY_MAX.
 */
struct secret_key *secret_key_load(const char *path, char *err, size_t errlen);

/* Wipe the key (explicit_bzero) and free it.  NULL is fine. */
void secret_key_free(struct secret_key *k);

/*
 * FINGERPRINT_PREFIX and the lowercase hex of the first FINGERPRINT_BYTES of
 * HMAC-SHA-256(key, secret) into buf (>= FINGERPRINT_LEN bytes).  false,
 * and buf empty, when it could not be computed.  Thread-safe.
 */
bool secret_fingerprint(const struct secret_key *k, const uint8_t *secret,
    size_t n, char *buf, size_t buflen);

#endif /* CREDLEAK_FINGERPRINT_H */
