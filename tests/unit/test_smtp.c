/*
 * test_smtp.c - the SMTP decoder (RFC 5321, 4954, 3207, 2920, 3030).
 *
 * A session is an ordered list of (direction, text) steps, with gaps, and
 * the findings it must produce, in order.  Each session is run whole, then
 * with every step cut in two at every byte index, then byte by byte; every
 * run must give the same findings, the same counters and stop (DEC_DONE)
 * at the same step.  No finding may carry a session's secrets, and the
 * decoder state may not hold them after wipe().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../decoders/decoder.h"
#include "../../decoders/sasl.h"

extern const struct decoder smtp_decoder;

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_GOT		16
#define WHOLE		((size_t)-1)

struct step {
	enum dir	 dir;
	const char	*text;		/* NULL: a gap of `gap` bytes, or the end */
	size_t		 len;
	size_t		 gap;
};

#define C(t)		{ DIR_C2S, (t), sizeof(t) - 1, 0 }
#define S(t)		{ DIR_S2C, (t), sizeof(t) - 1, 0 }
#define GAP(d, n)	{ (d), NULL, 0, (n) }
#define END		{ DIR_C2S, NULL, 0, 0 }

/* A finding as expected; fields left out must be zero in the finding too. */
struct want {
	enum finding_kind kind;
	const char	*mech;
	const char	*user;
	enum auth_result result;
	bool		 secret;
	enum tri	 offered;
	bool		 requested;
	int		 reply;
	const char	*mechs;		/* mechanisms_offered, space-separated */
	unsigned	 rcpt, msgs;
	bool		 gap;
	uint16_t	 tls_version, tls_cipher;
	const char	*why;		/* the reason; NULL: not compared */
};

struct got {
	enum finding_kind kind;
	char		 mech[64];
	char		 user[SASL_USER_MAX + 1];
	bool		 has_user;
	enum auth_result result;
	bool		 secret;
	enum tri	 offered;
	bool		 requested;
	int		 reply;
	char		 mechs[64];
	unsigned	 rcpt, msgs;
	bool		 gap;
	uint16_t	 tls_version, tls_cipher;
	char		 why[128];
};

struct run {
	struct got	 got[MAX_GOT];
	size_t		 ngot;
	size_t		 done_at;	/* step whose data() said DEC_DONE, or WHOLE */
	struct dec_counters ctr;
};

struct session {
	const char	*name;
	const struct step *steps;
	bool		 midstream;
	const char *const *secrets;	/* NULL-terminated */
	const struct want *want;
	size_t		 nwant;
	size_t		 done_at;	/* expected; WHOLE: never */
};

static struct run *cur;
static const char *const *cur_secrets;
static const char *cur_mode;

static const char *const no_secrets[] = { NULL };

/* Secrets of the test sessions, in clear and as they cross the wire. */
#define ALICE_B64	"AGFsaWNlAFRyMHViNGRvciYz"	/* \0alice\0Tr0ub4dor&3 */
#define BOB_PW_B64	"YzBycmVjdC1oMHJzZQ=="		/* c0rrect-h0rse */
#define ERIN_B64	"AGVyaW4AczNjcjN0LVBhc3M="	/* \0erin\0s3cr3t-Pass */
#define CAROL_B64	"dXNlcj1jYXJvbEBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5" \
			"LlNlQ3JFdFRvS2VOAQE="
static const char *const secrets[] = {
	"Tr0ub4dor&3", ALICE_B64, "c0rrect-h0rse", BOB_PW_B64,
	"s3cr3t-Pass", ERIN_B64, "ya29.SeCrEtToKeN", CAROL_B64, NULL
};

#define GREET		"220 mx.example.org ESMTP ready\r\n"
#define EHLO		"EHLO client.example.net\r\n"
#define CAPS_TLS_AUTH	"250-mx.example.org\r\n250-PIPELINING\r\n" \
			"250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250 CHUNKING\r\n"
#define CAPS_AUTH	"250-mx.example.org\r\n250-PIPELINING\r\n" \
			"250-AUTH=LOGIN PLAIN\r\n250 8BITMIME\r\n"
#define CAPS_NONE	"250-mx.example.org\r\n250-PIPELINING\r\n250 CHUNKING\r\n"

/*
 * TLS hellos (RFC 5246 §7.4.1.2-7.4.1.3): record header, handshake header,
 * version, random, empty session id, suites, compression.
 */
#define RAND32		"ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
#define CH_TLS10	"\x16\x03\x01\x00\x2f" "\x01\x00\x00\x2b" "\x03\x01" \
			RAND32 "\x00" "\x00\x04\x00\x0a\x00\x2f" "\x01\x00"
#define CH_TLS12	"\x16\x03\x01\x00\x2f" "\x01\x00\x00\x2b" "\x03\x03" \
			RAND32 "\x00" "\x00\x04\xc0\x2f\x00\x9c" "\x01\x00"
#define SH_TLS10_3DES	"\x16\x03\x01\x00\x2a" "\x02\x00\x00\x26" "\x03\x01" \
			RAND32 "\x00" "\x00\x0a" "\x00"
#define SH_TLS12_GCM	"\x16\x03\x03\x00\x2a" "\x02\x00\x00\x26" "\x03\x03" \
			RAND32 "\x00" "\xc0\x2f" "\x00"

static bool
contains(const void *hay, size_t hn, const char *needle)
{
	const uint8_t *h = hay;
	size_t nn = strlen(needle), i;

	for (i = 0; nn > 0 && i + nn <= hn; i++)
		if (memcmp(h + i, needle, nn) == 0)
			return true;
	return false;
}

static void
no_secret_in(const void *p, size_t n, const char *what)
{
	size_t i;

	for (i = 0; p != NULL && cur_secrets[i] != NULL; i++)
		if (contains(p, n, cur_secrets[i]))
			/* The index, never the secret: test logs are output too. */
			fail_msg("%s holds secret #%zu (%s)", what, i, cur_mode);
}

static void
record(void *arg, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f)
{
	struct got *g;
	size_t i;

