/*
 * test_fingerprint.c - keyed fingerprints (alerts/fingerprint.c) and their
 * place in the writer's output, EVE and ECS (alerts/json.c, alerts/ecs.c).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../alerts/alert.h"
#include "../../alerts/fingerprint.h"

static char dir[] = "/tmp/credleak-fp-XXXXXX";

static const char *
key_file(const char *name, const void *key, size_t n, mode_t mode)
{
	static char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(write(fd, key, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* RFC 4231 §4.2, test case 1, cut to 128 bits. */
static void
test_rfc4231_vector(void **unused)
{
	uint8_t key[20];
	char buf[FINGERPRINT_LEN];
	struct secret_key *k;
	char err[128];

	(void)unused;
	memset(key, 0x0b, sizeof(key));
	assert_non_null(k = secret_key_load(key_file("k", key, sizeof(key), 0600),
	    err, sizeof(err)));
	assert_true(secret_fingerprint(k, (const uint8_t *)"Hi There", 8, buf,
	    sizeof(buf)));
	assert_string_equal(buf, "hmac-sha256-128:b0344c61d8db38535ca8afceaf0bf12b");
	assert_false(secret_fingerprint(k, (const uint8_t *)"x", 1, buf, 10));
	assert_string_equal(buf, "");
	secret_key_free(k);
}

static void
test_key_refused(void **unused)
{
	static const char key[] = "0123456789abcdef0123";
	uint8_t big[SECRET_KEY_MAX + 1];
	char err[256];

	(void)unused;
	assert_null(secret_key_load(key_file("k", key, 16, 0644), err, sizeof(err)));
	assert_non_null(strstr(err, "every user"));
	assert_null(strstr(err, "0123456789"));
	assert_null(secret_key_load(key_file("k", key, 16, 0602), err, sizeof(err)));
	assert_null(secret_key_load(key_file("k", key, 15, 0600), err, sizeof(err)));
	assert_non_null(strstr(err, "at least 16"));
	memset(big, 'a', sizeof(big));
	assert_null(secret_key_load(key_file("k", big, sizeof(big), 0600), err,
	    sizeof(err)));
	assert_null(secret_key_load(dir, err, sizeof(err)));	/* a directory */
	/* 16 bytes, group-readable: accepted. */
	secret_key_free(secret_key_load(key_file("k", key, 16, 0640), err,
	    sizeof(err)));
	secret_key_free(NULL);
}

/* One cleartext_credentials finding through a sink; the line written. */
static void
emit_line(const struct secret_key *k, enum alert_format fmt, char *line,
    size_t len)
{
	static const uint8_t pw[] = "Tr0ub4dor-test-1";
	struct flow_info fi = { .family = 4, .cli_port = 40000, .srv_port = 110,
	    .flow_id = 7, .input = "unit" };
	struct finding f = { .kind = K_CLEARTEXT_CREDENTIALS, .app_proto = "pop3",
	    .mechanism = "USER/PASS", .username = (const uint8_t *)"alice",
	    .username_len = 5, .result = RES_SUCCESS, .secret_seen = true,
	    .secret = pw, .secret_len = sizeof(pw) - 1 };
	struct alert_opts o = { .sensor = "s", .format = fmt, .secret_key = k };
	struct alert_sink *s;
	FILE *fp;

	assert_non_null(fp = tmpfile());
	o.out = fp;
	assert_non_null(s = alert_sink_new(&o));
	alert_emit(s, &fi, 1000000, &f);
	assert_int_equal(alert_sink_free(s), 0);
	rewind(fp);
	assert_non_null(fgets(line, (int)len, fp));
	fclose(fp);
	assert_null(strstr(line, "Tr0ub4dor"));
}

static void
test_writer(void **unused)
{
	static const char key[] = "unit-test-key-0123456789";
	char line[4096], want[FINGERPRINT_LEN + 64], fp[FINGERPRINT_LEN];
	struct secret_key *k;
	char err[128];

	(void)unused;
	assert_non_null(k = secret_key_load(key_file("k", key, sizeof(key) - 1,
	    0600), err, sizeof(err)));
	assert_true(secret_fingerprint(k, (const uint8_t *)"Tr0ub4dor-test-1",
	    16, fp, sizeof(fp)));

	emit_line(NULL, ALERT_FORMAT_EVE, line, sizeof(line));
	assert_null(strstr(line, "secret_fingerprint"));

	emit_line(k, ALERT_FORMAT_EVE, line, sizeof(line));
	snprintf(want, sizeof(want), "\"secret_fingerprint\":\"%s\"", fp);
	assert_non_null(strstr(line, want));
	assert_null(strstr(line, key));

	emit_line(k, ALERT_FORMAT_ECS, line, sizeof(line));
	assert_non_null(strstr(line, want));
	assert_non_null(strstr(line, "\"user\":{\"name\":\"alice\"}"));
	assert_non_null(strstr(line, "\"outcome\":\"success\""));
	assert_non_null(strstr(line, "\"source\":{\"ip\":\"0.0.0.0\",\"port\":40000}"));
	assert_null(strstr(line, "\"src_port\""));
	secret_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231_vector),
		cmocka_unit_test(test_key_refused),
		cmocka_unit_test(test_writer),
	};
	char path[128];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(path, sizeof(path), "%s/k", dir);
	unlink(path);
	rmdir(dir);
	return rc;
}
