# lib.sh - what every pcaps/make-pcaps*.sh capture script shares.
#
# Sourced (not run) after the script has set:
#   OUTDIR   folder the captures go to
#   ONLY     array of scenario names (glob patterns) asked for; empty = all
#   WORK     its temporary directory (client transcripts and tcpdump logs)
#   SECRETS  array of the test passwords it uses, for redact()
#   LOG_TAG  prefix of its messages (default "make-pcaps"; tests/e2e-servers.sh
#            reads "LOG_TAG: SKIP NAME: why" lines from every script)
# and provides die, log, want, wanted, skip_cases, redact, capture and
# stop_capture (for the script's EXIT trap).

LOG_TAG=${LOG_TAG:-make-pcaps}
TCPDUMP_PID=""

die() { echo "$LOG_TAG: $*" >&2; exit 1; }
log() { echo "$LOG_TAG: $*" >&2; }

# want NAME: true when NAME is one of the scenarios asked for (all of them
# when none was named).
want() {
	[ ${#ONLY[@]} -eq 0 ] && return 0
	local pat
	for pat in "${ONLY[@]}"; do
		# shellcheck disable=SC2053
		[[ $1 == $pat ]] && return 0
	done
	return 1
}
# wanted LIST: true when any scenario of LIST is wanted.
wanted() {
	local n
	for n in $1; do want "$n" && return 0; done
	return 1
}
# skip_cases LIST WHY: one SKIP line per wanted scenario of LIST.
skip_cases() {
	local n
	for n in $1; do
		want "$n" && log "SKIP $n: $2"
	done
	return 0
}

# redact: copies stdin to stdout with each test password of SECRETS, its
# base64 and the SASL PLAIN and Basic blobs that carry it for the users
# alice and bob replaced, so that diagnostics never put a test secret into
# a test log.
REDACT_SED=""
for pw in "${SECRETS[@]}"; do
	for form in "$pw" "$(printf '%s' "$pw" | base64 -w0)" \
	    "$(printf '\0alice\0%s' "$pw" | base64 -w0)" \
	    "$(printf '\0bob\0%s' "$pw" | base64 -w0)" \
	    "$(printf 'alice:%s' "$pw" | base64 -w0)" \
	    "$(printf 'bob:%s' "$pw" | base64 -w0)"; do
		REDACT_SED="$REDACT_SED;s|$form|<test-secret>|g"
	done
done
redact() { sed -e "${REDACT_SED#;}"; }

# stop_capture: ends a tcpdump left running (for the EXIT trap).
stop_capture() {
	if [ -n "$TCPDUMP_PID" ]; then
		kill -INT "$TCPDUMP_PID" 2>/dev/null
		wait "$TCPDUMP_PID" 2>/dev/null
		TCPDUMP_PID=""
	fi
	return 0
}

# capture NAME PORTS EXPECT CMD...: runs CMD under tcpdump on lo, filtered to
# 127.0.0.0/8 and PORTS, into OUTDIR/NAME.pcap; CMD's output (the protocol
# transcript, read as one string) must match the extended regex EXPECT, proof
# that the scenario happened.  CMD's exit status is not used: some scenarios
# fail on purpose.  PORTS is a port number or a pcap-filter expression
# ("port 21 or portrange 30-34", for FTP's data connections).  The capture
# is TCP only unless CAPTURE_L4 names another filter ("udp", "tcp or udp").
# Does nothing unless NAME is wanted.
capture() {
	local name=$1 port=$2 expect=$3; shift 3
	want "$name" || return 0
	local out="$OUTDIR/$name.pcap" tlog="$WORK/$name.tcpdump" clog="$WORK/$name.log"
	case $port in
	*[!0-9]*) ;;
	*) port="port $port" ;;
	esac
	rm -f "$out"
	tcpdump -i lo -Z root --immediate-mode -U -s 0 -w "$out" \
		"(${CAPTURE_L4:-tcp}) and ($port) and src net 127.0.0.0/8 and dst net 127.0.0.0/8" \
		>"$tlog" 2>&1 &
	TCPDUMP_PID=$!
	for _ in $(seq 100); do
		grep -q 'listening on' "$tlog" 2>/dev/null && break
		kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$tlog")"
		sleep 0.05
	done
	grep -q 'listening on' "$tlog" || die "tcpdump not ready for $name"
	timeout 30 "$@" >"$clog" 2>&1 || true
	# Let the server's last segments (FIN, final ACK) reach the capture.
	sleep 0.4
	stop_capture
	if ! grep -Ezq -- "$expect" "$clog"; then
		sed 's/^/    /' "$clog" | redact >&2
		die "$name: the transcript does not show /$expect/"
	fi
	log "$name.pcap: $(stat -c %s "$out") bytes, $(tcpdump -nr "$out" 2>/dev/null | wc -l) packets"
}