	(void)arg;
	(void)fi;
	(void)ts_us;
	assert_non_null(cur);
	assert_true(cur->ngot < MAX_GOT);
	assert_string_equal(f->app_proto, "smtp");
	no_secret_in(f->username, f->username_len, "username");
	if (f->mechanism != NULL)
		no_secret_in(f->mechanism, strlen(f->mechanism), "mechanism");
	if (f->reason != NULL)
		no_secret_in(f->reason, strlen(f->reason), "reason");
	g = &cur->got[cur->ngot++];
	memset(g, 0, sizeof(*g));
	g->kind = f->kind;
	if (f->mechanism != NULL)
		snprintf(g->mech, sizeof(g->mech), "%s", f->mechanism);
	g->has_user = f->username != NULL;
	if (f->username != NULL) {
		assert_true(f->username_len <= SASL_USER_MAX);
		memcpy(g->user, f->username, f->username_len);
	}
	g->result = f->result;
	g->secret = f->secret_seen;
	g->offered = f->starttls_offered;
	g->requested = f->starttls_requested;
	g->reply = f->starttls_reply;
	for (i = 0; i < f->nmechs; i++) {
		assert_true(i < FINDING_MAX_MECHS);
		no_secret_in(f->mechs[i], strlen(f->mechs[i]), "mechs");
		if (i > 0)
			strncat(g->mechs, " ", sizeof(g->mechs) - strlen(g->mechs) - 1);
		strncat(g->mechs, f->mechs[i], sizeof(g->mechs) - strlen(g->mechs) - 1);
	}
	g->rcpt = f->rcpt_accepted;
	g->msgs = f->messages_accepted;
	g->gap = f->gap_seen;
	g->tls_version = f->tls_version;
	g->tls_cipher = f->tls_cipher;
	if (f->reason != NULL)
		snprintf(g->why, sizeof(g->why), "%s", f->reason);
}

static const struct flow_info flow = {
	.family = 4,
	.cli_addr = { 192, 0, 2, 10 },
	.srv_addr = { 192, 0, 2, 25 },
	.cli_port = 40000,
	.srv_port = 25,
	.flow_id = 1,
	.input = "test_smtp",
};

/* Run one session; `split` cuts each step in two there, 0 means byte by byte. */
static void
run_once(const struct session *ss, struct alert_sink *sink, size_t split,
    struct run *r)
{
	const struct decoder *d = &smtp_decoder;
	struct dec_ctx ctx;
	const struct step *s;
	size_t i, off, k;
	void *st;

	memset(r, 0, sizeof(*r));
	r->done_at = WHOLE;
	cur = r;
	ctx.flow = &flow;
	ctx.sink = sink;
	ctx.ctr = &r->ctr;
	assert_non_null(st = calloc(1, d->state_size));
	d->init(st, ss->midstream);
	for (i = 0; ss->steps[i].text != NULL || ss->steps[i].gap > 0; i++) {
		s = &ss->steps[i];
		ctx.ts_us = 1000000 + i;
		if (s->text == NULL) {
			d->gap(st, &ctx, s->dir, s->gap);
			continue;
		}
		for (off = 0; off < s->len; off += k) {
			k = s->len - off;
			if (split == 0)
				k = 1;
			else if (off == 0 && split < s->len)
				k = split;
			if (d->data(st, &ctx, s->dir, (const uint8_t *)s->text + off,
			    k) == DEC_DONE) {
				r->done_at = i;
				break;
			}
		}
		if (r->done_at != WHOLE)
			break;
	}
	d->end(st, &ctx, END_FIN);
	d->wipe(st);
	no_secret_in(st, d->state_size, "state after wipe()");
	free(st);
	cur = NULL;
}

static void
same_run(const struct run *a, const struct run *b)
{
	size_t i;

	if (a->ngot != b->ngot)
		fail_msg("%s: %zu findings, whole run had %zu", cur_mode,
		    b->ngot, a->ngot);
	if (a->done_at != b->done_at)
		fail_msg("%s: DEC_DONE at step %zu, whole run at %zu", cur_mode,
		    b->done_at, a->done_at);
	for (i = 0; i < a->ngot; i++)
		if (memcmp(&a->got[i], &b->got[i], sizeof(a->got[i])) != 0)
			fail_msg("%s: finding %zu differs from the whole run",
			    cur_mode, i);
	if (memcmp(&a->ctr, &b->ctr, sizeof(a->ctr)) != 0)
		fail_msg("%s: counters differ from the whole run", cur_mode);
}

static void
describe(char *buf, size_t len, enum finding_kind kind, const char *mech,
    const char *user, enum auth_result res, bool secret, enum tri offered,
    bool requested, int reply, const char *mechs, unsigned rcpt,
    unsigned msgs, bool gap, unsigned tlsv, unsigned tlsc, const char *why)
{
	snprintf(buf, len, "%s mech=\"%s\" user=%s%s%s result=%d secret=%d "
	    "offered=%d requested=%d reply=%d mechs=\"%s\" rcpt=%u msgs=%u "
	    "gap=%d tls=%04x/%04x%s%s%s", finding_kind_name(kind),
	    mech != NULL ? mech : "",
	    user != NULL ? "\"" : "", user != NULL ? user : "(none)",
	    user != NULL ? "\"" : "", (int)res, secret, (int)offered,
	    requested, reply, mechs != NULL ? mechs : "", rcpt, msgs, gap,
	    tlsv, tlsc, why != NULL ? " why=\"" : "", why != NULL ? why : "",
	    why != NULL ? "\"" : "");
}

static void
expect(const struct session *ss, const struct run *r)
{
	char gs[768], ws[768];
	const struct want *w;
	const struct got *g;
	size_t i, n = r->ngot > ss->nwant ? r->ngot : ss->nwant;

	for (i = 0; i < n; i++) {
		gs[0] = ws[0] = '\0';
		if (i < r->ngot) {
			g = &r->got[i];
			describe(gs, sizeof(gs), g->kind, g->mech,
			    g->has_user ? g->user : NULL, g->result, g->secret,
			    g->offered, g->requested, g->reply, g->mechs,
			    g->rcpt, g->msgs, g->gap, g->tls_version,
			    g->tls_cipher, i < ss->nwant &&
			    ss->want[i].why != NULL ? g->why : NULL);
		}
		if (i < ss->nwant) {
			w = &ss->want[i];
			describe(ws, sizeof(ws), w->kind, w->mech, w->user,
			    w->result, w->secret, w->offered, w->requested,
			    w->reply, w->mechs, w->rcpt, w->msgs, w->gap,
			    w->tls_version, w->tls_cipher, w->why);
		}
		if (strcmp(gs, ws) != 0)
			fail_msg("%s: finding %zu\n  got:  %s\n  want: %s",
			    ss->name, i, gs[0] != '\0' ? gs : "(none)",
			    ws[0] != '\0' ? ws : "(none)");
	}
	if (r->done_at != ss->done_at)
		fail_msg("%s: DEC_DONE at step %zu, want %zu", ss->name,
		    r->done_at, ss->done_at);
}

