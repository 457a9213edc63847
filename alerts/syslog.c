/*
 * syslog.c - every JSON line also to syslog collectors (see alert.h).
 *
 * Specifications: RFC 5424 §6 (message format: "<PRI>1 TIMESTAMP HOSTNAME
 * APP-NAME PROCID MSGID SD MSG"), RFC 5426 §3.1 (UDP: one message per
 * datagram), RFC 6587 §3.4.1 (TCP: octet counting, "MSG-LEN SP
 * SYSLOG-MSG").
 *
 * The packet path must never wait on a collector: every socket is
 * non-blocking.  A datagram that cannot go now is dropped and counted.  A
 * TCP target keeps what it could not send yet in a bounded queue, oldest
 * dropped first, and reconnects at most once a second; the queue goes out
 * in order once the collector is back.  The MSG is the very line the JSON
 * stream gets, so nothing can reach a collector that stdout does not show.
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"

#define SL_QUEUE_MSGS	1024		/* messages a TCP target holds back */
#define SL_QUEUE_BYTES	(4u << 20)	/* and their bytes */
#define SL_UDP_MAX	65507		/* IPv4 UDP payload (RFC 5426 §3.2) */
#define SL_RETRY_US	1000000		/* one connection attempt a second */
#define SL_HDR_MAX	400		/* PRI, version, time, host, ids */
#define SL_HOST_MAX	255		/* RFC 5424 §6: HOSTNAME 1*255 */
#define SL_NAME_MAX	300		/* the spec, for messages */
#define SL_DEVLOG	"/dev/log"
#define SL_FACILITY	16		/* local0 */

enum sl_kind {
	SL_UNIX,
	SL_UDP,
	SL_TCP
};

/* One framed TCP message: "LEN SP" and the RFC 5424 message. */
struct sl_msg {
	size_t	 len;
	char	 data[];
};

