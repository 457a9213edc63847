#!/bin/bash
# make-pcaps-dir.sh [OUTDIR [SCENARIO...]] - the directory and management
# captures: LDAP (OpenLDAP slapd) and SNMP (Net-SNMP snmpd, snmptrapd).
# With SCENARIO names (shell patterns such as 'ldap-*'), only those
# captures are written.
#
# Servers, all on 127.0.0.1 from a private configuration in one mktemp
# directory (never /etc/ldap/slapd.d, /etc/snmp or the system services):
#   slapd      LDAP 10389: slapd.conf with an mdb database (suffix
#              dc=example,dc=test, rootdn cn=admin, one user entry carol
#              with a cleartext userPassword so that Cyrus SASL's auxprop
#              can check PLAIN and CRAM-MD5), sasl-secprops none (PLAIN
#              allowed without TLS), StartTLS with a self-signed
#              certificate made here
#   snmpd      SNMP 10161/udp: rocommunity sierra-tango-test-704 and public
#              for 127.0.0.0/8, USM user walter (SHA, authNoPriv)
#   snmptrapd  SNMP traps 10162/udp: authCommunity log sierra-tango-test-704
# Clients: Debian's ldapwhoami/ldapsearch (bound to 127.0.0.2 through
# LDAPSOCKET_BIND_ADDRESSES), snmpget and snmptrap (--clientaddr=127.0.0.2).
#
# Each scenario is captured with tcpdump on lo into OUTDIR/NAME.pcap (SNMP
# with CAPTURE_L4=udp); the client's transcript must show it happened.
# Servers are stopped by PID on exit.  Needs root.  KEEP_WORK=1 keeps the
# temporary directory.  Without slapd/ldap-utils or snmpd/snmp/snmptrapd,
# those scenarios print "make-pcaps: SKIP NAME: why".
#
# Test secrets (synthetic, in tests/secrets.txt): rootdn alpha-beta-test-701,
# carol gamma-delta-test-702, a wrong password wrong-pass-test-3; SNMP
# communities sierra-tango-test-704 (valid) and uniform-victor-test-705
# (wrong); USM walter's key yankee-zulu-test-706.

