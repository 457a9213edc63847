#!/bin/bash
# make-pcaps-kv.sh [OUTDIR [SCENARIO...]] - re-create the Redis, MQTT and
# SOCKS captures of pcaps/ with real servers and real clients.  With
# SCENARIO names (shell patterns such as 'redis-*'), only those captures
# are written.
#
# Servers, each from a private configuration in one mktemp directory, on
# 127.0.0.1 only (never /etc/redis, /etc/mosquitto or /etc/danted.conf, and
# no system service is started):
#
#   redis-server   16379  requirepass (the "default" user's password) and
#                         an ACL user carol; no persistence
#   mosquitto      11883  allow_anonymous false, password_file made with
#                         mosquitto_passwd (user alice)
#   danted         11080  SOCKS5, socksmethod username: RFC 1929 against
#                         the system's passwords (a temporary user, below)
#   danted         11081  socksmethod none: SOCKS4 requests with a user id
#   python3 -m http.server 11088, the target the proxies connect to (its
#                         connections are not captured: only the proxy's)
#
# Scenarios:
#
#   redis-auth-requirepass  redis-cli -a: AUTH <password> (one argument), +OK
#   redis-auth-acl          redis-cli --user carol --pass: AUTH carol <pw>
#   redis-auth-fail         redis-cli -a <wrong>: -WRONGPASS
#   redis-hello-auth        redis-cli HELLO 3 AUTH carol <pw>: a RESP3 map
#   redis-inline-pipelined  Python socket: "PING" (-NOAUTH), "AUTH carol <pw>" and
#                           "PING" inline in one segment (redis-cli only
#                           speaks RESP)
#   mqtt-v31, mqtt-v311, mqtt-v5
#                           mosquitto_pub -V 31/311/5 -u alice -P <pw>
#                           (3.1 with a will message), CONNACK accepted
#   mqtt-v311-fail, mqtt-v5-fail
#                           the same with a wrong password: return code 5,
#                           reason code 0x87 (mosquitto's "not authorized")
#   socks5-auth             curl through socks5://socksuser:<pw>@ to the
#                           HTTP server, with HTTP Basic (alice) inside the
#                           tunnel: the tunnelled request is HTTP's finding
#   socks5-auth-fail        the same with a wrong password: status 1
#   socks4-userid           curl through socks4://carol@ (a user id, no
#                           password) to the HTTP server
#
# Clients connect from 127.0.0.2 where they can bind a source address
# (mosquitto_pub -A, curl --interface, Python); redis-cli cannot, so its
# connections come from 127.0.0.1.
#
# Needs root (tcpdump, useradd).  The one change outside the work
# directory: danted's username method checks the system's password
# database, so a temporary system user "socksuser" (no home, shell
# /usr/sbin/nologin, GECOS "credleak make-pcaps-kv temporary test user") is
# created with useradd and removed with userdel on exit; if a user of that
# name exists that this script did not create, the SOCKS5 scenarios are
# skipped rather than touch it.  Every server is stopped by PID on exit and
# the temporary directory removed (KEEP_WORK=1 keeps it).
#
# Test passwords (synthetic, in tests/secrets.txt): amber-falcon-test-11
# (Redis requirepass, MQTT alice, HTTP Basic alice), cobalt-heron-test-12
# (Redis carol), saffron-kite-test-13 (SOCKS socksuser),
# wrong-pass-test-3 (failed logins).

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUTDIR=${1:-$HERE}
[ $# -gt 0 ] && shift
ONLY=("$@")
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

PW1='amber-falcon-test-11'
PW2='cobalt-heron-test-12'
SOCKS_PW='saffron-kite-test-13'
WRONG_PW='wrong-pass-test-3'
SECRETS=("$PW1" "$PW2" "$SOCKS_PW" "$WRONG_PW")

P_REDIS=16379
P_MQTT=11883
P_SOCKS5=11080
P_SOCKS4=11081
P_HTTP=11088

REDIS_CASES="redis-auth-requirepass redis-auth-acl redis-auth-fail redis-hello-auth
redis-inline-pipelined"
MQTT_CASES="mqtt-v31 mqtt-v311 mqtt-v5 mqtt-v311-fail mqtt-v5-fail"
SOCKS5_CASES="socks5-auth socks5-auth-fail"
SOCKS4_CASES="socks4-userid"

SOCKS_USER=socksuser
SOCKS_USER_GECOS="credleak make-pcaps-kv temporary test user"

# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root (tcpdump and the servers need it)"
for t in tcpdump ss; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t"
done

HAVE_REDIS=yes HAVE_MQTT=yes HAVE_SOCKS5=yes HAVE_SOCKS4=yes
SOCKS_USER_MADE=""
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
	HAVE_REDIS=no; skip_cases "$REDIS_CASES" "Redis is not installed (apt-get install redis-server redis-tools)"
fi
if ! command -v mosquitto >/dev/null 2>&1 || ! command -v mosquitto_pub >/dev/null 2>&1 ||
    ! command -v mosquitto_passwd >/dev/null 2>&1; then
	HAVE_MQTT=no; skip_cases "$MQTT_CASES" "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)"
fi
if [ ! -x /usr/sbin/danted ] || ! command -v curl >/dev/null 2>&1; then
	HAVE_SOCKS5=no HAVE_SOCKS4=no
	skip_cases "$SOCKS5_CASES $SOCKS4_CASES" "danted or curl is not installed (apt-get install dante-server curl)"
elif ! command -v useradd >/dev/null 2>&1 || ! command -v userdel >/dev/null 2>&1 ||
    ! command -v chpasswd >/dev/null 2>&1; then
	HAVE_SOCKS5=no; skip_cases "$SOCKS5_CASES" "useradd/userdel/chpasswd missing (apt-get install passwd)"
elif getent passwd "$SOCKS_USER" >/dev/null 2>&1; then
	if [ "$(getent passwd "$SOCKS_USER" | cut -d: -f5)" = "$SOCKS_USER_GECOS" ]; then
		SOCKS_USER_MADE=yes	# left behind by a run that was killed: ours
	else
		HAVE_SOCKS5=no
		skip_cases "$SOCKS5_CASES" "a system user '$SOCKS_USER' already exists and is not this script's temporary one; not touching it"
	fi
fi
wanted "$REDIS_CASES" || HAVE_REDIS=no
wanted "$MQTT_CASES" || HAVE_MQTT=no
wanted "$SOCKS5_CASES" || HAVE_SOCKS5=no
wanted "$SOCKS4_CASES" || HAVE_SOCKS4=no
PORTS=""
[ $HAVE_REDIS = yes ] && PORTS="$PORTS $P_REDIS"
[ $HAVE_MQTT = yes ] && PORTS="$PORTS $P_MQTT"
[ $HAVE_SOCKS5 = yes ] && PORTS="$PORTS $P_SOCKS5 $P_HTTP"
[ $HAVE_SOCKS4 = yes ] && PORTS="$PORTS $P_SOCKS4 $P_HTTP"
for p in $PORTS; do
	if ss -Htln "sport = :$p" | grep -q .; then
		die "port $p is already in use (a previous run still going?)"
	fi
done

WORK=$(mktemp -d /tmp/credleak-pcaps-kv.XXXXXX)
chmod 755 "$WORK"
SERVER_PIDS=""

cleanup() {
	rc=$?
	set +e
	stop_capture
	for pid in $SERVER_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $SERVER_PIDS; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -n "$SOCKS_USER_MADE" ]; then
		for _ in $(seq 20); do
			userdel "$SOCKS_USER" 2>/dev/null && { SOCKS_USER_MADE=""; break; }
			sleep 0.2
		done
		if [ -n "$SOCKS_USER_MADE" ]; then
			log "could not remove the temporary user $SOCKS_USER: run 'userdel $SOCKS_USER'"
			[ $rc -eq 0 ] && rc=1
		fi
	fi
	if [ $rc -ne 0 ] && [ -d "$WORK" ]; then
		log "failed; server logs follow"
		for f in "$WORK"/redis/log "$WORK"/mqtt/log "$WORK"/socks*/log; do
			[ -f "$f" ] && { echo "== $f" >&2; tail -n 30 "$f" | redact >&2; }
		done
	fi
	if [ "${KEEP_WORK:-}" = 1 ]; then
		log "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_port PORT PID: until PORT listens on 127.0.0.1, or PID died.
wait_port() {
	for _ in $(seq 150); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# --------------------------------------------------------------------- Redis
if [ $HAVE_REDIS = yes ]; then
	RW=$WORK/redis
	mkdir -p "$RW"
	# requirepass sets the "default" user's password (AUTH with one
	# argument); carol is an ACL user (AUTH with two).
	cat >"$RW/redis.conf" <<-EOF
	bind 127.0.0.1
	port $P_REDIS
	daemonize no
	protected-mode yes
	dir $RW
	logfile $RW/log
	save ""
	appendonly no
	requirepass $PW1
	user carol on >$PW2 ~* &* +@all
	EOF
	chmod 600 "$RW/redis.conf"
	redis-server "$RW/redis.conf" >"$RW/out" 2>&1 &
	REDIS_PID=$!
	SERVER_PIDS="$SERVER_PIDS $REDIS_PID"
	wait_port $P_REDIS $REDIS_PID || { cat "$RW/log" >&2; die "redis-server did not start"; }

	RCLI=(redis-cli -h 127.0.0.1 -p $P_REDIS --no-auth-warning)
	capture redis-auth-requirepass $P_REDIS 'PONG' "${RCLI[@]}" -a "$PW1" PING
	capture redis-auth-acl $P_REDIS 'carol' "${RCLI[@]}" --user carol --pass "$PW2" ACL WHOAMI
	capture redis-auth-fail $P_REDIS 'WRONGPASS|NOAUTH' "${RCLI[@]}" -a "$WRONG_PW" PING
	capture redis-hello-auth $P_REDIS 'redis.*proto.*3' "${RCLI[@]}" HELLO 3 AUTH carol "$PW2"
	capture redis-inline-pipelined $P_REDIS 'NOAUTH.*\+OK.*\+PONG' \
		"$PY" -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10, ("127.0.0.2", 0))
s.sendall(b"PING\r\nAUTH carol " + sys.argv[2].encode() + b"\r\nPING\r\n")
buf = b""
end = time.time() + 5
while buf.count(b"\r\n") < 3 and time.time() < end:
    buf += s.recv(4096)
s.sendall(b"QUIT\r\n")
s.recv(4096)
s.close()
print(buf.decode().replace("\r\n", " "))
' $P_REDIS "$PW2"
fi

# ---------------------------------------------------------------------- MQTT
if [ $HAVE_MQTT = yes ]; then
	MW=$WORK/mqtt
	mkdir -p "$MW"
	mosquitto_passwd -b -c "$MW/passwd" alice "$PW1" >/dev/null 2>&1 ||
		die "mosquitto_passwd failed"
	cat >"$MW/mosquitto.conf" <<-EOF
	listener $P_MQTT 127.0.0.1
	allow_anonymous false
	password_file $MW/passwd
	persistence false
	log_dest file $MW/log
	log_type all
	user root
	EOF
	mosquitto -c "$MW/mosquitto.conf" >"$MW/out" 2>&1 &
	MQTT_PID=$!
	SERVER_PIDS="$SERVER_PIDS $MQTT_PID"
	wait_port $P_MQTT $MQTT_PID || { cat "$MW/out" >&2; die "mosquitto did not start"; }

	MPUB=(mosquitto_pub -d -h 127.0.0.1 -p $P_MQTT -A 127.0.0.2 -t credleak/test -m hello)
	capture mqtt-v31 $P_MQTT 'CONNACK \(0\)' "${MPUB[@]}" -V mqttv31 -i kv-v31 \
		--will-topic credleak/will --will-payload gone -u alice -P "$PW1"
	capture mqtt-v311 $P_MQTT 'CONNACK \(0\)' "${MPUB[@]}" -V mqttv311 -i kv-v311 \
		-u alice -P "$PW1"
	capture mqtt-v5 $P_MQTT 'CONNACK \(0\)' "${MPUB[@]}" -V mqttv5 -i kv-v5 \
		-u alice -P "$PW1"
	capture mqtt-v311-fail $P_MQTT 'CONNACK \(5\)|not authori[sz]ed' "${MPUB[@]}" \
		-V mqttv311 -i kv-fail -u alice -P "$WRONG_PW"
	capture mqtt-v5-fail $P_MQTT 'CONNACK \(135\)|[Nn]ot authori[sz]ed' "${MPUB[@]}" \
		-V mqttv5 -i kv-fail5 -u alice -P "$WRONG_PW"
fi

# --------------------------------------------------------------------- SOCKS
if [ $HAVE_SOCKS5 = yes ] || [ $HAVE_SOCKS4 = yes ]; then
	HW=$WORK/www
	mkdir -p "$HW"
	echo "credleak socks target" >"$HW/index.html"
	"$PY" -m http.server $P_HTTP --bind 127.0.0.1 --directory "$HW" \
		>"$WORK/http.log" 2>&1 &
	HTTP_PID=$!
	SERVER_PIDS="$SERVER_PIDS $HTTP_PID"
	wait_port $P_HTTP $HTTP_PID || { cat "$WORK/http.log" >&2; die "http.server did not start"; }

	# danted CONFIG PORT METHOD: one proxy, in the foreground.
	socks_start() {
		local dir=$WORK/socks-$1
		mkdir -p "$dir"
		cat >"$dir/danted.conf" <<-EOF
		logoutput: $dir/log
		debug: 1
		internal: 127.0.0.1 port = $1
		external: 127.0.0.1
		clientmethod: none
		socksmethod: $2
		user.privileged: root
		user.unprivileged: nobody
		client pass {
			from: 127.0.0.0/8 to: 0.0.0.0/0
		}
		socks pass {
			from: 127.0.0.0/8 to: 127.0.0.1/32 port = $P_HTTP
			command: connect
			protocol: tcp
		}
		EOF
		/usr/sbin/danted -f "$dir/danted.conf" -p "$dir/danted.pid" -N 1 \
			>"$dir/out" 2>&1 &
		SOCKS_PID=$!
		SERVER_PIDS="$SERVER_PIDS $SOCKS_PID"
		wait_port "$1" $SOCKS_PID || { cat "$dir/out" "$dir/log" >&2; die "danted on $1 did not start"; }
	}
	CURL=(curl -sS -v --max-time 10 --interface 127.0.0.2)
fi
if [ $HAVE_SOCKS5 = yes ]; then
	if [ -z "$SOCKS_USER_MADE" ]; then
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin --comment "$SOCKS_USER_GECOS" "$SOCKS_USER" ||
			die "useradd $SOCKS_USER failed"
		SOCKS_USER_MADE=yes
	fi
	echo "$SOCKS_USER:$SOCKS_PW" | chpasswd || die "chpasswd failed"
	socks_start $P_SOCKS5 username
	capture socks5-auth $P_SOCKS5 'credleak socks target' "${CURL[@]}" \
		--proxy "socks5://$SOCKS_USER:$SOCKS_PW@127.0.0.1:$P_SOCKS5" \
		-u "alice:$PW1" "http://127.0.0.1:$P_HTTP/"
	capture socks5-auth-fail $P_SOCKS5 'SOCKS5|[Pp]roxy' "${CURL[@]}" \
		--proxy "socks5://$SOCKS_USER:$WRONG_PW@127.0.0.1:$P_SOCKS5" \
		"http://127.0.0.1:$P_HTTP/"
fi
if [ $HAVE_SOCKS4 = yes ]; then
	socks_start $P_SOCKS4 none
	capture socks4-userid $P_SOCKS4 'credleak socks target' "${CURL[@]}" \
		--proxy "socks4://carol@127.0.0.1:$P_SOCKS4" "http://127.0.0.1:$P_HTTP/"
fi
# What made the captures, for pcaps/README.md (some of these exit non-zero).
{
	echo "# make-pcaps-kv.sh, $(date -u +%Y-%m-%d)"
	if [ $HAVE_REDIS = yes ]; then redis-server --version || true; fi
	if [ $HAVE_MQTT = yes ]; then (mosquitto -h 2>&1 || true) | head -n 1; fi
	if [ $HAVE_SOCKS5 = yes ] || [ $HAVE_SOCKS4 = yes ]; then
		(/usr/sbin/danted -v 2>&1 || true) | head -n 1
		curl --version | head -n 1
	fi
} >"$WORK/versions.txt"
log "done; $(tr '\n' ';' <"$WORK/versions.txt" | redact)"