/* Run a session whole, at every split and byte by byte; return the whole run. */
static void
check(const struct session *ss, struct run *whole)
{
	static struct run r;
	struct alert_opts o = { .out = NULL, .sensor = "test", .hook = record };
	struct alert_sink *sink;
	char mode[96];
	size_t i, split, maxlen = 0;

	assert_non_null(sink = alert_sink_new(&o));
	cur_secrets = ss->secrets != NULL ? ss->secrets : no_secrets;
	snprintf(mode, sizeof(mode), "%s whole", ss->name);
	cur_mode = mode;
	run_once(ss, sink, WHOLE, whole);
	expect(ss, whole);
	for (i = 0; ss->steps[i].text != NULL || ss->steps[i].gap > 0; i++)
		if (ss->steps[i].len > maxlen)
			maxlen = ss->steps[i].len;
	for (split = 1; split < maxlen; split++) {
		snprintf(mode, sizeof(mode), "%s split at %zu", ss->name, split);
		run_once(ss, sink, split, &r);
		same_run(whole, &r);
	}
	snprintf(mode, sizeof(mode), "%s byte by byte", ss->name);
	run_once(ss, sink, 0, &r);
	same_run(whole, &r);
	alert_sink_free(sink);
}

#define SESSION(nm, st, ms, w, done) {					\
	.name = (nm), .steps = (st), .midstream = (ms), .secrets = secrets, \
	.want = (w), .nwant = NELEM(w), .done_at = (done) }

static const struct want none[1];
#define SESSION0(nm, st, ms, done) {					\
	.name = (nm), .steps = (st), .midstream = (ms), .secrets = secrets, \
	.want = none, .nwant = 0, .done_at = (done) }

static void
run_session(const struct session *ss)
{
	static struct run whole;

	check(ss, &whole);
}

/* --- AUTH ------------------------------------------------------------- */

static void
test_auth_plain_ir_success(void **state)
{
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH PLAIN " ALICE_B64 "\r\n"),
		S("235 2.7.0 Authentication successful\r\n"),
		C("MAIL FROM:<alice@example.org>\r\n"), S("250 2.1.0 Ok\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "alice", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_NO },
	};
	static const struct session ss = SESSION("plain-ir", steps, false, w, 4);

	(void)state;
	run_session(&ss);
}

static void
test_auth_plain_after_334(void **state)
{
	/* Lower-case commands (RFC 5321 §2.4), STARTTLS offered but not used. */
	static const struct step steps[] = {
		S(GREET), C("ehlo client\r\n"),
		S("250-mx.example.org\r\n250-starttls\r\n"
		  "250 auth=login plain\r\n"),
		C("auth plain\r\n"), S("334 \r\n"),
		C(ALICE_B64 "\r\n"), S("235 2.7.0 ok\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "alice", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES },
	};
	static const struct session ss = SESSION("plain-334", steps, false, w, 6);

	(void)state;
	run_session(&ss);
}

static const struct want login_ok[] = {
	{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
	  .mechs = "PLAIN LOGIN" },
	{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH LOGIN", .user = "bob",
	  .result = RES_SUCCESS, .secret = true, .offered = TRI_NO },
};

static void
test_auth_login_prompted(void **state)
{
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"),
		C("Ym9i\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
		C(BOB_PW_B64 "\r\n"), S("235 2.7.0 Accepted\r\n"),
		END
	};
	static const struct session ss =
	    SESSION("login-prompted", steps, false, login_ok, 8);

	(void)state;
	run_session(&ss);
}

static void
test_auth_login_inline(void **state)
{
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH LOGIN Ym9i\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
		C(BOB_PW_B64 "\r\n"), S("235 2.7.0 Accepted\r\n"),
		END
	};
	static const struct session ss =
	    SESSION("login-inline", steps, false, login_ok, 6);

	(void)state;
	run_session(&ss);
}

static void
test_auth_failure_then_mail(void **state)
{
	/* 535, then mail is accepted anyway: no successful AUTH. */
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH PLAIN " ERIN_B64 "\r\n"),
		S("535 5.7.8 Error: authentication failed\r\n"),
		C("MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\n"
		  "DATA\r\n"),
		S("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with .\r\n"),
		C("Subject: hi\r\n\r\nhello\r\n.\r\n"),
		S("250 2.0.0 Ok: queued as 4ABC\r\n"),
		C("QUIT\r\n"), S("221 2.0.0 Bye\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "erin", .result = RES_FAILURE, .secret = true,
		  .offered = TRI_NO },
		{ .kind = K_UNAUTH_MAIL_ACCEPTED, .offered = TRI_NO, .rcpt = 1,
		  .msgs = 1 },
	};
	/* Commands pipelined behind an initial response are commands. */
	static const struct step piped[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH PLAIN " ERIN_B64 "\r\nMAIL FROM:<a@example.net>\r\n"
		  "RCPT TO:<b@example.org>\r\nDATA\r\n"),
		S("535 5.7.8 Error: authentication failed\r\n"
		  "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with .\r\n"),
		C("Subject: hi\r\n\r\nhello\r\n.\r\n"),
		S("250 2.0.0 Ok: queued as 4ABC\r\n"),
		END
	};
	static const struct session ss = SESSION("535", steps, false, w, WHOLE);
	static const struct session sp =
	    SESSION("535-piped", piped, false, w, WHOLE);

	(void)state;
	run_session(&ss);
	run_session(&sp);
}

