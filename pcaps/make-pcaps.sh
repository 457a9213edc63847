#!/bin/bash
# make-pcaps.sh [OUTDIR] - re-create the real-server captures of pcaps/.
#
# Starts real servers on 127.0.0.1 only, from a private temporary
# configuration (never /etc/postfix or /etc/dovecot):
#
#   Dovecot "plain"    POP3 127.0.0.1:10110, no TLS at all, cleartext logins
#                      allowed, USER/PASS + SASL PLAIN LOGIN APOP CRAM-MD5;
#                      it also serves the SASL socket Postfix authenticates with
#   Dovecot "tls"      POP3 127.0.0.1:10111, STLS offered, cleartext logins
#                      refused before TLS (disable_plaintext_auth = yes)
#   Dovecot "tlsopen"  POP3 127.0.0.1:10112, STLS offered, cleartext logins
#                      allowed before TLS
#   Postfix, one private instance (postfix -c DIR), smtpd on:
#     10025  MX-like: no STARTTLS, no AUTH, accepts mail for local domains
#     10587  submission: no STARTTLS, AUTH (Dovecot SASL) offered in clear
#     10588  submission: STARTTLS offered, AUTH offered in clear too
#            (smtpd_tls_auth_only = no)
#     10589  submission: STARTTLS offered, AUTH only after TLS
#     10590  submission: STARTTLS advertised, but the TLS certificate cannot
#            be loaded, so smtpd answers STARTTLS with
#            "454 4.7.0 TLS not available due to local problem"
#   All mail is delivered to Postfix's discard(8) transport: nothing is
#   relayed, no DNS lookup is made, nothing leaves 127.0.0.1.
#
# Then drives each scenario with a real client (swaks, curl, Python's
# smtplib/poplib via pcaps/clients.py) connecting from 127.0.0.2 (.3 and .4
# for the failed logins), captures it with tcpdump on lo into
# OUTDIR/<proto>-<case>.pcap, checks the client's transcript shows the
# scenario really happened, and stops everything by PID.  The tool versions
# used are written to OUTDIR/VERSIONS.txt.  No network namespace is used;
# Dovecot runs in a UTS namespace only so that its APOP challenge names
# mail.example.test rather than this machine.
#
# Needs root (tcpdump, binding services as other users).  Idempotent: every
# run overwrites the same files; all temporary state is under one mktemp
# directory that is removed on exit.  Takes about 15 seconds.
# KEEP_WORK=1 leaves the temporary directory (configs, server logs) behind.
#
# Test credentials (synthetic, listed in tests/secrets.txt):
#   alice / Tr0ub4dor-test-1, bob / correct-horse-test-2,
#   a failed login uses wrong-pass-test-3.

# The Makefile runs this with sh: go on under bash (it uses arrays).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUTDIR=${1:-$HERE}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

# Debian's interpreter first: the version recorded is the system's.
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

ALICE_PW='Tr0ub4dor-test-1'
BOB_PW='correct-horse-test-2'
WRONG_PW='wrong-pass-test-3'

P_POP_PLAIN=10110
P_POP_TLS=10111
P_POP_TLSOPEN=10112
P_MX=10025
P_SUB_CLEAR=10587
P_SUB_TLS_MAY=10588
P_SUB_TLS_ONLY=10589
P_SUB_TLS_BROKEN=10590
ALL_PORTS="$P_POP_PLAIN $P_POP_TLS $P_POP_TLSOPEN $P_MX $P_SUB_CLEAR \
$P_SUB_TLS_MAY $P_SUB_TLS_ONLY $P_SUB_TLS_BROKEN"

die() { echo "make-pcaps: $*" >&2; exit 1; }
log() { echo "make-pcaps: $*" >&2; }

# redact: copies stdin to stdout with the test passwords, their base64 and
# the SASL PLAIN blobs that carry them replaced, so that diagnostics never
# put a test secret into a test log.
REDACT_SED=""
for pw in "$ALICE_PW" "$BOB_PW" "$WRONG_PW"; do
	for form in "$pw" "$(printf '%s' "$pw" | base64 -w0)" \
	    "$(printf '\0alice\0%s' "$pw" | base64 -w0)" \
	    "$(printf '\0bob\0%s' "$pw" | base64 -w0)"; do
		REDACT_SED="$REDACT_SED;s|$form|<test-secret>|g"
	done