struct syslog_out {
	enum sl_kind		 kind;
	char			 name[SL_NAME_MAX];
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 fd;		/* -1: not connected */
	bool			 connecting;	/* TCP connect() in progress */
	int			 facility;
	uint64_t		 last_try;	/* monotonic µs of the last connect() */
	char			 host[SL_HOST_MAX + 1];
	long			 pid;
	/* TCP: a ring of messages not yet (wholly) sent */
	struct sl_msg		*q[SL_QUEUE_MSGS];
	size_t			 qhead, qlen, qbytes, qpeak;
	size_t			 off;		/* bytes of q[qhead] already sent */
	uint64_t		 sent, dropped, oversize, connects;
};

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int
syslog_facility(const char *name)
{
	static const char *const names[] = {
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
		"news", "uucp", "cron", "authpriv", "ftp", NULL, NULL, NULL,
		NULL, "local0", "local1", "local2", "local3", "local4",
		"local5", "local6", "local7"
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] != NULL && strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * RFC 5424 §6.2.1 severity of a finding's severity: high 3 (error),
 * medium 4 (warning), low 5 (notice), anything else (info, stats) 6.
 */
static int
sl_severity(const char *sev)
{
	if (sev == NULL)
		return 6;
	if (strcmp(sev, "high") == 0)
		return 3;
	if (strcmp(sev, "medium") == 0)
		return 4;
	if (strcmp(sev, "low") == 0)
		return 5;
	return 6;
}

static void
sl_close(struct syslog_out *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->connecting = false;
	/*
	 * A frame cut by the lost connection is discarded by the collector
	 * with that connection (RFC 6587 §3.4.1 frames do not span
	 * connections): send it whole again on the next one.
	 */
	t->off = 0;
}

/* One connection attempt, non-blocking; false when it failed at once. */
static bool
sl_connect(struct syslog_out *t, uint64_t now)
{
	int type = t->kind == SL_TCP ? SOCK_STREAM : SOCK_DGRAM;

	t->last_try = now;
	t->fd = socket(t->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (t->fd < 0)
		return false;
	if (connect(t->fd, (const struct sockaddr *)&t->addr, t->addrlen) == 0) {
		t->connects++;
		return true;
	}
	if (t->kind == SL_TCP && errno == EINPROGRESS) {
		t->connecting = true;
		return true;
	}
	sl_close(t);
	return false;
}

/* Split "HOST:PORT" or "[V6]:PORT" and resolve it, once, at start. */
static bool
sl_resolve(struct syslog_out *t, const char *hp, char *err, size_t errlen)
{
	char host[SL_NAME_MAX], *port, *end;
	struct addrinfo hints, *res;
	unsigned long pn;
	int rc;

	if (snprintf(host, sizeof(host), "%s", hp) >= (int)sizeof(host)) {
		snprintf(err, errlen, "address too long");
		return false;
	}
	if (host[0] == '[') {
		if ((end = strchr(host, ']')) == NULL || end[1] != ':') {
			snprintf(err, errlen, "want [IPV6]:PORT");
			return false;
		}
		*end = '\0';
		port = end + 2;
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else {
		if ((port = strrchr(host, ':')) == NULL ||
		    strchr(host, ':') != port) {
			snprintf(err, errlen, "want HOST:PORT (IPv6 as [ADDR]:PORT)");
			return false;
		}
		*port++ = '\0';
	}
	errno = 0;
	pn = strtoul(port, &end, 10);
	if (host[0] == '\0' || port[0] == '\0' || *end != '\0' || errno != 0 ||
	    pn == 0 || pn > 65535) {
		snprintf(err, errlen, "bad host or port");
		return false;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = t->kind == SL_TCP ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", host, gai_strerror(rc));
		return false;
	}
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return true;
}

/* RFC 5424 §6.2.4: HOSTNAME is 1*255 PRINTUSASCII, "-" when unknown. */
static void
sl_hostname(char *buf, size_t len)
{
	size_t i;

	if (gethostname(buf, len - 1) != 0)
		buf[0] = '\0';
	buf[len - 1] = '\0';
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] < 33 || buf[i] > 126)
			buf[i] = '_';
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
}

struct syslog_out *
syslog_out_new(const char *spec, int facility, char *err, size_t errlen)
{
	struct sockaddr_un *sun;
	struct syslog_out *t;
	const char *path;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	t->fd = -1;
	t->facility = facility >= 0 && facility < 24 ? facility : SL_FACILITY;
	t->pid = (long)getpid();
	sl_hostname(t->host, sizeof(t->host));
	snprintf(t->name, sizeof(t->name), "%s", spec);
	if (strcmp(spec, "unix") == 0 || strncmp(spec, "unix:", 5) == 0) {
		t->kind = SL_UNIX;
		path = spec[4] == ':' ? spec + 5 : SL_DEVLOG;
		sun = (struct sockaddr_un *)&t->addr;
		sun->sun_family = AF_UNIX;
		if (path[0] == '\0' || snprintf(sun->sun_path,
		    sizeof(sun->sun_path), "%s", path) >=
		    (int)sizeof(sun->sun_path)) {
			snprintf(err, errlen, "bad socket path");
			goto fail;
		}
		t->addrlen = sizeof(*sun);
	} else if (strncmp(spec, "udp://", 6) == 0) {
		t->kind = SL_UDP;
		if (!sl_resolve(t, spec + 6, err, errlen))
			goto fail;
	} else if (strncmp(spec, "tcp://", 6) == 0) {
		t->kind = SL_TCP;
		if (!sl_resolve(t, spec + 6, err, errlen))
			goto fail;
	} else {
		snprintf(err, errlen, "want unix[:PATH], udp://HOST:PORT or "
		    "tcp://HOST:PORT");
		goto fail;
	}
	/*
	 * A local socket or datagram target that cannot be reached at start
	 * is a set-up error; a TCP collector that is down is waited for (its
	 * messages queue up).
	 */
	if (!sl_connect(t, mono_us()) && t->kind != SL_TCP) {
		snprintf(err, errlen, "%s%s%s", t->kind == SL_UNIX ?
		    ((struct sockaddr_un *)&t->addr)->sun_path : "",
		    t->kind == SL_UNIX ? ": " : "", strerror(errno));
		goto fail;
	}
	return t;
fail:
	free(t);
	return NULL;
}

/*
 * The RFC 5424 §6 header: "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID
 * MSGID - " (no STRUCTURED-DATA).  TIMESTAMP is the time of sending, the
 * JSON carries the time of the packet.  No BOM before MSG (§6.4 makes it
 * optional): the MSG stays byte for byte the JSON line a parser reads.
 */
static size_t
sl_header(const struct syslog_out *t, const char *sev, const char *msgid,
    char *buf, size_t len)
{
	char ts[ALERT_TS_LEN];
	int n;

	alert_format_ts(real_us(), ts, sizeof(ts));
	n = snprintf(buf, len, "<%d>1 %s %s credleak %ld %.32s - ",
	    t->facility * 8 + sl_severity(sev), ts, t->host, t->pid,
	    msgid != NULL && msgid[0] != '\0' ? msgid : "-");
	if (n < 0 || (size_t)n >= len)
		return 0;
	return (size_t)n;
}

static void
sl_drop_at(struct syslog_out *t, size_t i)
{
	size_t k = (t->qhead + i) % SL_QUEUE_MSGS, j;

	t->qbytes -= t->q[k]->len;
	free(t->q[k]);
	t->dropped++;
	if (i == 0) {
		t->qhead = (t->qhead + 1) % SL_QUEUE_MSGS;
		t->qlen--;
		return;
	}
	/* Close the gap: later messages move one slot towards the head. */
	for (j = i; j + 1 < t->qlen; j++)
		t->q[(t->qhead + j) % SL_QUEUE_MSGS] =
		    t->q[(t->qhead + j + 1) % SL_QUEUE_MSGS];
	t->qlen--;
}

static void
sl_enqueue(struct syslog_out *t, struct sl_msg *m)
{
	size_t victim;

	/*
	 * Full: the oldest go.  A head already partly on the wire stays (the
	 * rest of its frame must follow), the one after it goes instead.
	 */
	while (t->qlen > 0 && (t->qlen == SL_QUEUE_MSGS ||
	    t->qbytes + m->len > SL_QUEUE_BYTES)) {
		victim = t->off > 0 ? 1 : 0;
		if (victim >= t->qlen)
			break;
		sl_drop_at(t, victim);
	}
	if (t->qlen == SL_QUEUE_MSGS || t->qbytes + m->len > SL_QUEUE_BYTES) {
		free(m);
		t->dropped++;
		return;
	}
	t->q[(t->qhead + t->qlen) % SL_QUEUE_MSGS] = m;
	t->qlen++;
	t->qbytes += m->len;
	if (t->qlen > t->qpeak)
		t->qpeak = t->qlen;
}

/*
 * Has the collector closed the connection?  A collector never writes to
 * us, so anything readable is the end (or an error).  Checking before
 * writing keeps the first messages after a collector stop from going into
 * a half-closed socket and being lost with it.
 */
static bool
sl_peer_gone(struct syslog_out *t)
{
	struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
	char buf[512];
	ssize_t n;

	if (poll(&pfd, 1, 0) <= 0)
		return false;
	if ((pfd.revents & (POLLERR | POLLHUP)) != 0)
		return true;
	for (;;) {
		n = recv(t->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return true;
		if (n < 0)
			return errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR;
	}
}

/* TCP: (re)connect when due, then write the queue in order, as far as it goes. */
static void
sl_pump(struct syslog_out *t)
{
	struct pollfd pfd;
	struct sl_msg *m;
	uint64_t now = mono_us();
	socklen_t sl;
	ssize_t n;
	int e;

	if (t->fd >= 0 && !t->connecting && sl_peer_gone(t))
		sl_close(t);
	if (t->fd < 0) {
		if (t->last_try != 0 && now - t->last_try < SL_RETRY_US)
			return;
		if (!sl_connect(t, now))
			return;
	}
	if (t->connecting) {
		pfd.fd = t->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 0) <= 0)
			return;
		e = 0;
		sl = sizeof(e);
		if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &sl) != 0 ||
		    e != 0) {
			sl_close(t);
			return;
		}
		t->connecting = false;
		t->connects++;
	}
	while (t->qlen > 0) {
		m = t->q[t->qhead];
		n = send(t->fd, m->data + t->off, m->len - t->off,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				sl_close(t);
			return;
		}
		/* A partial write keeps the rest for the next turn. */
		t->off += (size_t)n;
		if (t->off < m->len)
			return;
		t->off = 0;
		t->qbytes -= m->len;
		free(m);
		t->qhead = (t->qhead + 1) % SL_QUEUE_MSGS;
		t->qlen--;
		t->sent++;
	}
}