static void
test_auth_cancel(void **state)
{
	/* RFC 4954 §4: "*" cancels; a username alone is then not reported. */
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"),
		C("Ym9i\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
		C("*\r\n"), S("501 5.7.0 Authentication aborted\r\n"),
		C("AUTH PLAIN\r\n"), S("334 \r\n"),
		C("*\r\n"), S("501 5.7.0 Authentication aborted\r\n"),
		C("QUIT\r\n"), S("221 Bye\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	};
	static const struct session ss = SESSION("cancel", steps, false, w, WHOLE);

	(void)state;
	run_session(&ss);
}

static void
test_auth_prompt_answered_by_command(void **state)
{
	/*
	 * "RSET" is valid base64; the server reads it as the response (501)
	 * and the commands after it must still pair with their replies.
	 */
	static const struct step rset[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"),
		C("RSET\r\n"), S("501 5.5.2 Invalid base64 data\r\n"),
		C("MAIL FROM:<a@example.net>\r\n"), S("250 2.1.0 Ok\r\n"),
		C("RCPT TO:<b@example.org>\r\n"), S("250 2.1.5 Ok\r\n"),
		C("DATA\r\n"), S("354 go\r\n"),
		C("x\r\n.\r\n"), S("250 queued\r\n"),
		END
	};
	static const struct want wrset[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_UNAUTH_MAIL_ACCEPTED, .offered = TRI_NO, .rcpt = 1,
		  .msgs = 1 },
	};
	/* The server took "QUIT" as base64 and asks for a password; no reply. */
	static const struct step quit[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"),
		C("QUIT\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
		END
	};
	static const struct want wquit[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};
	static const struct session s1 =
	    SESSION("prompt-rset", rset, false, wrset, WHOLE);
	static const struct session s2 =
	    SESSION("prompt-quit", quit, false, wquit, WHOLE);

	(void)state;
	run_session(&s1);
	run_session(&s2);
}

static void
test_auth_xoauth2(void **state)
{
	static const struct step steps[] = {
		S(GREET), C(EHLO),
		S("250-mx.example.org\r\n250-STARTTLS\r\n"
		  "250 AUTH XOAUTH2 OAUTHBEARER\r\n"),
		C("AUTH XOAUTH2 " CAROL_B64 "\r\n"),
		S("235 2.7.0 Accepted\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH XOAUTH2",
		  .user = "carol@example.com", .result = RES_SUCCESS,
		  .secret = true, .offered = TRI_YES },
	};
	static const struct session ss = SESSION("xoauth2", steps, false, w, 4);

	(void)state;
	run_session(&ss);
}

static void
test_auth_cram_md5(void **state)
{
	static const struct step steps[] = {
		S(GREET), C(EHLO),
		S("250-mx.example.org\r\n250 AUTH CRAM-MD5 DIGEST-MD5\r\n"),
		C("AUTH CRAM-MD5\r\n"),
		S("334 PDE4OTYuNjk3MTcwOTUyQG14LmV4YW1wbGUub3JnPg==\r\n"),
		C("ZGF2ZSAwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==\r\n"),
		S("235 2.7.0 ok\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_CHALLENGE_RESPONSE, .mech = "AUTH CRAM-MD5",
		  .user = "dave", .result = RES_SUCCESS, .offered = TRI_NO },
	};
	static const struct session ss = SESSION("cram-md5", steps, false, w, 6);

	(void)state;
	run_session(&ss);
}

static void
test_auth_no_final_reply(void **state)
{
	/* The flow ends before 235/535: result unknown, reported at end(). */
	static const struct step plain[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH PLAIN " ALICE_B64 "\r\n"),
		END
	};
	static const struct want wplain[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "alice", .result = RES_UNKNOWN, .secret = true,
		  .offered = TRI_NO },
	};
	/* A username alone, not cancelled: reported without a secret. */
	static const struct step user[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"), C("Ym9i\r\n"),
		END
	};
	static const struct want wuser[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH LOGIN",
		  .user = "bob", .result = RES_UNKNOWN, .offered = TRI_NO },
	};
	/* Cut inside the AUTH line: wipe() must clear what the splitter holds. */
	static const struct step cut[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH PLAIN " ALICE_B64),
		END
	};
	static const struct want wcut[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN LOGIN" },
	};
	static const struct session s1 =
	    SESSION("no-reply-plain", plain, false, wplain, WHOLE);
	static const struct session s2 =
	    SESSION("no-reply-user", user, false, wuser, WHOLE);
	static const struct session s3 =
	    SESSION("cut-auth-line", cut, false, wcut, WHOLE);

	(void)state;
	run_session(&s1);
	run_session(&s2);
	run_session(&s3);
}