done
redact() { sed -e "${REDACT_SED#;}"; }

[ "$(id -u)" = 0 ] || die "must run as root (tcpdump and the servers need it)"
for t in tcpdump postfix postconf dovecot doveadm swaks curl openssl ss; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t (apt-get install postfix dovecot-pop3d swaks curl openssl tcpdump iproute2)"
done
if [ -d /usr/lib/dovecot ] && [ ! -x /usr/lib/dovecot/pop3-login ]; then
	die "Dovecot has no POP3 server (apt-get install dovecot-pop3d)"
fi

for p in $ALL_PORTS; do
	if ss -Htln "sport = :$p" | grep -q .; then
		die "port $p is already in use (a previous run still going?)"
	fi
done

WORK=$(mktemp -d /tmp/credleak-pcaps.XXXXXX)
# Login processes run as dovenull, smtpd as postfix, mail as nobody: they
# need to traverse the work directory.
chmod 755 "$WORK"

DOVECOT_PIDS=""
POSTFIX_PID=""
TCPDUMP_PID=""

cleanup() {
	rc=$?
	set +e
	if [ -n "$TCPDUMP_PID" ]; then
		kill -INT "$TCPDUMP_PID" 2>/dev/null
		wait "$TCPDUMP_PID" 2>/dev/null
	fi
	# A start that failed half-way may have left a master behind.
	if [ -z "$POSTFIX_PID" ] && [ -s "$WORK/postfix/spool/pid/master.pid" ]; then
		POSTFIX_PID=$(tr -d ' ' <"$WORK/postfix/spool/pid/master.pid")
	fi
	if [ -n "$POSTFIX_PID" ]; then
		# What "postfix stop" does: SIGTERM to the master, which stops
		# its children.
		kill -TERM "$POSTFIX_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$POSTFIX_PID" 2>/dev/null || break
			sleep 0.1
		done
	fi
	for pid in $DOVECOT_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $DOVECOT_PIDS; do
		wait "$pid" 2>/dev/null
	done
	if [ $rc -ne 0 ] && [ -d "$WORK" ]; then
		log "failed; server logs follow"
		for f in "$WORK"/postfix/maillog "$WORK"/dovecot-*/log; do
			[ -f "$f" ] && { echo "== $f" >&2; tail -n 30 "$f" | redact >&2; }
		done
	fi
	if [ -n "${KEEP_WORK:-}" ]; then
		log "KEEP_WORK set: left $WORK"
	else
		rm -rf "$WORK"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- credentials, certificate -------------------------------------------
mkdir -p "$WORK/tls" "$WORK/home"
chmod 1777 "$WORK/home"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" -days 2 \
	-subj /CN=mail.example.test -addext subjectAltName=DNS:mail.example.test \
	2>/dev/null
chmod 644 "$WORK/tls/cert.pem"
chmod 600 "$WORK/tls/key.pem"

# passwd-file with {PLAIN} passwords: APOP and CRAM-MD5 need the plaintext.
cat >"$WORK/users" <<EOF
alice:{PLAIN}$ALICE_PW::::::
bob:{PLAIN}$BOB_PW::::::
EOF
chmod 644 "$WORK/users"

# --- Dovecot ------------------------------------------------------------
# dovecot_conf NAME PORT SSL DISABLE_PLAINTEXT [extra lines]
dovecot_conf() {
	local name=$1 port=$2 ssl=$3 noplain=$4 extra=${5:-}
	local d="$WORK/dovecot-$name"
	mkdir -p "$d/run" "$d/state"
	cat >"$d/dovecot.conf" <<EOF
# Generated by credleak pcaps/make-pcaps.sh; private test instance.
instance_name = credleak-$name
base_dir = $d/run
state_dir = $d/state
log_path = $d/log
protocols = pop3
listen = 127.0.0.1
hostname = mail.example.test
default_internal_user = dovecot
default_login_user = dovenull
ssl = $ssl
disable_plaintext_auth = $noplain
auth_mechanisms = plain login apop cram-md5
auth_failure_delay = 0
auth_verbose = yes
login_greeting = Dovecot ready.
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN $WORK/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$WORK/home/%u
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $port
  }
  inet_listener pop3s {
    port = 0
  }
}
$extra
EOF
	if [ "$ssl" != no ]; then
		cat >>"$d/dovecot.conf" <<EOF
