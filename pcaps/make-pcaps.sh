#!/bin/bash
# make-pcaps.sh [OUTDIR [SCENARIO...]] - re-create the real-server captures
# of pcaps/.  With SCENARIO names (shell patterns such as 'imap-*'), only
# those captures are written; every server is started all the same.
#
# Starts real servers on 127.0.0.1 only, from a private temporary
# configuration (never /etc/postfix, /etc/dovecot, /etc/vsftpd.conf or
# /etc/lighttpd).  Every port is a non-standard one (10xxx, 18080):
#
#   Dovecot "plain"    POP3 127.0.0.1:10110, no TLS at all, cleartext logins
#                      allowed, USER/PASS + SASL PLAIN LOGIN APOP CRAM-MD5;
#                      it also serves the SASL socket Postfix authenticates with
#   Dovecot "tls"      POP3 127.0.0.1:10111, STLS offered, cleartext logins
#                      refused before TLS (disable_plaintext_auth = yes)
#   Dovecot "tlsopen"  POP3 127.0.0.1:10112, STLS offered, cleartext logins
#                      allowed before TLS
#   Dovecot "imap-plain"    IMAP 10143, no TLS, LOGIN and AUTH=PLAIN/LOGIN
#   Dovecot "imap-tlsopen"  IMAP 10144, STARTTLS offered, cleartext LOGIN
#                           allowed before TLS
#   Dovecot "imap-required" IMAP 10145, ssl = required: LOGINDISABLED and
#                           no AUTH= before STARTTLS
#   Dovecot "imap-weak"     IMAP 10146, STARTTLS that accepts TLS 1.0/1.1
#                           (ssl_min_protocol = TLSv1, @SECLEVEL=0)
#   vsftpd "plain"     FTP 10021 (passive data 10030-10034), no TLS; local
#                      user alice and anonymous logins
#   vsftpd "tls"       FTP 10022 (passive data 10035-10039), AUTH TLS offered
#                      (ssl_enable) but not required
#   lighttpd           HTTP 10080 and 18080, /private/ behind Basic auth
#   Postfix, one private instance (postfix -c DIR), smtpd on:
#     10025  MX-like: no STARTTLS, no AUTH, accepts mail for local domains
#     10587  submission: no STARTTLS, AUTH (Dovecot SASL) offered in clear
#     10588  submission: STARTTLS offered, AUTH offered in clear too
#            (smtpd_tls_auth_only = no)
#     10589  submission: STARTTLS offered, AUTH only after TLS
#     10590  submission: STARTTLS advertised, but the TLS certificate cannot
#            be loaded, so smtpd answers STARTTLS with
#            "454 4.7.0 TLS not available due to local problem"
#     10591  MX-like STARTTLS that accepts TLS 1.0 (@SECLEVEL=0), no AUTH
#   All mail is delivered to Postfix's discard(8) transport: nothing is
#   relayed, no DNS lookup is made, nothing leaves 127.0.0.1.
#
# Then drives each scenario with a real client (swaks, curl, openssl
# s_client, Python's smtplib/poplib/imaplib/ftplib/http.client via
# pcaps/clients.py) connecting from 127.0.0.2 (.3 to .6 for the failed
# logins), captures it with tcpdump on lo into
# OUTDIR/<proto>-<case>.pcap, checks the client's transcript shows the
# scenario really happened, and stops everything by PID.  The tool versions
# used are written to OUTDIR/VERSIONS.txt.  No network namespace is used;
# Dovecot runs in a UTS namespace only so that its APOP challenge names
# mail.example.test rather than this machine.
#
# Needs root (tcpdump, binding services as other users).  Idempotent: every
# run overwrites the same files; all temporary state is under one mktemp
# directory that is removed on exit.  Takes about 30 seconds.
# KEEP_WORK=1 leaves the temporary directory (configs, server logs) behind.
#
# The one change outside that directory: vsftpd logs local users in through
# PAM, so for the FTP scenarios a temporary system user "alice" (system
# account, no home outside the temp dir, shell /usr/sbin/nologin, GECOS
# "credleak make-pcaps temporary test user") is created with useradd and
# removed with userdel on exit.  If a user "alice" that this script did not
# create already exists, the FTP scenarios are skipped rather than touch it.
#
# Optional parts: without dovecot-imapd, vsftpd or lighttpd installed, the
# IMAP, FTP or HTTP scenarios are skipped with a "make-pcaps: SKIP NAME: why"
# line each (the committed capture, if any, is left as it is).
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
[ $# -gt 0 ] && shift
ONLY=("$@")
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
P_SUB_WEAK=10591
P_IMAP_PLAIN=10143
P_IMAP_TLSOPEN=10144
P_IMAP_REQUIRED=10145
P_IMAP_WEAK=10146
P_FTP=10021
P_FTP_PASV=10030-10034
P_FTP_TLS=10022
P_FTP_TLS_PASV=10035-10039
P_HTTP=10080
P_HTTP_ALT=18080
ALL_PORTS="$P_POP_PLAIN $P_POP_TLS $P_POP_TLSOPEN $P_MX $P_SUB_CLEAR \
$P_SUB_TLS_MAY $P_SUB_TLS_ONLY $P_SUB_TLS_BROKEN $P_SUB_WEAK"

IMAP_CASES="imap-login imap-authenticate-plain imap-sasl-ir imap-starttls
imap-offered-not-used imap-ssl-required imap-weak-tls imap-fail"
FTP_CASES="ftp-login ftp-anonymous ftp-auth-tls ftp-feat-not-used ftp-fail"
HTTP_CASES="http-basic http-basic-fail http-keepalive http-nonstd-port"

# The temporary FTP user (see the header).
FTP_USER=alice
FTP_USER_GECOS="credleak make-pcaps temporary test user"

SECRETS=("$ALICE_PW" "$BOB_PW" "$WRONG_PW")
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root (tcpdump and the servers need it)"
for t in tcpdump postfix postconf dovecot doveadm swaks curl openssl ss; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t (apt-get install postfix dovecot-pop3d swaks curl openssl tcpdump iproute2)"
done
if [ -d /usr/lib/dovecot ] && [ ! -x /usr/lib/dovecot/pop3-login ]; then
	die "Dovecot has no POP3 server (apt-get install dovecot-pop3d)"
fi

# Optional groups: IMAP (dovecot-imapd), FTP (vsftpd and a free user name
# alice), HTTP (lighttpd).
HAVE_IMAP=yes HAVE_FTP=yes HAVE_HTTP=yes
FTP_USER_MADE=""
if [ -d /usr/lib/dovecot ] && [ ! -x /usr/lib/dovecot/imap-login ]; then
	HAVE_IMAP=no; skip_cases "$IMAP_CASES" "Dovecot has no IMAP server (apt-get install dovecot-imapd)"
fi
if ! command -v vsftpd >/dev/null 2>&1; then
	HAVE_FTP=no; skip_cases "$FTP_CASES" "vsftpd is not installed (apt-get install vsftpd)"
elif ! command -v useradd >/dev/null 2>&1 || ! command -v userdel >/dev/null 2>&1; then
	HAVE_FTP=no; skip_cases "$FTP_CASES" "useradd/userdel missing (apt-get install passwd)"
elif getent passwd "$FTP_USER" >/dev/null 2>&1; then
	if [ "$(getent passwd "$FTP_USER" | cut -d: -f5)" = "$FTP_USER_GECOS" ]; then
		# Left behind by a run that was killed: ours to remove.
		FTP_USER_MADE=yes
	else
		HAVE_FTP=no
		skip_cases "$FTP_CASES" "a system user '$FTP_USER' already exists and is not this script's temporary one; not touching it"
	fi
fi
if ! command -v lighttpd >/dev/null 2>&1; then
	HAVE_HTTP=no; skip_cases "$HTTP_CASES" "lighttpd is not installed (apt-get install lighttpd)"
fi
wanted "$IMAP_CASES" || HAVE_IMAP=no
wanted "$FTP_CASES" || HAVE_FTP=no
wanted "$HTTP_CASES" || HAVE_HTTP=no
[ $HAVE_IMAP = yes ] && ALL_PORTS="$ALL_PORTS $P_IMAP_PLAIN $P_IMAP_TLSOPEN $P_IMAP_REQUIRED $P_IMAP_WEAK"
[ $HAVE_FTP = yes ] && ALL_PORTS="$ALL_PORTS $P_FTP $P_FTP_TLS"
[ $HAVE_HTTP = yes ] && ALL_PORTS="$ALL_PORTS $P_HTTP $P_HTTP_ALT"

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
VSFTPD_PIDS=""
LIGHTTPD_PID=""

cleanup() {
	rc=$?
	set +e
	stop_capture
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
	for pid in $VSFTPD_PIDS $LIGHTTPD_PID; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $DOVECOT_PIDS $VSFTPD_PIDS $LIGHTTPD_PID; do
		wait "$pid" 2>/dev/null
	done
	if [ -n "$FTP_USER_MADE" ]; then
		# vsftpd's session processes for the user end with their
		# sessions; give a straggler a moment before userdel.
		for _ in $(seq 20); do
			userdel "$FTP_USER" 2>/dev/null && { FTP_USER_MADE=""; break; }
			sleep 0.2
		done
		if [ -n "$FTP_USER_MADE" ]; then
			log "could not remove the temporary user $FTP_USER: run 'userdel $FTP_USER'"
			[ $rc -eq 0 ] && rc=1
		fi
	fi
	if [ $rc -ne 0 ] && [ -d "$WORK" ]; then
		log "failed; server logs follow"
		for f in "$WORK"/postfix/maillog "$WORK"/dovecot-*/log \
		    "$WORK"/vsftpd-*/log "$WORK"/lighttpd/error.log; do
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
# dovecot_conf NAME PORT SSL DISABLE_PLAINTEXT [extra lines [PROTOCOL]]
# PROTOCOL is pop3 (the default) or imap.
dovecot_conf() {
	local name=$1 port=$2 ssl=$3 noplain=$4 extra=${5:-} proto=${6:-pop3}
	local d="$WORK/dovecot-$name" mechs="plain login apop cram-md5"
	# APOP is POP3's; the IMAP servers offer the two cleartext mechanisms.
	[ "$proto" = imap ] && mechs="plain login"
	mkdir -p "$d/run" "$d/state"
	cat >"$d/dovecot.conf" <<EOF
# Generated by credleak pcaps/make-pcaps.sh; private test instance.
instance_name = credleak-$name
base_dir = $d/run
state_dir = $d/state
log_path = $d/log
protocols = $proto
listen = 127.0.0.1
hostname = mail.example.test
default_internal_user = dovecot
default_login_user = dovenull
ssl = $ssl
disable_plaintext_auth = $noplain
auth_mechanisms = $mechs
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
service $proto-login {
  inet_listener $proto {
    address = 127.0.0.1
    port = $port
  }
  inet_listener ${proto}s {
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
DOVECOTS="plain tls tlsopen"
if [ $HAVE_IMAP = yes ]; then
	dovecot_conf imap-plain "$P_IMAP_PLAIN" no no "" imap
	dovecot_conf imap-tlsopen "$P_IMAP_TLSOPEN" yes no "" imap
	# ssl = required implies disable_plaintext_auth = yes, and also
	# refuses non-plaintext mechanisms before TLS.
	dovecot_conf imap-required "$P_IMAP_REQUIRED" required yes "" imap
	# A server that still takes TLS 1.0 and 1.1: the security level 0
	# lets OpenSSL 3 negotiate them (and sign with SHA-1).
	dovecot_conf imap-weak "$P_IMAP_WEAK" yes yes "ssl_min_protocol = TLSv1
ssl_cipher_list = DEFAULT:@SECLEVEL=0" imap
	DOVECOTS="$DOVECOTS imap-plain imap-tlsopen imap-required imap-weak"
fi

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
for name in $DOVECOTS; do
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
	# MX-like with STARTTLS that still accepts TLS 1.0: the "low" grade
	# cipher list at OpenSSL security level 0 (TLS 1.0 needs SHA-1
	# signatures, which level 1 and up refuse).
	smtpd_line $P_SUB_WEAK -o smtpd_tls_security_level=may \
		-o smtpd_sasl_auth_enable=no -o "smtpd_tls_protocols=>=TLSv1" \
		-o smtpd_tls_ciphers=low -o "tls_low_cipherlist=DEFAULT:@SECLEVEL=0"
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
if [ $HAVE_IMAP = yes ]; then
	for p in $P_IMAP_PLAIN $P_IMAP_TLSOPEN $P_IMAP_REQUIRED $P_IMAP_WEAK; do
		wait_port "$p"
	done
fi
for _ in $(seq 50); do [ -S "$WORK/auth-postfix" ] && break; sleep 0.1; done

postfix -c "$PF/etc" start >"$PF/start.log" 2>&1 || {
	redact <"$PF/start.log" >&2
	die "postfix did not start (Postfix prints its fatal errors only to a tty or maillog)"
}
POSTFIX_PID=$(sed -n '1s/ //gp' "$PF/spool/pid/master.pid")
for p in $P_MX $P_SUB_CLEAR $P_SUB_TLS_MAY $P_SUB_TLS_ONLY $P_SUB_TLS_BROKEN \
    $P_SUB_WEAK; do
	wait_port "$p"
done

# --- vsftpd -------------------------------------------------------------
if [ $HAVE_FTP = yes ]; then
	# The temporary local user (removed on exit by cleanup).  A system
	# account (-r: no subordinate ids, no mail spool, no lastlog entry),
	# no group of its own, no login shell, home inside the temp dir.
	FTPD="$WORK/ftp"
	mkdir -p "$FTPD/alice" "$FTPD/anon" "$FTPD/empty"
	if [ -z "$FTP_USER_MADE" ]; then
		FTP_USER_MADE=yes
		useradd -r -M -N -g nogroup -l -s /usr/sbin/nologin \
			-c "$FTP_USER_GECOS" -d "$FTPD/alice" \
			-p "$(printf '%s' "$ALICE_PW" | openssl passwd -6 -stdin)" \
			"$FTP_USER" || { FTP_USER_MADE=""; die "useradd $FTP_USER failed"; }
	else
		usermod -d "$FTPD/alice" \
			-p "$(printf '%s' "$ALICE_PW" | openssl passwd -6 -stdin)" \
			"$FTP_USER" || die "usermod $FTP_USER failed"
	fi
	# The homes are chroot()ed into (chroot_local_user), so they belong
	# to root and are not writable: PWD then shows "/", not the temp dir.
	# Each holds one small file whose text looks like an FTP and HTTP
	# login (decoys: they only ever cross a data connection).
	for dir in "$FTPD/alice" "$FTPD/anon"; do
		printf '%s\r\n' "credleak test file: FTP and HTTP look-alikes, not a login" \
			"USER mallory" "331 Please specify the password." \
			"PASS Evil-pass-1234" "230 Login successful." \
			"Authorization: Basic $(printf 'mallory:Evil-pass-1234' | base64 -w0)" \
			>"$dir/notes.txt"
		chmod 644 "$dir/notes.txt"
	done
	chmod 755 "$FTPD" "$FTPD/alice" "$FTPD/anon" "$FTPD/empty"

	# vsftpd_conf NAME PORT PASV_RANGE [extra lines]
	vsftpd_conf() {
		local name=$1 port=$2 pasv=$3 extra=${4:-}
		local d="$WORK/vsftpd-$name"
		mkdir -p "$d"
		cat >"$d/vsftpd.conf" <<EOF
# Generated by credleak pcaps/make-pcaps.sh; private test instance.
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
seccomp_sandbox=NO
secure_chroot_dir=$FTPD/empty
# No PAM service of this name exists: PAM falls back to /etc/pam.d/other
# (Debian: common-auth etc., pam_unix), so /etc/pam.d is left alone.
pam_service_name=credleak-make-pcaps
session_support=NO
local_enable=YES
chroot_local_user=YES
write_enable=NO
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=${pasv%-*}
pasv_max_port=${pasv#*-}
port_enable=NO
hide_ids=YES
dirmessage_enable=NO
use_localtime=NO
xferlog_enable=YES
xferlog_std_format=NO
vsftpd_log_file=$d/log
tcp_wrappers=NO
$extra
EOF
		chmod 600 "$d/vsftpd.conf"
	}
	vsftpd_conf plain "$P_FTP" "$P_FTP_PASV" "anonymous_enable=YES
anon_root=$FTPD/anon
ftp_username=ftp
no_anon_password=NO"
	# TLS offered (AUTH TLS in FEAT) but required neither for the login
	# nor for data.  vsftpd 3.0.3's default ssl_ciphers (DES-CBC3-SHA)
	# is not available in Debian's OpenSSL 3: HIGH instead.  ftplib does
	# not reuse the control connection's TLS session on data connections.
	vsftpd_conf tls "$P_FTP_TLS" "$P_FTP_TLS_PASV" "anonymous_enable=NO
ssl_enable=YES
rsa_cert_file=$WORK/tls/cert.pem
rsa_private_key_file=$WORK/tls/key.pem
force_local_logins_ssl=NO
force_local_data_ssl=NO
allow_anon_ssl=NO
require_ssl_reuse=NO
ssl_ciphers=HIGH"
	for name in plain tls; do
		vsftpd "$WORK/vsftpd-$name/vsftpd.conf" \
			>"$WORK/vsftpd-$name/stdout" 2>&1 </dev/null &
		VSFTPD_PIDS="$VSFTPD_PIDS $!"
	done
	wait_port $P_FTP
	wait_port $P_FTP_TLS
fi

# --- lighttpd -----------------------------------------------------------
if [ $HAVE_HTTP = yes ]; then
	H="$WORK/lighttpd"
	mkdir -p "$H" "$WORK/www/public" "$WORK/www/private"
	# mod_authn_file "plain" backend: user:password lines.
	printf 'alice:%s\nbob:%s\n' "$ALICE_PW" "$BOB_PW" >"$H/users"
	chmod 644 "$H/users"
	# lighttpd opens its error log after dropping to nobody.
	chown nobody:nogroup "$H"
	# The public page's text carries header look-alikes (decoys: they are
	# in a response body, not in a request).
	cat >"$WORK/www/public/index.html" <<EOF
<html><body><p>credleak public test page.</p>
<pre>
GET /private/ HTTP/1.1
Authorization: Basic $(printf 'mallory:Evil-pass-1234' | base64 -w0)
</pre></body></html>
EOF
	echo '<html><body><p>credleak private test page.</p></body></html>' \
		>"$WORK/www/private/index.html"
	chmod -R a+rX "$WORK/www"
	cat >"$H/lighttpd.conf" <<EOF
# Generated by credleak pcaps/make-pcaps.sh; private test instance.
server.document-root = "$WORK/www"
server.bind = "127.0.0.1"
server.port = $P_HTTP
\$SERVER["socket"] == "127.0.0.1:$P_HTTP_ALT" { }
server.username = "nobody"
server.groupname = "nogroup"
server.errorlog = "$H/error.log"
server.modules = ( "mod_auth", "mod_authn_file" )
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html" )
auth.backend = "plain"
auth.backend.plain.userfile = "$H/users"
auth.require = ( "/private/" => ( "method" => "basic",
                                   "realm" => "credleak test",
                                   "require" => "valid-user" ) )
EOF
	lighttpd -D -f "$H/lighttpd.conf" >"$H/stdout" 2>&1 </dev/null &
	LIGHTTPD_PID=$!
	wait_port $P_HTTP
	wait_port $P_HTTP_ALT
fi
log "servers up: dovecot pids$DOVECOT_PIDS, postfix master pid $POSTFIX_PID${VSFTPD_PIDS:+, vsftpd pids$VSFTPD_PIDS}${LIGHTTPD_PID:+, lighttpd pid $LIGHTTPD_PID}"

# --- versions -----------------------------------------------------------
{
	echo "# Written by pcaps/make-pcaps.sh: the software that made the real captures."
	echo "postfix $(postconf -h mail_version)"
	echo "dovecot $(dovecot --version)"
	echo "swaks $(swaks --version 2>&1 | sed -n 's/^swaks version //p')"
	echo "curl $(curl --version | sed -n '1s/^curl \([^ ]*\).*/\1/p')"
	echo "python $($PY -c 'import sys; print(sys.version.split()[0])') (smtplib, poplib, imaplib, ftplib, http.client)"
	if command -v vsftpd >/dev/null 2>&1; then
		# vsftpd -v writes to its standard input.
		echo "vsftpd $(vsftpd -v 0>&1 | sed -n 's/^vsftpd: version //p')"
	fi
	if command -v lighttpd >/dev/null 2>&1; then
		echo "lighttpd $(lighttpd -v | sed -n 's|^lighttpd/\([^ ]*\).*|\1|p')"
	fi
	echo "openssl $(openssl version | awk '{print $2}')"
	echo "tcpdump $(tcpdump --version 2>&1 | sed -n 's/^tcpdump version //p')"
	echo "libpcap $(tcpdump --version 2>&1 | sed -n 's/^libpcap version \([^ ]*\).*/\1/p')"
} >"$OUTDIR/VERSIONS.txt"

# --- capture harness: capture() in pcaps/lib.sh -------------------------

# Clients connect from 127.0.0.2, not from the servers' 127.0.0.1: Dovecot
# treats a client whose address equals its own as "secured" and would then
# offer and accept cleartext logins that it refuses to a remote client.  The
# failed logins come from addresses of their own (see below).
CLIENT_IP=127.0.0.2
FAIL_SMTP_IP=127.0.0.3
FAIL_POP3_IP=127.0.0.4
FAIL_IMAP_IP=127.0.0.5
FAIL_FTP_IP=127.0.0.6

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

# TLS 1.0 after STARTTLS, with openssl s_client at security level 0; the
# server (port 10591) offers no AUTH.  After the handshake: QUIT, 221.
capture smtp-weak-tls $P_SUB_WEAK 'Protocol version: TLSv1[^.0-9].*221 2\.0\.0 Bye' \
	sh -c 'printf "QUIT\n" | exec openssl s_client -connect "127.0.0.1:$1" \
		-bind "$2:0" -starttls smtp -name client.example.test \
		-servername mail.example.test -tls1 -cipher "DEFAULT:@SECLEVEL=0" \
		-brief -crlf -ign_eof' sh $P_SUB_WEAK $CLIENT_IP

# --- IMAP scenarios -----------------------------------------------------
IMAPC=("${CLIENTS[@]}" imap --source "$CLIENT_IP")
if [ $HAVE_IMAP = yes ]; then
# The greeting carries the capabilities ([CAPABILITY ... AUTH=PLAIN
# AUTH=LOGIN], no STARTTLS), imaplib asks CAPABILITY again all the same;
# LOGIN with the password as a quoted string, SELECT INBOX, LOGOUT.
capture imap-login $P_IMAP_PLAIN "greeting: \* OK \[CAPABILITY [^]]*AUTH=PLAIN.*login: \('OK'.*select: \('OK'" \
	"${IMAPC[@]}" --port $P_IMAP_PLAIN --user alice --password "$ALICE_PW"

# AUTHENTICATE PLAIN without initial response: "+ " then the blob.
capture imap-authenticate-plain $P_IMAP_PLAIN "AUTHENTICATE PLAIN'.*login: \('OK'.*select: \('OK'" \
	"${IMAPC[@]}" --port $P_IMAP_PLAIN --mech PLAIN --user bob --password "$BOB_PW"

# curl: CAPABILITY, then AUTHENTICATE PLAIN with the blob on the same line
# (SASL-IR, RFC 4959), then LIST.
capture imap-sasl-ir $P_IMAP_PLAIN '> A001 CAPABILITY.*SASL-IR.*> A002 AUTHENTICATE PLAIN [A-Za-z0-9+/=]+.*< A002 OK .*Logged in.*LIST' \
	"${CURL[@]}" "imap://127.0.0.1:$P_IMAP_PLAIN/" \
	--user "alice:$ALICE_PW" --login-options AUTH=PLAIN

# ssl = required: the greeting lists STARTTLS and LOGINDISABLED; STARTTLS,
# TLS 1.3 (checked: a weak TLS here would make "no finding" wrong), then
# LOGIN inside TLS.
capture imap-starttls $P_IMAP_REQUIRED "greeting: \* OK \[CAPABILITY [^]]*STARTTLS[^]]*LOGINDISABLED.*starttls: \('OK'.*tls: TLSv1\.[23] .*login: \('OK'.*select: \('OK'" \
	"${IMAPC[@]}" --port $P_IMAP_REQUIRED --starttls --user bob --password "$BOB_PW"

# STARTTLS offered, cleartext LOGIN allowed: LOGIN in clear.
capture imap-offered-not-used $P_IMAP_TLSOPEN "capabilities: [^:]*STARTTLS[^:]*AUTH=PLAIN.*login: \('OK'.*select: \('OK'" \
	"${IMAPC[@]}" --port $P_IMAP_TLSOPEN --user bob --password "$BOB_PW"

# ssl = required: LOGINDISABLED advertised, the client sends LOGIN in clear
# anyway.  Dovecot answers "* BAD [ALERT] Plaintext authentication not
# allowed without SSL/TLS, but your client did it anyway. ..." and
# "NO [PRIVACYREQUIRED] ...": the password crossed the wire, the login failed.
capture imap-ssl-required $P_IMAP_REQUIRED "greeting: \* OK \[CAPABILITY [^]]*LOGINDISABLED.*login refused: .*PRIVACYREQUIRED" \
	"${IMAPC[@]}" --port $P_IMAP_REQUIRED --expect-fail --user alice --password "$ALICE_PW"

# TLS 1.1 after STARTTLS (openssl s_client, security level 0): CAPABILITY
# and STARTTLS in clear, then LOGOUT inside TLS.  No login.
capture imap-weak-tls $P_IMAP_WEAK 'Protocol version: TLSv1\.1[^.0-9].*\* BYE Logging out' \
	sh -c 'printf "a1 LOGOUT\n" | exec openssl s_client -connect "127.0.0.1:$1" \
		-bind "$2:0" -starttls imap -servername mail.example.test \
		-tls1_1 -cipher "DEFAULT:@SECLEVEL=0" -brief -crlf -ign_eof' \
	sh $P_IMAP_WEAK $CLIENT_IP
fi

# --- FTP scenarios ------------------------------------------------------
FTPC=("${CLIENTS[@]}" ftp --source "$CLIENT_IP")
if [ $HAVE_FTP = yes ]; then
# FEAT (no AUTH TLS), USER/PASS as the local user alice, SYST, PWD, then a
# passive LIST and a passive RETR of notes.txt (whose text looks like an FTP
# login): two data connections, which the capture holds too.
capture ftp-login "port $P_FTP or portrange $P_FTP_PASV" '211-Features:.*230 Login successful.*150 Here comes the directory listing.*226 Directory send OK.*150 Opening BINARY mode data connection for notes\.txt.*226 Transfer complete' \
	"${FTPC[@]}" --port $P_FTP --feat --list --retr notes.txt \
	--user alice --password "$ALICE_PW"

# Anonymous login (password: an e-mail address), RETR over PASV.
capture ftp-anonymous "port $P_FTP or portrange $P_FTP_PASV" "\*cmd\* 'USER anonymous'.*230 Login successful.*226 Transfer complete" \
	"${FTPC[@]}" --port $P_FTP --retr notes.txt \
	--user anonymous --password guest@example.test

# AUTH TLS, 234, then USER/PASS, PBSZ/PROT P and a LIST, all under TLS
# (TLS 1.3, checked; vsftpd answers the first ClientHello with a
# HelloRetryRequest).  The data connection has a TLS handshake of its own.
capture ftp-auth-tls "port $P_FTP_TLS or portrange $P_FTP_TLS_PASV" "\*cmd\* 'AUTH TLS'.*234 .*230 Login successful.*tls: TLSv1\.[23] .*200 PROT now Private.*226 Directory send OK" \
	"${FTPC[@]}" --port $P_FTP_TLS --tls --list \
	--user alice --password "$ALICE_PW"

# FEAT lists AUTH TLS; the client logs in in clear anyway (allowed:
# force_local_logins_ssl=NO).  No data connection.
capture ftp-feat-not-used $P_FTP_TLS '211-Features:.* AUTH TLS.*230 Login successful' \
	"${FTPC[@]}" --port $P_FTP_TLS --feat \
	--user alice --password "$ALICE_PW"
fi

# --- HTTP scenarios -----------------------------------------------------
if [ $HAVE_HTTP = yes ]; then
# curl -u: Basic credentials sent at once, 200.
capture http-basic $P_HTTP '> Authorization: Basic .*< HTTP/1\.1 200 OK' \
	"${CURL[@]}" -u "alice:$ALICE_PW" "http://127.0.0.1:$P_HTTP/private/"

# Python http.client, one kept-alive connection: /public/ (200), /private/
# without credentials (401), /private/ with Basic (200).
capture http-keepalive $P_HTTP 'GET /public/ -> 200.*GET /private/ -> 401.*GET /private/ -> 200.*connections used: 1' \
	"${CLIENTS[@]}" http-keepalive --port $P_HTTP --source $CLIENT_IP \
	--user bob --password "$BOB_PW"

# The same server on port 18080.
capture http-nonstd-port $P_HTTP_ALT '> Authorization: Basic .*< HTTP/1\.1 200 OK' \
	"${CURL[@]}" -u "bob:$BOB_PW" "http://127.0.0.1:$P_HTTP_ALT/private/"

# Wrong password: 401.
capture http-basic-fail $P_HTTP '> Authorization: Basic .*< HTTP/1\.1 401 Unauthorized' \
	"${CURL[@]}" -u "alice:$WRONG_PW" "http://127.0.0.1:$P_HTTP/private/"
fi

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

if [ $HAVE_IMAP = yes ]; then
capture imap-fail $P_IMAP_PLAIN 'login refused: .*AUTHENTICATIONFAILED' \
	"${CLIENTS[@]}" imap --source $FAIL_IMAP_IP --port $P_IMAP_PLAIN --expect-fail \
	--user alice --password "$WRONG_PW"
fi

if [ $HAVE_FTP = yes ]; then
capture ftp-fail $P_FTP 'login refused: 530 Login incorrect' \
	"${CLIENTS[@]}" ftp --source $FAIL_FTP_IP --port $P_FTP --expect-fail \
	--user alice --password "$WRONG_PW"
fi

log "done: captures in $OUTDIR"