static void
test_midstream(void **state)
{
	/* No greeting, no EHLO: nothing is known of STARTTLS. */
	static const struct step steps[] = {
		C("AUTH PLAIN " ALICE_B64 "\r\n"), S("235 2.7.0 ok\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
	};
	/* Picked up at the greeting: a 220 that answers no command. */
	static const struct step greet[] = {
		S(GREET), C("HELO client\r\n"), S("250 mx.example.org\r\n"),
		C("AUTH LOGIN Ym9i\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
		C(BOB_PW_B64 "\r\n"), S("535 5.7.8 no\r\n"),
		END
	};
	static const struct want wgreet[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH LOGIN",
		  .user = "bob", .result = RES_FAILURE, .secret = true },
	};
	static const struct session s1 = SESSION("midstream", steps, true, w, 1);
	static const struct session s2 =
	    SESSION("midstream-greeting", greet, true, wgreet, WHOLE);
	static struct run r;

	(void)state;
	run_session(&s1);
	check(&s2, &r);
	assert_int_equal(r.ctr.unmatched_reply, 0);
}

/* --- STARTTLS ---------------------------------------------------------- */

static void
test_starttls_then_tls(void **state)
{
	/* TLS 1.2 with AES-GCM: nothing to say; inspection ends at the ServerHello. */
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\n"), S("220 2.0.0 Ready to start TLS\r\n"),
		C(CH_TLS12), S(SH_TLS12_GCM),
		/* Never looked at: the session is encrypted. */
		C("AUTH PLAIN " ALICE_B64 "\r\n"), S("235 ok\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
	};
	/* The ClientHello is delivered before the 220 is. */
	static const struct step early[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\n"), C(CH_TLS12),
		S("220 2.0.0 Ready to start TLS\r\n"), S(SH_TLS12_GCM),
		C("AUTH PLAIN " ALICE_B64 "\r\n"), S("235 ok\r\n"),
		END
	};
	/* Command and hello in one segment; 220 and ServerHello in one. */
	static const struct step joined[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\n" CH_TLS12),
		S("220 2.0.0 Ready to start TLS\r\n" SH_TLS12_GCM),
		C("AUTH PLAIN " ALICE_B64 "\r\n"),
		END
	};
	static const struct session ss = SESSION("starttls", steps, false, w, 6);
	static const struct session se =
	    SESSION("starttls-early", early, false, w, 6);
	static const struct session sj =
	    SESSION("starttls-joined", joined, false, w, 4);

	(void)state;
	run_session(&ss);
	run_session(&se);
	run_session(&sj);
}

static void
test_starttls_weak_tls(void **state)
{
	/* TLS 1.0 with 3DES after STARTTLS: weak_tls, then nothing more. */
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\n"), S("220 2.0.0 Ready to start TLS\r\n"),
		C(CH_TLS10), S(SH_TLS10_3DES),
		C("AUTH PLAIN " ALICE_B64 "\r\n"), S("235 ok\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_WEAK_TLS, .offered = TRI_YES, .requested = true,
		  .reply = 220, .tls_version = 0x0301, .tls_cipher = 0x000a,
		  .why = "TLS 1.0 with a 3DES cipher" },
	};
	/*
	 * Mail accepted in clear before STARTTLS: reported when inspection
	 * ends, with what the handshake showed.
	 */
	static const struct step mail[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("MAIL FROM:<a@example.net>\r\n"), S("250 ok\r\n"),
		C("RCPT TO:<b@example.org>\r\n"), S("250 ok\r\n"),
		C("STARTTLS\r\n" CH_TLS10),
		S("220 go ahead\r\n" SH_TLS10_3DES),
		END
	};
	static const struct want wmail[] = {
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_WEAK_TLS, .offered = TRI_NO, .requested = true,
		  .reply = 220, .tls_version = 0x0301, .tls_cipher = 0x000a,
		  .why = "TLS 1.0 with a 3DES cipher" },
		{ .kind = K_UNAUTH_MAIL_ACCEPTED, .offered = TRI_NO,
		  .requested = true, .reply = 220, .rcpt = 1,
		  .tls_version = 0x0301, .tls_cipher = 0x000a },
	};
	static const struct session ss = SESSION("weak-tls", steps, false, w, 6);
	static const struct session sm =
	    SESSION("weak-tls-after-mail", mail, false, wmail, 8);

	(void)state;
	run_session(&ss);
	run_session(&sm);
}

static void
test_starttls_hello_answered_in_clear(void **state)
{
	/*
	 * The client starts TLS and the server answers in clear (a device
	 * that answered 220 for a server without TLS): the client said
	 * nothing in clear, so nothing leaked and nothing is reported.
	 */
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\n"), S("220 2.0.0 Ready to start TLS\r\n"),
		C(CH_TLS12), S("500 5.5.2 Error: bad syntax\r\n"),
		C("AUTH PLAIN " ALICE_B64 "\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
	};
	/* A ClientHello behind STARTTLS that the server refuses. */
	static const struct step refused[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\n" CH_TLS12), S("454 4.7.0 TLS not available\r\n"),
		C("AUTH PLAIN " ALICE_B64 "\r\n"),
		END
	};
	static const struct want wrefused[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_REFUSED, .offered = TRI_YES,
		  .requested = true, .reply = 454 },
	};
	static const struct session ss =
	    SESSION("hello-answered-in-clear", steps, false, w, 6);
	static const struct session sr =
	    SESSION("hello-refused", refused, false, wrefused, 4);

	(void)state;
	run_session(&ss);
	run_session(&sr);
}

static void
test_starttls_220_then_cleartext(void **state)
{
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\n"), S("220 2.0.0 Ready to start TLS\r\n"),
		C("EHLO client.example.net\r\n"), S(CAPS_TLS_AUTH),
		C("AUTH PLAIN " ALICE_B64 "\r\n"), S("235 2.7.0 ok\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_YES,
		  .requested = true, .reply = 220,
		  .why = "220 to STARTTLS followed by cleartext" },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "alice", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = 220 },
	};
	/* No greeting, LF only, pipelined mixed-case STARTTLS, bare EHLO reply. */
	static const struct step lf[] = {
		C("EHLO\n"), S("250\n"), C("rset\nstaRttLs\n"), S("250\n220\n"),
		C("EHLO x\n"), S("250 x\n"),
		END
	};
	static const struct want wlf[] = {
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_NO,
		  .requested = true, .reply = 220 },
	};
	static const struct session s1 =
	    SESSION("220-cleartext", steps, false, w, 8);
	static const struct session s2 = SESSION("220-lf", lf, false, wlf, WHOLE);

	(void)state;
	run_session(&s1);
	run_session(&s2);
}

static void
test_starttls_pipelined_not_tls(void **state)
{
	/*
	 * Commands pipelined behind STARTTLS (RFC 3207 §4 forbids it) are
	 * commands, not TLS; each refusal is one finding.
	 */
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\nSTARTTLS\r\nSTARTTLS\r\nQUIT\r\n"),
		S("454 4.7.0 no\r\n454 4.7.0 no\r\n454 4.7.0 no\r\n"
		  "221 bye\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_REFUSED, .offered = TRI_YES,
		  .requested = true, .reply = 454 },
	};
	/* A byte with the high bit set waits for two more, then is a command. */
	static const struct step high[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\n\xc3\xa9\r\n"), S("220 go\r\n500 what\r\n"),
		C("AUTH PLAIN " ALICE_B64 "\r\n"), S("235 ok\r\n"),
		END
	};
	static const struct want whigh[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_YES,
		  .requested = true, .reply = 220 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "alice", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = 220 },
	};
	static const struct session ss =
	    SESSION("pipelined-starttls", steps, false, w, WHOLE);
	static const struct session sh =
	    SESSION("pipelined-8bit", high, false, whigh, 6);

	(void)state;
	run_session(&ss);
	run_session(&sh);
}