# The Makefile may run this with sh: go on under bash (it uses arrays).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUTDIR=${1:-$HERE}
[ $# -gt 0 ] && shift
ONLY=("$@")
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

ROOT_PW='alpha-beta-test-701'
CAROL_PW='gamma-delta-test-702'
WRONG_PW='wrong-pass-test-3'
COMMUNITY='sierra-tango-test-704'
WRONG_COMMUNITY='uniform-victor-test-705'
USM_KEY='yankee-zulu-test-706'
SECRETS=("$ROOT_PW" "$CAROL_PW" "$WRONG_PW" "$COMMUNITY" "$WRONG_COMMUNITY" "$USM_KEY")

P_LDAP=10389
P_SNMP=10161
P_TRAP=10162

LDAP_CASES="ldap-simple-bind ldap-simple-fail ldap-anonymous ldap-unauth-bind
ldap-search ldap-sasl-plain ldap-sasl-cram ldap-starttls"
SNMP_CASES="snmp-v1-get snmp-v2c-get snmp-v2c-wrong snmp-v2c-trap snmp-v3-auth
snmp-v3-wrong"

. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root (tcpdump needs it)"
for t in tcpdump openssl ss; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t"
done

HAVE_LDAP=yes HAVE_SNMP=yes
if [ ! -x /usr/sbin/slapd ] || ! command -v slapadd >/dev/null 2>&1; then
	HAVE_LDAP=no; skip_cases "$LDAP_CASES" "slapd is not installed (apt-get install slapd)"
elif ! command -v ldapwhoami >/dev/null 2>&1 || ! command -v ldapsearch >/dev/null 2>&1; then
	HAVE_LDAP=no; skip_cases "$LDAP_CASES" "ldap-utils is not installed"
fi
if [ ! -x /usr/sbin/snmpd ] || [ ! -x /usr/sbin/snmptrapd ]; then
	HAVE_SNMP=no; skip_cases "$SNMP_CASES" "snmpd/snmptrapd are not installed (apt-get install snmpd snmptrapd)"
elif ! command -v snmpget >/dev/null 2>&1 || ! command -v snmptrap >/dev/null 2>&1; then
	HAVE_SNMP=no; skip_cases "$SNMP_CASES" "the snmp clients are not installed (apt-get install snmp)"
fi
wanted "$LDAP_CASES" || HAVE_LDAP=no
wanted "$SNMP_CASES" || HAVE_SNMP=no
if [ $HAVE_LDAP = yes ] && ss -Htln "sport = :$P_LDAP" | grep -q .; then
	die "port $P_LDAP is already in use (a previous run still going?)"
fi
for p in $P_SNMP $P_TRAP; do
	if [ $HAVE_SNMP = yes ] && ss -Huln "sport = :$p" | grep -q .; then
		die "udp port $p is already in use (a previous run still going?)"
	fi
done

WORK=$(mktemp -d /tmp/credleak-pcaps-dir.XXXXXX)
chmod 700 "$WORK"
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
	if [ "${KEEP_WORK:-}" = 1 ]; then
		log "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() {	# PROTO(t|u) PORT PID
	for _ in $(seq 100); do
		ss -Hn"$1"l "sport = :$2" | grep -q . && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# --- LDAP ---------------------------------------------------------------
if [ $HAVE_LDAP = yes ]; then
	LW=$WORK/ldap
	mkdir -p "$LW/db"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
		-keyout "$LW/server.key" -out "$LW/server.crt" >/dev/null 2>&1 ||
		die "openssl could not make a certificate"
	cat >"$LW/slapd.conf" <<-EOF
	include /etc/ldap/schema/core.schema
	include /etc/ldap/schema/cosine.schema
	include /etc/ldap/schema/inetorgperson.schema
	modulepath /usr/lib/ldap
	moduleload back_mdb
	pidfile $LW/slapd.pid
	argsfile $LW/slapd.args
	sasl-secprops none
	authz-regexp "uid=([^,]*),cn=[^,]*,cn=auth" "uid=\$1,ou=people,dc=example,dc=test"
	TLSCertificateFile $LW/server.crt
	TLSCertificateKeyFile $LW/server.key
	database mdb
	directory $LW/db
	maxsize 10485760
	suffix "dc=example,dc=test"
	rootdn "cn=admin,dc=example,dc=test"
	rootpw $ROOT_PW
	access to attrs=userPassword by self write by anonymous auth by * none
	access to * by * read
	EOF
	cat >"$LW/base.ldif" <<-EOF
	dn: dc=example,dc=test
	objectClass: dcObject
	objectClass: organization
	o: Example
	dc: example

	dn: ou=people,dc=example,dc=test
	objectClass: organizationalUnit
	ou: people

	dn: uid=carol,ou=people,dc=example,dc=test
	objectClass: inetOrgPerson
	uid: carol
	cn: Carol
	sn: Test
	description: $(printf 'x%.0s' $(seq 600))
	userPassword: $CAROL_PW
	EOF
	slapadd -f "$LW/slapd.conf" -l "$LW/base.ldif" >"$LW/slapadd.log" 2>&1 ||
		{ redact <"$LW/slapadd.log" >&2; die "slapadd failed"; }
	rm -f "$LW/base.ldif"
	# -d 0: stay in the foreground (no fork), so the PID is slapd's.
	/usr/sbin/slapd -f "$LW/slapd.conf" -h "ldap://127.0.0.1:$P_LDAP/" -d 0 \
		>"$LW/slapd.log" 2>&1 &
	SLAPD_PID=$!
	SERVER_PIDS="$SERVER_PIDS $SLAPD_PID"
	wait_port t $P_LDAP $SLAPD_PID || { redact <"$LW/slapd.log" >&2; die "slapd did not start"; }

	URI="ldap://127.0.0.1:$P_LDAP"
	CAROL="uid=carol,ou=people,dc=example,dc=test"
	# The clients read neither /etc/ldap/ldap.conf nor an ldaprc.
	LENV=(env LDAPCONF=/dev/null LDAPRC=none-here LDAPSOCKET_BIND_ADDRESSES=127.0.0.2 LDAPTLS_REQCERT=never)

	capture ldap-simple-bind $P_LDAP "dn:$CAROL" \
		"${LENV[@]}" ldapwhoami -x -H "$URI" -D "$CAROL" -w "$CAROL_PW"
	capture ldap-simple-fail $P_LDAP "Invalid credentials \(49\)" \
		"${LENV[@]}" ldapwhoami -x -H "$URI" -D "$CAROL" -w "$WRONG_PW"
	capture ldap-anonymous $P_LDAP "anonymous" \
		"${LENV[@]}" ldapwhoami -x -H "$URI"
	capture ldap-unauth-bind $P_LDAP "unauthenticated bind \(DN with no password\) disallowed" \
		"${LENV[@]}" ldapwhoami -x -H "$URI" -D "uid=dave,dc=example,dc=test" -w ""
	# The rootdn, then a search whose entry is larger than a segment.
	capture ldap-search $P_LDAP "numEntries: 3" \
		"${LENV[@]}" ldapsearch -x -H "$URI" -D "cn=admin,dc=example,dc=test" \
		-w "$ROOT_PW" -b dc=example,dc=test "(objectClass=*)" dn description
	capture ldap-sasl-plain $P_LDAP "dn:$CAROL" \
		"${LENV[@]}" ldapwhoami -O none -Y PLAIN -H "$URI" -U carol -w "$CAROL_PW"
	capture ldap-sasl-cram $P_LDAP "dn:$CAROL" \
		"${LENV[@]}" ldapwhoami -O none -Y CRAM-MD5 -H "$URI" -U carol -w "$CAROL_PW"
	# -ZZ: StartTLS must succeed; the simple bind then goes inside TLS.
	capture ldap-starttls $P_LDAP "dn:$CAROL" \
		"${LENV[@]}" ldapwhoami -ZZ -x -H "$URI" -D "$CAROL" -w "$CAROL_PW"
fi

# --- SNMP ---------------------------------------------------------------
if [ $HAVE_SNMP = yes ]; then
	SW=$WORK/snmp
	mkdir -p "$SW/agent" "$SW/trapd" "$SW/client"
	cat >"$SW/snmpd.conf" <<-EOF
	agentaddress udp:127.0.0.1:$P_SNMP
	sysLocation credleak test lab
	sysContact nobody@example.test
	sysName agent.example.test
	rocommunity $COMMUNITY 127.0.0.0/8
	rocommunity public 127.0.0.0/8
	createUser walter SHA "$USM_KEY"
	rouser walter auth
	EOF
	cat >"$SW/snmptrapd.conf" <<-EOF
	snmpTrapdAddr udp:127.0.0.1:$P_TRAP
	authCommunity log $COMMUNITY
	EOF
	# -C: no other configuration file; private persistent directories.
	env SNMP_PERSISTENT_DIR="$SW/agent" MIBS= MIBDIRS=/nonexistent \
		/usr/sbin/snmpd -f -Lf "$SW/snmpd.log" -C -c "$SW/snmpd.conf" \
		-p "$SW/snmpd.pid" &
	SNMPD_PID=$!
	SERVER_PIDS="$SERVER_PIDS $SNMPD_PID"
	wait_port u $P_SNMP $SNMPD_PID || { redact <"$SW/snmpd.log" >&2; die "snmpd did not start"; }
	env SNMP_PERSISTENT_DIR="$SW/trapd" MIBS= MIBDIRS=/nonexistent \
		/usr/sbin/snmptrapd -f -Lf "$SW/snmptrapd.log" -C -c "$SW/snmptrapd.conf" \
		-p "$SW/snmptrapd.pid" &
	TRAPD_PID=$!
	SERVER_PIDS="$SERVER_PIDS $TRAPD_PID"
	wait_port u $P_TRAP $TRAPD_PID || { redact <"$SW/snmptrapd.log" >&2; die "snmptrapd did not start"; }

	SENV=(env SNMP_PERSISTENT_DIR="$SW/client" SNMPCONFPATH="$SW/client" MIBS= MIBDIRS=/nonexistent)
	AGENT="127.0.0.1:$P_SNMP"
	LOC=1.3.6.1.2.1.1.6.0	# sysLocation.0
	export CAPTURE_L4=udp
	capture snmp-v1-get $P_SNMP "credleak test lab" \
		"${SENV[@]}" snmpget -On --clientaddr=127.0.0.2 -v1 -c public "$AGENT" $LOC
	capture snmp-v2c-get $P_SNMP "credleak test lab" \
		"${SENV[@]}" snmpget -On --clientaddr=127.0.0.2 -v2c -c "$COMMUNITY" "$AGENT" $LOC
	# snmpd drops a wrong community silently: the client retries, then gives up.
	capture snmp-v2c-wrong $P_SNMP "Timeout: No Response" \
		"${SENV[@]}" snmpget -On --clientaddr=127.0.0.2 -v2c -r 2 -t 0.3 \
		-c "$WRONG_COMMUNITY" "$AGENT" $LOC
	# coldStart (1.3.6.1.6.3.1.1.5.1); snmptrapd logs what it accepted.
	capture snmp-v2c-trap $P_TRAP "TRAP-SENT" \
		bash -c '"$@" && sleep 0.3 && grep -q "6.3.1.1.5.1" "'"$SW"'/snmptrapd.log" && echo TRAP-SENT' _ \
		"${SENV[@]}" snmptrap --clientaddr=127.0.0.2 -v2c -c "$COMMUNITY" \
		"127.0.0.1:$P_TRAP" "" 1.3.6.1.6.3.1.1.5.1
	capture snmp-v3-auth $P_SNMP "credleak test lab" \
		"${SENV[@]}" snmpget -On --clientaddr=127.0.0.2 -v3 -l authNoPriv -u walter \
		-a SHA -A "$USM_KEY" "$AGENT" $LOC
	capture snmp-v3-wrong $P_SNMP "Authentication failure" \
		"${SENV[@]}" snmpget -On --clientaddr=127.0.0.2 -v3 -l authNoPriv -u walter \
		-a SHA -A "$WRONG_PW" "$AGENT" $LOC
	unset CAPTURE_L4
fi

{
	echo "# make-pcaps-dir.sh $(date -u +%Y-%m-%d)"
	[ $HAVE_LDAP = yes ] && echo "slapd: $(/usr/sbin/slapd -VV 2>&1 | head -1 | sed 's/^.*slapd /slapd /')"
	[ $HAVE_SNMP = yes ] && echo "net-snmp: $(snmpget --version 2>&1 | head -1)"
	true
} >"$WORK/versions"
log "versions: $(tr '\n' ';' <"$WORK/versions")"