ssl_cert = <$WORK/tls/cert.pem
ssl_key = <$WORK/tls/key.pem
EOF
	fi
}

dovecot_conf plain "$P_POP_PLAIN" no no "service auth {
  unix_listener $WORK/auth-postfix {
    mode = 0666
  }
}"
dovecot_conf tls "$P_POP_TLS" yes yes
dovecot_conf tlsopen "$P_POP_TLSOPEN" yes no

# Dovecot's APOP challenge carries the machine's host name (gethostname(),
# not the "hostname" setting): run it in a UTS namespace of its own named
# mail.example.test, so no capture names the machine that made it.  unshare
# and sh exec, so $! is Dovecot's master process.
# (Without namespaces the challenge shows the real host name; nothing else
# changes.)
if unshare --uts true 2>/dev/null; then
	UTS=(unshare --uts -- sh -c 'hostname mail.example.test && exec "$@"' sh)
else
	UTS=()
	log "no UTS namespace: APOP challenges will name this machine"
fi
for name in plain tls tlsopen; do
	"${UTS[@]}" dovecot -F -c "$WORK/dovecot-$name/dovecot.conf" \
		>"$WORK/dovecot-$name/stdout" 2>&1 &
	DOVECOT_PIDS="$DOVECOT_PIDS $!"
done

# --- Postfix ------------------------------------------------------------
PF="$WORK/postfix"
mkdir -p "$PF/etc" "$PF/spool" "$PF/data"
chown postfix "$PF/data"
cat >"$PF/etc/main.cf" <<EOF
# Generated by credleak pcaps/make-pcaps.sh; private test instance.
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = $PF
maillog_file = $PF/maillog
myhostname = mail.example.test
mydomain = example.test
myorigin = example.test
mydestination = example.test, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_banner = \$myhostname ESMTP Postfix
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
local_recipient_maps =
alias_maps =
alias_database =
# Nothing is delivered or relayed anywhere: every transport is discard(8).
local_transport = discard:
virtual_transport = discard:
relay_transport = discard:
default_transport = discard:
biff = no
smtpd_sasl_type = dovecot
smtpd_sasl_path = $WORK/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_tls_security_level = none
smtpd_tls_auth_only = no
smtpd_tls_cert_file = $WORK/tls/cert.pem
smtpd_tls_key_file = $WORK/tls/key.pem
smtpd_tls_loglevel = 1
EOF

smtpd_line() { # PORT [-o options...]
	local port=$1; shift
	echo "127.0.0.1:$port inet n - n - - smtpd"
	for o in "$@"; do echo "  $o"; done
}
{
	echo "# Generated by credleak pcaps/make-pcaps.sh; no chroot, loopback only."
	smtpd_line $P_MX -o smtpd_tls_security_level=none \
		-o smtpd_sasl_auth_enable=no
	smtpd_line $P_SUB_CLEAR -o smtpd_tls_security_level=none \
		-o smtpd_sasl_auth_enable=yes
	smtpd_line $P_SUB_TLS_MAY -o smtpd_tls_security_level=may \
		-o smtpd_tls_auth_only=no -o smtpd_sasl_auth_enable=yes
	smtpd_line $P_SUB_TLS_ONLY -o smtpd_tls_security_level=may \
		-o smtpd_tls_auth_only=yes -o smtpd_sasl_auth_enable=yes
	# A certificate that cannot be loaded: smtpd still lists STARTTLS
	# but has no TLS context, and answers it with 454.
	smtpd_line $P_SUB_TLS_BROKEN -o smtpd_tls_security_level=may \
		-o smtpd_tls_auth_only=no -o smtpd_sasl_auth_enable=yes \
		-o "smtpd_tls_cert_file=$WORK/tls/missing-cert.pem" \
		-o "smtpd_tls_key_file=$WORK/tls/missing-key.pem"
	cat <<'EOF'
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
} >"$PF/etc/master.cf"