static void
test_starttls_refused(void **state)
{
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_TLS_AUTH),
		C("STARTTLS\r\n"),
		S("454 4.7.0 TLS not available due to local problem\r\n"),
		C("AUTH PLAIN " ALICE_B64 "\r\n"), S("235 2.7.0 ok\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_REFUSED, .offered = TRI_YES,
		  .requested = true, .reply = 454 },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "alice", .result = RES_SUCCESS, .secret = true,
		  .offered = TRI_YES, .requested = true, .reply = 454 },
	};
	static const struct session ss = SESSION("454", steps, false, w, 6);

	(void)state;
	run_session(&ss);
}

#define MASKED_WANT(reason) {					\
	{ .kind = K_STARTTLS_STRIPPED, .offered = TRI_NO, .why = (reason) }, \
	{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,		\
	  .mechs = "PLAIN" },						\
	{ .kind = K_UNAUTH_MAIL_ACCEPTED, .offered = TRI_NO, .rcpt = 1,	\
	  .msgs = 1 } }

#define MASKED_SESSION(cap) {						\
	S(GREET), C(EHLO),						\
	S("250-mx.example.org\r\n250-PIPELINING\r\n250-" cap "\r\n"	\
	  "250 AUTH PLAIN\r\n"),					\
	C("MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\n"	\
	  "DATA\r\n"),							\
	S("250 ok\r\n250 ok\r\n354 go ahead\r\n"),			\
	C("x\r\n.\r\n"), S("250 queued\r\n"),				\
	END }

static void
test_starttls_masked(void **state)
{
	/* The one masked keyword, of STARTTLS's length: strong evidence. */
	static const struct step a[] = MASKED_SESSION("XXXXXXXA");
	static const struct want wa[] = MASKED_WANT("capability XXXXXXXA in "
	    "place of STARTTLS (no other keyword masked)");
	static const struct step x[] = MASKED_SESSION("xxxxxxxx");
	static const struct want wx[] = MASKED_WANT("capability xxxxxxxx in "
	    "place of STARTTLS (no other keyword masked)");
	/* A near spelling can be nothing but STARTTLS. */
	static const struct step z[] = MASKED_SESSION("STARTTLZ");
	static const struct want wz[] =
	    MASKED_WANT("capability STARTTLZ in place of STARTTLS");
	/*
	 * Cisco masks every keyword it does not know, in order: CHUNKING as
	 * readily as STARTTLS.  Several masked: STARTTLS support unknown.
	 */
	static const struct step b[] = MASKED_SESSION("XXXXXXXB\r\n250-XXXA");
	static const struct step b2[] =
	    MASKED_SESSION("XXXXXXXA\r\n250-XXXXXXXB\r\n250-XXXC");
	static const struct want wb[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_UNKNOWN,
		  .mechs = "PLAIN", .why = "EHLO keywords masked on the path "
		  "(XXXA, XXXXXXXB, ...): whether STARTTLS was offered is "
		  "unknown" },
		{ .kind = K_UNAUTH_MAIL_ACCEPTED, .offered = TRI_UNKNOWN,
		  .rcpt = 1, .msgs = 1 },
	};
	/* STARTTLS in clear: the masked 8-letter keyword was something else. */
	static const struct step c[] = MASKED_SESSION("XXXXXXXA\r\n250-STARTTLS");
	static const struct want wc[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN" },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
		{ .kind = K_UNAUTH_MAIL_ACCEPTED, .offered = TRI_YES, .rcpt = 1,
		  .msgs = 1 },
	};
	static const struct session sa = SESSION("XXXXXXXA", a, false, wa, WHOLE);
	static const struct session sx = SESSION("xxxxxxxx", x, false, wx, WHOLE);
	static const struct session sz = SESSION("STARTTLZ", z, false, wz, WHOLE);
	static const struct session sb = SESSION("XXXXXXXB", b, false, wb, WHOLE);
	static const struct session sb2 =
	    SESSION("XXXXXXXA-B-C", b2, false, wb, WHOLE);
	static const struct session sc =
	    SESSION("XXXXXXXA+STARTTLS", c, false, wc, WHOLE);

	(void)state;
	run_session(&sa);
	run_session(&sx);
	run_session(&sz);
	run_session(&sb);
	run_session(&sb2);
	run_session(&sc);
}

static void
test_helo_only(void **state)
{
	/* No capability list: whether STARTTLS exists is unknown. */
	static const struct step steps[] = {
		S(GREET), C("HELO client\r\n"), S("250 mx.example.org\r\n"),
		C("AUTH PLAIN " ALICE_B64 "\r\n"), S("235 ok\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH PLAIN",
		  .user = "alice", .result = RES_SUCCESS, .secret = true },
	};
	/* EHLO refused with 500: no ESMTP, so certainly no STARTTLS. */
	static const struct step rej[] = {
		S(GREET), C(EHLO), S("500 Please identify yourself with HELO.\r\n"),
		C("HELO client\r\n"), S("250 mx\r\n"),
		C("MAIL FROM:<a@example.net>\r\n"), S("250 ok\r\n"),
		C("QUIT\r\n"), S("221 bye\r\n"),
		END
	};
	static const struct want wrej[] = {
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	};
	static const struct session s1 = SESSION("helo", steps, false, w, 4);
	static const struct session s2 =
	    SESSION("ehlo-500", rej, false, wrej, WHOLE);

	(void)state;
	run_session(&s1);
	run_session(&s2);
}

/* --- mail transactions --------------------------------------------------- */

static void
test_pipelined_mail(void **state)
{
	/* RFC 2920: replies come back in order; one RCPT refused. */
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\n"
		  "RCPT TO:<nobody@example.org>\r\nDATA\r\n"),
		S("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
		  "550-5.1.1 no such user\r\n550 5.1.1 really\r\n"
		  "354 End data with <CR><LF>.<CR><LF>\r\n"),
		C("Subject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n"),
		S("250 2.0.0 Ok: queued\r\n221 Bye\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_UNAUTH_MAIL_ACCEPTED, .offered = TRI_NO, .rcpt = 1,
		  .msgs = 1 },
	};
	/* Exim PIPE_CONNECT: EHLO sent before the greeting arrives. */
	static const struct step early[] = {
		C(EHLO), S(GREET CAPS_TLS_AUTH),
		C("MAIL FROM:<a@example.net>\r\n"), S("250 ok\r\n"),
		END
	};
	static const struct want wearly[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_YES,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_OFFERED_NOT_USED, .offered = TRI_YES },
	};
	static const struct session s1 = SESSION("pipelined", steps, false, w, WHOLE);
	static const struct session s2 =
	    SESSION("pipe-connect", early, false, wearly, WHOLE);

	(void)state;
	run_session(&s1);
	run_session(&s2);
}

