/*
 * telnet.c - Telnet: logins typed at a login prompt, in clear.
 *
 * Specifications: RFC 854 (TELNET: the NVT, IAC commands), RFC 855 (option
 * negotiation: IAC WILL/WONT/DO/DONT option, IAC SB option ... IAC SE),
 * RFC 1572 (NEW-ENVIRON) and RFC 1408 (ENVIRON), whose USER variable names
 * the account before any prompt.
 *
 * Each direction's bytes go through an IAC parser that takes out the
 * commands (IAC IAC is a literal 0xFF byte); what remains is terminal text,
 * handed to the terminal-login tracker of line.c, which rebuilds the typed
 * lines and reads prompts and results.  Only sub-negotiations of the
 * environment options from the client are kept, and only their first
 * TELNET_SB_MAX bytes: an IAC SB that never ends costs nothing but time.
 * After a successful login the shell session is not inspected.
 */
#include <string.h>

#include "decoder.h"
#include "line.h"

#define TELNET_SB_MAX	256	/* bytes of an environment sub-negotiation kept */

/* RFC 854 command codes. */
#define T_SE	240
#define T_EC	247	/* erase character */
#define T_EL	248	/* erase line */
#define T_SB	250
#define T_WILL	251
#define T_DONT	254
#define T_IAC	255

/* RFC 1408 ENVIRON and RFC 1572 NEW-ENVIRON option codes. */
#define OPT_ENVIRON	36
#define OPT_NEW_ENVIRON	39

/* RFC 1572 §2 sub-negotiation codes. */
#define ENV_IS		0
#define ENV_INFO	2
#define ENV_VAR		0
#define ENV_VALUE	1
#define ENV_ESC		2
#define ENV_USERVAR	3

enum iac_state {
	I_DATA = 0,
	I_IAC,		/* after IAC */
	I_OPT,		/* after WILL/WONT/DO/DONT: the option byte */
	I_SB_OPT,	/* after IAC SB: the option byte */
	I_SB,		/* inside a sub-negotiation */
	I_SB_IAC	/* IAC inside a sub-negotiation */
};

struct telnet {
	struct term_login term;
	uint8_t		 ist[2];	/* enum iac_state, by enum dir */
	uint8_t		 sb_opt[2];
	uint8_t		 sb[TELNET_SB_MAX];	/* the client's environment sub-negotiation */
	size_t		 sb_len;
	size_t		 env_user_len;
	uint8_t		 env_user[TELNET_SB_MAX];	/* USER from NEW-ENVIRON */
	bool		 gap_seen;
	bool		 done;
	struct dec_ctx	*ctx;		/* during a call, for the login callback */
};

static void
login_done(void *arg, const struct term_login *t, int result)
{
	struct telnet *s = arg;
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.kind = K_CLEARTEXT_CREDENTIALS;
	f.app_proto = "telnet";
	f.mechanism = "telnet login prompt";
	if (t->user_len > 0) {
		f.username = t->user;
		f.username_len = t->user_len;
		f.username_truncated = t->user_long;
	} else if (s->env_user_len > 0) {
		f.username = s->env_user;
		f.username_len = s->env_user_len;
		f.reason = "account named by the client's NEW-ENVIRON USER variable";
	}
	f.result = (enum auth_result)result;
	f.secret_seen = t->pw_len > 0;
	if (f.secret_seen && !t->pw_long) {
		f.secret = t->pw;
		f.secret_len = t->pw_len;
	}
	f.gap_seen = s->gap_seen;
	dec_emit(s->ctx, &f);
}

/*
 * RFC 1572 §2: IS|INFO, then VAR|USERVAR name [VALUE value] ..., ESC
 * quoting the next byte.  RFC 1571 notes that old ENVIRON implementations
 * swapped the VAR and VALUE codes, so for ENVIRON either order is read.
 */
static void
env_done(struct telnet *s)
{
	uint8_t name[8], val[TELNET_SB_MAX];
	size_t i, nl = 0, vl = 0;
	int type = -1, var_code = ENV_VAR, val_code = ENV_VALUE;
	bool in_val = false, is_user = false;

	if ((s->sb_opt[DIR_C2S] != OPT_NEW_ENVIRON &&
	    s->sb_opt[DIR_C2S] != OPT_ENVIRON) || s->sb_len < 1 ||
	    (s->sb[0] != ENV_IS && s->sb[0] != ENV_INFO))
		return;
	if (s->sb_opt[DIR_C2S] == OPT_ENVIRON && s->sb_len > 1 &&
	    s->sb[1] == ENV_VALUE) {
		var_code = ENV_VALUE;
		val_code = ENV_VAR;
	}
	for (i = 1; i <= s->sb_len; i++) {
		int c = i < s->sb_len ? s->sb[i] : -1;

		if (c == -1 || c == var_code || c == ENV_USERVAR ||
		    c == val_code) {
			/* The end of the previous item. */
			if (in_val && is_user && vl > 0) {
				memcpy(s->env_user, val, vl);
				s->env_user_len = vl;
			}
			if (c == -1)
				break;
			if (c == val_code && type != -1 && !in_val) {
				is_user = type == var_code && nl == 4 &&
				    ascii_ieq(name, 4, "USER");
				in_val = true;
				vl = 0;
			} else {
				type = c;
				in_val = false;
				is_user = false;
				nl = 0;
			}
			continue;
		}
		if (c == ENV_ESC && i + 1 < s->sb_len)
			c = s->sb[++i];
		if (in_val) {
			if (vl < sizeof(val))
				val[vl++] = (uint8_t)c;
		} else if (nl < sizeof(name))
			name[nl++] = (uint8_t)c;
	}
	explicit_bzero(val, sizeof(val));
}