/* Unix or UDP: one datagram now, or dropped. */
static void
sl_datagram(struct syslog_out *t, const char *hdr, size_t hlen,
    const char *line, size_t len)
{
	struct iovec iov[2];
	struct msghdr mh;
	int tries;

	if (hlen + len > SL_UDP_MAX) {
		t->oversize++;
		t->dropped++;
		return;
	}
	if (t->fd < 0 && (mono_us() - t->last_try < SL_RETRY_US ||
	    !sl_connect(t, mono_us()))) {
		t->dropped++;
		return;
	}
	iov[0].iov_base = (void *)(uintptr_t)hdr;
	iov[0].iov_len = hlen;
	iov[1].iov_base = (void *)(uintptr_t)line;
	iov[1].iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	/*
	 * An ICMP unreachable from an earlier datagram is reported, once, on
	 * a later send: that one was not sent, so it is tried once more.
	 */
	for (tries = 0; tries < 2; tries++) {
		if (sendmsg(t->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
			t->sent++;
			return;
		}
		if (errno != ECONNREFUSED && errno != EINTR)
			break;
	}
	if (errno == EMSGSIZE)
		t->oversize++;
	/* The local daemon restarted: its socket is a new one. */
	if (t->kind == SL_UNIX && (errno == ECONNREFUSED ||
	    errno == ENOTCONN || errno == ENOENT))
		sl_close(t);
	t->dropped++;
}

void
syslog_out_send(struct syslog_out *t, const char *line, const char *severity,
    const char *msgid)
{
	char hdr[SL_HDR_MAX], pre[24];
	size_t hlen, len = strlen(line);
	struct sl_msg *m;
	int plen;

	if ((hlen = sl_header(t, severity, msgid, hdr, sizeof(hdr))) == 0) {
		t->dropped++;
		return;
	}
	if (t->kind != SL_TCP) {
		sl_datagram(t, hdr, hlen, line, len);
		return;
	}
	/* RFC 6587 §3.4.1: MSG-LEN counts the octets of the message that follows. */
	plen = snprintf(pre, sizeof(pre), "%zu ", hlen + len);
	if (plen < 0 || (m = malloc(sizeof(*m) + (size_t)plen + hlen +
	    len)) == NULL) {
		t->dropped++;
		return;
	}
	memcpy(m->data, pre, (size_t)plen);
	memcpy(m->data + plen, hdr, hlen);
	memcpy(m->data + (size_t)plen + hlen, line, len);
	m->len = (size_t)plen + hlen + len;
	sl_enqueue(t, m);
	sl_pump(t);
}

void
syslog_out_tick(struct syslog_out *t)
{
	if (t != NULL && t->kind == SL_TCP && t->qlen > 0)
		sl_pump(t);
}

void
syslog_out_flush(struct syslog_out *t, uint64_t deadline_us)
{
	struct pollfd pfd;
	uint64_t now;
	int ms;

	if (t == NULL || t->kind != SL_TCP)
		return;
	/* Bounded: what a collector down past the deadline did not take is dropped. */
	while (t->qlen > 0 && (now = mono_us()) < deadline_us) {
		sl_pump(t);
		if (t->qlen == 0)
			break;
		ms = (int)((deadline_us - now) / 1000);
		if (ms > 50)
			ms = 50;
		if (t->fd >= 0) {
			pfd.fd = t->fd;
			pfd.events = POLLOUT;
			(void)poll(&pfd, 1, ms);
		} else {
			struct timespec ts = { 0, (long)ms * 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	while (t->qlen > 0)
		sl_drop_at(t, 0);
	t->off = 0;
	/* close() still delivers what the kernel holds; no SO_LINGER reset. */
	sl_close(t);
}

void
syslog_out_print(const struct syslog_out *t, FILE *fp)
{
	if (t == NULL)
		return;
	fprintf(fp, "credleak: syslog %s: sent %" PRIu64 ", dropped %" PRIu64
	    " (too long %" PRIu64 "), queued %zu (at most %zu), connections %"
	    PRIu64 "\n", t->name, t->sent, t->dropped, t->oversize, t->qlen,
	    t->qpeak, t->connects);
}

void
syslog_out_free(struct syslog_out *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->qlen; i++)
		free(t->q[(t->qhead + i) % SL_QUEUE_MSGS]);
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}