wait_port() { # PORT
	for _ in $(seq 100); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	die "nothing listening on 127.0.0.1:$1"
}
for p in $P_POP_PLAIN $P_POP_TLS $P_POP_TLSOPEN; do wait_port "$p"; done
for _ in $(seq 50); do [ -S "$WORK/auth-postfix" ] && break; sleep 0.1; done

postfix -c "$PF/etc" start >"$PF/start.log" 2>&1 || {
	redact <"$PF/start.log" >&2
	die "postfix did not start (Postfix prints its fatal errors only to a tty or maillog)"
}
POSTFIX_PID=$(sed -n '1s/ //gp' "$PF/spool/pid/master.pid")
for p in $P_MX $P_SUB_CLEAR $P_SUB_TLS_MAY $P_SUB_TLS_ONLY $P_SUB_TLS_BROKEN; do
	wait_port "$p"
done
log "servers up: dovecot pids$DOVECOT_PIDS, postfix master pid $POSTFIX_PID"

# --- versions -----------------------------------------------------------
{
	echo "# Written by pcaps/make-pcaps.sh: the software that made the real captures."
	echo "postfix $(postconf -h mail_version)"
	echo "dovecot $(dovecot --version)"
	echo "swaks $(swaks --version 2>&1 | sed -n 's/^swaks version //p')"
	echo "curl $(curl --version | sed -n '1s/^curl \([^ ]*\).*/\1/p')"
	echo "python $($PY -c 'import sys; print(sys.version.split()[0])') (smtplib, poplib)"
	echo "openssl $(openssl version | awk '{print $2}')"
	echo "tcpdump $(tcpdump --version 2>&1 | sed -n 's/^tcpdump version //p')"
	echo "libpcap $(tcpdump --version 2>&1 | sed -n 's/^libpcap version \([^ ]*\).*/\1/p')"
} >"$OUTDIR/VERSIONS.txt"

# --- capture harness ----------------------------------------------------
# capture NAME PORT EXPECT CMD...: runs CMD under tcpdump on lo, filtered to
# 127.0.0.0/8 and PORT, into OUTDIR/NAME.pcap; CMD's output (the protocol
# transcript, read as one string) must match the extended regex EXPECT, proof that the scenario
# happened.  CMD's exit status is not used: some scenarios fail on purpose.
capture() {
	local name=$1 port=$2 expect=$3; shift 3
	local out="$OUTDIR/$name.pcap" tlog="$WORK/$name.tcpdump" clog="$WORK/$name.log"
	rm -f "$out"
	tcpdump -i lo -Z root --immediate-mode -U -s 0 -w "$out" \
		"tcp port $port and src net 127.0.0.0/8 and dst net 127.0.0.0/8" \
		>"$tlog" 2>&1 &
	TCPDUMP_PID=$!
	for _ in $(seq 100); do
		grep -q 'listening on' "$tlog" && break
		kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$tlog")"
		sleep 0.05
	done
	grep -q 'listening on' "$tlog" || die "tcpdump not ready for $name"
	timeout 30 "$@" >"$clog" 2>&1 || true
	# Let the server's last segments (FIN, final ACK) reach the capture.
	sleep 0.4
	kill -INT "$TCPDUMP_PID"
	wait "$TCPDUMP_PID" || true
	TCPDUMP_PID=""
	if ! grep -Ezq -- "$expect" "$clog"; then
		sed 's/^/    /' "$clog" | redact >&2
		die "$name: the transcript does not show /$expect/"
	fi
	log "$name.pcap: $(stat -c %s "$out") bytes, $(tcpdump -nr "$out" 2>/dev/null | wc -l) packets"
}

# Clients connect from 127.0.0.2, not from the servers' 127.0.0.1: Dovecot
# treats a client whose address equals its own as "secured" and would then
# offer and accept cleartext logins that it refuses to a remote client.  The
# failed logins come from addresses of their own (see below).
CLIENT_IP=127.0.0.2
FAIL_SMTP_IP=127.0.0.3
FAIL_POP3_IP=127.0.0.4