static const struct want unauth_1_1[] = {
	{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
	{ .kind = K_UNAUTH_MAIL_ACCEPTED, .offered = TRI_NO, .rcpt = 1, .msgs = 1 },
};

static void
test_data_body_not_parsed(void **state)
{
	/* The body is sent before 354 arrives; none of it is a command. */
	static const struct step early[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\n"
		  "DATA\r\nAUTH PLAIN " ERIN_B64 "\r\nMAIL FROM:<evil@x>\r\n"
		  "STARTTLS\r\n..\r\n.\r\n"),
		S("250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n"),
		END
	};
	static const struct step late[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("mail from:<a@example.net>\r\n"), S("250 ok\r\n"),
		C("rcpt to:<b@example.org>\r\n"), S("250 ok\r\n"),
		C("data\r\n"), S("354 go\r\n"),
		C("AUTH LOGIN Ym9i\r\n"), C(BOB_PW_B64 "\r\n"),
		C("BDAT 100\r\nRCPT TO:<c@d>\r\n.\r\n"),
		S("250 queued\r\n"),
		C("QUIT\r\n"), S("221 bye\r\n"),
		END
	};
	static const struct session s1 =
	    SESSION("body-before-354", early, false, unauth_1_1, WHOLE);
	static const struct session s2 =
	    SESSION("body-after-354", late, false, unauth_1_1, WHOLE);

	(void)state;
	run_session(&s1);
	run_session(&s2);
}

static void
test_data_rejected(void **state)
{
	/* Interactive: after 503 the next lines are commands. */
	static const struct step inter[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("DATA\r\n"), S("503 5.5.1 Error: need RCPT command\r\n"),
		C("MAIL FROM:<a@example.net>\r\n"), S("250 ok\r\n"),
		C("RCPT TO:<b@example.org>\r\n"), S("250 ok\r\n"),
		C("DATA\r\n"), S("354 go\r\n"),
		C("x\r\n.\r\n"), S("250 queued\r\n"),
		END
	};
	/*
	 * A body pipelined behind a DATA that is refused: the server read
	 * "Hello" and "." as commands (500 each); the RCPT after them must
	 * get its own 250.
	 */
	static const struct step piped[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("MAIL FROM:<a@example.net>\r\nRCPT TO:<nobody@example.org>\r\n"
		  "DATA\r\nHello, Alice\r\n.\r\nRCPT TO:<b@example.org>\r\n"),
		S("250 ok\r\n550 5.1.1 unknown user\r\n"
		  "554 5.5.1 Error: no valid recipients\r\n"
		  "500 5.5.2 Error: bad syntax\r\n500 5.5.2 Error: bad syntax\r\n"
		  "250 ok\r\n"),
		C("DATA\r\n"), S("354 go\r\n"),
		C("x\r\n.\r\n"), S("250 queued\r\n"),
		END
	};
	static const struct session s1 =
	    SESSION("data-503", inter, false, unauth_1_1, WHOLE);
	static const struct session s2 =
	    SESSION("data-554-piped", piped, false, unauth_1_1, WHOLE);

	(void)state;
	run_session(&s1);
	run_session(&s2);
}

static void
test_bdat(void **state)
{
	/* RFC 3030: chunks end mid-line; their bytes are never commands. */
	static const struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\n"
		  "BDAT 77\r\nSubject: t\r\n\r\nAUTH PLAIN " ERIN_B64 "\r\n"
		  "MAIL FROM:<x@y>\r\nhello wor"),
		C("BDAT 2 LAST\r\nldQUIT\r\n"),
		S("250 ok\r\n250 ok\r\n250 2.0.0 77 bytes received\r\n"
		  "250 2.0.0 Ok: 79 bytes queued\r\n221 bye\r\n"),
		END
	};
	/* "BDAT 5 X" is a syntax error: no chunk follows (RFC 3030 §2). */
	static const struct step bad[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("MAIL FROM:<a@example.net>\r\n"), S("250 ok\r\n"),
		C("BDAT 5 X\r\nRCPT TO:<b@example.org>\r\n"),
		S("501 5.5.4 Syntax: BDAT count [LAST]\r\n250 ok\r\n"),
		C("BDAT 3 LAST\r\nabc"), S("250 queued\r\n"),
		END
	};
	static const struct session ss =
	    SESSION("bdat", steps, false, unauth_1_1, WHOLE);
	static const struct session sb =
	    SESSION("bdat-syntax", bad, false, unauth_1_1, WHOLE);
	static struct run r;

	(void)state;
	check(&ss, &r);
	assert_int_equal(r.ctr.unmatched_reply, 0);
	check(&sb, &r);
	assert_int_equal(r.ctr.unmatched_reply, 0);
}

static void
test_unauth_no_message(void **state)
{
	/* RCPT accepted, then RSET/QUIT: reported at end() with no message. */
	static const struct step steps[] = {
		S(GREET), C("HELO client\r\n"), S("250 mx\r\n"),
		C("MAIL FROM:<a@example.net>\r\n"), S("250 ok\r\n"),
		C("RCPT TO:<b@example.org>\r\n"), S("250 ok\r\n"),
		C("RSET\r\n"), S("250 ok\r\n"), C("QUIT\r\n"), S("221 bye\r\n"),
		END
	};
	static const struct want w[] = {
		{ .kind = K_UNAUTH_MAIL_ACCEPTED, .rcpt = 1 },
	};
	static const struct session ss = SESSION("rcpt-only", steps, false, w, WHOLE);

	(void)state;
	run_session(&ss);
}

/* --- holes ------------------------------------------------------------- */