/* Terminal text of one direction. */
static void
text(struct telnet *s, enum dir d, const uint8_t *p, size_t n)
{
	if (n == 0 || s->term.done)
		return;
	if (d == DIR_S2C)
		term_server(&s->term, p, n, login_done, s);
	else
		term_client(&s->term, p, n, &s->ctx->ctr->line_overflow,
		    login_done, s);
}

static void
sb_byte(struct telnet *s, enum dir d, uint8_t c)
{
	if (d != DIR_C2S || (s->sb_opt[d] != OPT_NEW_ENVIRON &&
	    s->sb_opt[d] != OPT_ENVIRON))
		return;
	if (s->sb_len < sizeof(s->sb))
		s->sb[s->sb_len++] = c;
}

/* RFC 854 "Telnet command structure", RFC 855 sub-negotiation. */
static void
feed(struct telnet *s, enum dir d, const uint8_t *p, size_t n)
{
	static const uint8_t ff = 0xff, bs = 0x08, nak = 0x15;
	size_t i, run = 0;
	uint8_t c;

	for (i = 0; i < n && !s->term.done; i++) {
		c = p[i];
		switch ((enum iac_state)s->ist[d]) {
		case I_DATA:
			if (c != T_IAC)
				continue;
			text(s, d, p + run, i - run);
			s->ist[d] = I_IAC;
			break;
		case I_IAC:
			s->ist[d] = I_DATA;
			if (c == T_IAC)
				text(s, d, &ff, 1);
			else if (c >= T_WILL && c <= T_DONT)
				s->ist[d] = I_OPT;
			else if (c == T_SB)
				s->ist[d] = I_SB_OPT;
			else if (c == T_EC && d == DIR_C2S)
				text(s, d, &bs, 1);
			else if (c == T_EL && d == DIR_C2S)
				text(s, d, &nak, 1);
			break;
		case I_OPT:
			s->ist[d] = I_DATA;
			break;
		case I_SB_OPT:
			s->sb_opt[d] = c;
			if (d == DIR_C2S) {
				explicit_bzero(s->sb, sizeof(s->sb));
				s->sb_len = 0;
			}
			s->ist[d] = I_SB;
			break;
		case I_SB:
			if (c == T_IAC)
				s->ist[d] = I_SB_IAC;
			else
				sb_byte(s, d, c);
			break;
		case I_SB_IAC:
			if (c == T_IAC) {
				sb_byte(s, d, c);
				s->ist[d] = I_SB;
				break;
			}
			/* IAC SE ends it; any other command ends it too. */
			if (d == DIR_C2S)
				env_done(s);
			s->ist[d] = I_DATA;
			if (c != T_SE) {
				s->ist[d] = I_IAC;
				i--;	/* read c again as a command */
			}
			break;
		}
		run = i + 1;
	}
	if (s->ist[d] == I_DATA && run < i)
		text(s, d, p + run, i - run);
}

static enum dec_status
telnet_data(void *st, struct dec_ctx *ctx, enum dir dir, const uint8_t *p,
    size_t n)
{
	struct telnet *s = st;

	if (s->term.done)
		return DEC_DONE;
	s->ctx = ctx;
	feed(s, dir, p, n);
	s->ctx = NULL;
	return s->term.done ? DEC_DONE : DEC_MORE;
}

static void
telnet_gap(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing)
{
	struct telnet *s = st;

	(void)missing;
	ctx->ctr->gaps++;
	s->gap_seen = true;
	s->ctx = ctx;
	/* The keys or the answer in the hole are unknown. */
	term_end(&s->term, login_done, s);
	s->ctx = NULL;
	s->ist[dir] = I_DATA;
}

static void
telnet_end(void *st, struct dec_ctx *ctx, enum end_reason why)
{
	struct telnet *s = st;

	(void)why;
	s->ctx = ctx;
	term_end(&s->term, login_done, s);
	s->ctx = NULL;
}

static void
telnet_wipe(void *st)
{
	struct telnet *s = st;

	term_wipe(&s->term);
	explicit_bzero(s->sb, sizeof(s->sb));
	s->sb_len = 0;
}

static void
telnet_init(void *st, bool midstream)
{
	struct telnet *s = st;

	(void)midstream;
	term_init(&s->term);
}

/*
 * Both sides open with option negotiation (RFC 855): IAC WILL/WONT/DO/DONT
 * or IAC SB.  Either side may speak first, so the roles stay as they are.
 */
static enum probe_result
telnet_probe(enum dir dir, const uint8_t *p, size_t n, bool *sender_is_server)
{
	(void)dir;
	(void)sender_is_server;
	if (n == 0)
		return PROBE_MAYBE;
	if (p[0] != T_IAC)
		return PROBE_NO;
	if (n < 2)
		return PROBE_MAYBE;
	if (p[1] < T_SB || p[1] == T_IAC)
		return PROBE_NO;
	if (n < 3)
		return PROBE_MAYBE;
	/* Options are small numbers (IANA telnet-options); 255 is EXOPL. */
	if (p[2] > 50 && p[2] != 255)
		return PROBE_NO;
	return PROBE_YES;
}

static const uint16_t telnet_ports[] = { 23, 0 };

const struct decoder telnet_decoder = {
	.name = "telnet",
	.ports = telnet_ports,
	.state_size = sizeof(struct telnet),
	.probe = telnet_probe,
	.init = telnet_init,
	.data = telnet_data,
	.gap = telnet_gap,
	.end = telnet_end,
	.wipe = telnet_wipe,
};