# swaks_args NAME PORT [SOURCE]: sets SA to the swaks options every scenario
# shares (fixed EHLO name, addresses, headers and body, so the captures carry
# no host name of the machine that made them).
swaks_args() {
	SA=(--server 127.0.0.1 --port "$2" --local-interface "${3:-$CLIENT_IP}"
	    --ehlo client.example.test
	    --from alice@example.test --to bob@example.test --timeout 10
	    --header "Subject: credleak $1"
	    --header "Message-Id: <$1@client.example.test>"
	    --header "Date: Sun, 22 Nov 2026 12:00:00 +0000"
	    --body "credleak test message: $1")
}
CLIENTS=("$PY" "$HERE/clients.py")
CURL=(curl -v --no-progress-meter --max-time 10 --interface "$CLIENT_IP")

# --- SMTP scenarios -----------------------------------------------------
# AUTH PLAIN on a server without STARTTLS, then a message.
swaks_args smtp-auth-plain $P_SUB_CLEAR
capture smtp-auth-plain $P_SUB_CLEAR '<-  235 .*<-  250 2\.0\.0 Ok: queued' \
	swaks "${SA[@]}" \
	--auth PLAIN --auth-user alice --auth-password "$ALICE_PW"

# AUTH LOGIN with both 334 prompts, no initial response; QUIT after AUTH.
swaks_args smtp-auth-login $P_SUB_CLEAR
capture smtp-auth-login $P_SUB_CLEAR '<-  334 VXNlcm5hbWU6.*<-  334 UGFzc3dvcmQ6.*<-  235 ' \
	swaks "${SA[@]}" --quit-after AUTH \
	--auth LOGIN --auth-user bob --auth-password "$BOB_PW"

# STARTTLS, then EHLO, AUTH and the message inside TLS; the server offers
# AUTH only after TLS (smtpd_tls_auth_only = yes).
swaks_args smtp-starttls $P_SUB_TLS_ONLY
capture smtp-starttls $P_SUB_TLS_ONLY '<-  220 2\.0\.0 Ready to start TLS.*~> AUTH PLAIN.*<~  235 .*<~  250 2\.0\.0 Ok: queued' \
	swaks "${SA[@]}" --tls \
	--auth PLAIN --auth-user alice --auth-password "$ALICE_PW"

# STARTTLS advertised, answered 454; swaks --tls-optional goes on in clear.
swaks_args smtp-starttls-refused $P_SUB_TLS_BROKEN
capture smtp-starttls-refused $P_SUB_TLS_BROKEN '<-  250-STARTTLS.*<\*\* +454 4\.7\.0 TLS not available.* -> AUTH PLAIN.*<-  235 .*<-  250 2\.0\.0 Ok: queued' \
	swaks "${SA[@]}" --tls-optional \
	--auth PLAIN --auth-user bob --auth-password "$BOB_PW"

# smtplib: AUTH LOGIN with the user name as initial response, then a message.
capture smtp-no-starttls $P_SUB_CLEAR "reply: retcode \(235\).*reply: retcode \(250\); Msg: b'2\.0\.0 Ok: queued" \
	"${CLIENTS[@]}" smtp-login --port $P_SUB_CLEAR --source $CLIENT_IP --mech LOGIN \
	--user bob --password "$BOB_PW" --subject smtp-no-starttls

# STARTTLS offered, curl (no --ssl) logs in with AUTH PLAIN in clear.
capture smtp-offered-not-used $P_SUB_TLS_MAY '< 250-STARTTLS.*< 235 .*< 250 2\.0\.0 Ok: queued' \
	"${CURL[@]}" "smtp://127.0.0.1:$P_SUB_TLS_MAY/client.example.test" \
	--mail-from alice@example.test --mail-rcpt bob@example.test \
	--user "alice:$ALICE_PW" --login-options AUTH=PLAIN \
	--upload-file "$HERE/message.txt"