static void
test_gaps(void **state)
{
	/* The password line is lost: the exchange ends, result unknown. */
	static const struct step auth[] = {
		S(GREET), C(EHLO), S(CAPS_AUTH),
		C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"),
		C("Ym9i\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
		GAP(DIR_C2S, 22), S("235 2.7.0 ok\r\n"),
		END
	};
	static const struct want wauth[] = {
		{ .kind = K_CLEARTEXT_AUTH_OFFERED, .offered = TRI_NO,
		  .mechs = "PLAIN LOGIN" },
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_CLEARTEXT_CREDENTIALS, .mech = "AUTH LOGIN",
		  .user = "bob", .result = RES_UNKNOWN, .offered = TRI_NO,
		  .gap = true },
	};
	/* The end of a body is lost; the server's reply closes it. */
	static const struct step body[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("MAIL FROM:<a@example.net>\r\n"), S("250 ok\r\n"),
		C("RCPT TO:<b@example.org>\r\n"), S("250 ok\r\n"),
		C("DATA\r\n"), S("354 go\r\n"), C("Subject: x\r\n\r\nsome"),
		GAP(DIR_C2S, 100), S("250 queued\r\n"),
		END
	};
	static const struct want wbody[] = {
		{ .kind = K_STARTTLS_NOT_OFFERED, .offered = TRI_NO },
		{ .kind = K_UNAUTH_MAIL_ACCEPTED, .offered = TRI_NO, .rcpt = 1,
		  .msgs = 1, .gap = true },
	};
	/* A hole inside a BDAT chunk and past its end: resync at a line. */
	static const struct step bdat[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		C("MAIL FROM:<a@example.net>\r\n"), S("250 ok\r\n"),
		C("RCPT TO:<b@example.org>\r\n"), S("250 ok\r\n"),
		C("BDAT 200\r\nAAAAAAAAAA"), S("250 ok\r\n"), GAP(DIR_C2S, 1000),
		C("lost line tail\r\nDATA\r\n"), S("354 go\r\n"),
		C("x\r\n.\r\n"), S("250 queued\r\n"),
		END
	};
	static const struct session s1 = SESSION("gap-auth", auth, false, wauth, 8);
	static const struct session s2 =
	    SESSION("gap-body", body, false, wbody, WHOLE);
	static const struct session s3 =
	    SESSION("gap-bdat", bdat, false, wbody, WHOLE);
	static struct run r;

	(void)state;
	run_session(&s1);
	run_session(&s2);
	check(&s3, &r);
	assert_int_equal(r.ctr.gaps, 1);
}

static void
test_pipeline_overflow(void **state)
{
	static char noops[40 * 6 + 1];
	static char oks[40 * 8 + 1];
	struct step steps[] = {
		S(GREET), C(EHLO), S(CAPS_NONE),
		{ DIR_C2S, noops, 0, 0 }, { DIR_S2C, oks, 0, 0 },
		END
	};
	struct session ss = SESSION0("overflow", steps, false, WHOLE);
	static struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++) {
		memcpy(noops + i * 6, "NOOP\r\n", 6);
		memcpy(oks + i * 8, "250 ok\r\n", 8);
	}
	steps[3].len = strlen(noops);
	steps[4].len = strlen(oks);
	check(&ss, &r);
	assert_int_equal(r.ctr.pipeline_overflow, 8);
	assert_int_equal(r.ctr.unmatched_reply, 8);
}

/* --- probe ------------------------------------------------------------- */

static void
test_probe(void **state)
{
	static const struct {
		const char	*in;
		enum probe_result want;
		bool		 server;
	} cases[] = {
		{ "220 mx ESMTP\r\n", PROBE_YES, true },
		{ "220-mx ESMTP\r\n", PROBE_YES, true },
		{ "EHLO client\r\n", PROBE_YES, false },
		{ "helo client\r\n", PROBE_YES, false },
		{ "EHLO\r\n", PROBE_YES, false },
		{ "EHL", PROBE_MAYBE, false },
		{ "22", PROBE_MAYBE, false },
		{ "", PROBE_MAYBE, false },
		{ "+OK POP3 ready\r\n", PROBE_NO, false },
		{ "GET / HTTP/1.1\r\n", PROBE_NO, false },
		{ "221 bye\r\n", PROBE_NO, false },
		{ "EHLOX\r\n", PROBE_NO, false },
	};
	size_t i;
	bool server;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		server = !cases[i].server;
		assert_int_equal(smtp_decoder.probe(DIR_S2C,
		    (const uint8_t *)cases[i].in, strlen(cases[i].in), &server),
		    cases[i].want);
		if (cases[i].want == PROBE_YES)
			assert_int_equal(server, cases[i].server);
	}
	assert_string_equal(smtp_decoder.name, "smtp");
	assert_int_equal(smtp_decoder.ports[0], 25);
	assert_int_equal(smtp_decoder.ports[1], 587);
	assert_int_equal(smtp_decoder.ports[2], 2525);
	assert_int_equal(smtp_decoder.ports[3], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_plain_ir_success),
		cmocka_unit_test(test_auth_plain_after_334),
		cmocka_unit_test(test_auth_login_prompted),
		cmocka_unit_test(test_auth_login_inline),
		cmocka_unit_test(test_auth_failure_then_mail),
		cmocka_unit_test(test_auth_cancel),
		cmocka_unit_test(test_auth_prompt_answered_by_command),
		cmocka_unit_test(test_auth_xoauth2),
		cmocka_unit_test(test_auth_cram_md5),
		cmocka_unit_test(test_auth_no_final_reply),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_starttls_then_tls),
		cmocka_unit_test(test_starttls_weak_tls),
		cmocka_unit_test(test_starttls_hello_answered_in_clear),
		cmocka_unit_test(test_starttls_pipelined_not_tls),
		cmocka_unit_test(test_starttls_220_then_cleartext),
		cmocka_unit_test(test_starttls_refused),
		cmocka_unit_test(test_starttls_masked),
		cmocka_unit_test(test_helo_only),
		cmocka_unit_test(test_pipelined_mail),
		cmocka_unit_test(test_data_body_not_parsed),
		cmocka_unit_test(test_data_rejected),
		cmocka_unit_test(test_bdat),
		cmocka_unit_test(test_unauth_no_message),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_pipeline_overflow),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests_name("smtp", tests, NULL, NULL);
}