# An MX-like port: no AUTH, no STARTTLS; mail for a local domain accepted.
swaks_args smtp-unauth-mail $P_MX
capture smtp-unauth-mail $P_MX '<-  250 2\.1\.0 Ok.*<-  250 2\.1\.5 Ok.*<-  250 2\.0\.0 Ok: queued' \
	swaks "${SA[@]}" --from mallory@example.net --to bob@localhost

# AUTH PLAIN, then MAIL FROM, RCPT TO and DATA sent in one go (PIPELINING).
swaks_args smtp-pipelined $P_SUB_CLEAR
capture smtp-pipelined $P_SUB_CLEAR '<-  235 .* -> MAIL FROM.* -> RCPT TO.* -> DATA.*<-  250 2\.0\.0 Ok: queued' \
	swaks "${SA[@]}" --pipeline \
	--auth PLAIN --auth-user bob --auth-password "$BOB_PW"

# CRAM-MD5: challenge-response, no password on the wire.
swaks_args smtp-cram-md5 $P_SUB_CLEAR
capture smtp-cram-md5 $P_SUB_CLEAR ' -> AUTH CRAM-MD5.*<-  334 .*<-  235 ' \
	swaks "${SA[@]}" --quit-after AUTH \
	--auth CRAM-MD5 --auth-user alice --auth-password "$ALICE_PW"

# --- POP3 scenarios -----------------------------------------------------
# CAPA (no STLS, USER and SASL PLAIN LOGIN listed), USER/PASS, STAT, QUIT.
capture pop3-user-pass $P_POP_PLAIN "'USER': \[\].*b'\+OK Logged in\.'" \
	"${CLIENTS[@]}" pop3 --port $P_POP_PLAIN --source $CLIENT_IP --capa \
	--user alice --password "$ALICE_PW"

# curl: CAPA, AUTH PLAIN (empty initial challenge "+ "), LIST, QUIT.
capture pop3-auth-plain $P_POP_PLAIN '> AUTH PLAIN.*< \+OK Logged in\.' \
	"${CURL[@]}" "pop3://127.0.0.1:$P_POP_PLAIN/" \
	--user "bob:$BOB_PW" --login-options AUTH=PLAIN

# APOP against the challenge in the greeting.
capture pop3-apop $P_POP_PLAIN "\+OK Dovecot ready\. <.*\*cmd\* 'APOP alice .*b'\+OK Logged in\.'" \
	"${CLIENTS[@]}" pop3 --port $P_POP_PLAIN --source $CLIENT_IP --apop \
	--user alice --password "$ALICE_PW"

# CAPA (STLS, no USER), STLS, then USER/PASS inside TLS.
capture pop3-stls $P_POP_TLS "\*cmd\* 'CAPA'.*\*cmd\* 'STLS'.*b'\+OK Begin TLS negotiation now\.'.*b'\+OK Logged in\.'" \
	"${CLIENTS[@]}" pop3 --port $P_POP_TLS --source $CLIENT_IP --stls \
	--user bob --password "$BOB_PW"

# CAPA lists STLS and USER; the client logs in with USER/PASS in clear.
capture pop3-stls-not-used $P_POP_TLSOPEN "'STLS': \[\].*'USER': \[\].*b'\+OK Logged in\.'" \
	"${CLIENTS[@]}" pop3 --port $P_POP_TLSOPEN --source $CLIENT_IP --capa \
	--user bob --password "$BOB_PW"

# --- failed logins, last, each from its own loopback address: Dovecot's
# auth penalty (anvil) slows down every later login from an address that
# just failed, which would stall the other scenarios.
swaks_args smtp-auth-fail $P_SUB_CLEAR $FAIL_SMTP_IP
capture smtp-auth-fail $P_SUB_CLEAR '<\*\* +535 5\.7\.8 ' \
	swaks "${SA[@]}" \
	--auth PLAIN --auth-user alice --auth-password "$WRONG_PW"

capture pop3-fail $P_POP_PLAIN 'login refused: .*-ERR \[AUTH\] Authentication failed' \
	"${CLIENTS[@]}" pop3 --port $P_POP_PLAIN --source $FAIL_POP3_IP --expect-fail \
	--user alice --password "$WRONG_PW"

log "done: captures in $OUTDIR"
