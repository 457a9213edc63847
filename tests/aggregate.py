#!/usr/bin/env python3
"""Aggregation, posture, --report and the relay judgement, end to end.

  aggregate.py [--bin ./credleak]

Over pcaps/agg-polling.pcap (alice polls POP3 every 60 s five times, bob
three times, alice logs in once over IMAP; pcaps/gen-synthetic.py):
  - offline default: one line per login (only per-server kinds fold);
  - --aggregate: each finding written once, then one summary per
    repeated finding with the exact count and first/last seen equal to the
    packet times of the first and last occurrence (taken from
    --no-aggregate, one line per session);
  - --no-aggregate: one line per session, no summary;
  - --aggregate-window 150: windows split exactly as fixed windows from each
    key's first occurrence do (alice 3 + 2, bob 3);
  - posture: one event per server with sessions, users, logins, advisories;
  - stats counters: suppressed and summaries.
Over the SMTP relay captures, with and without --home-net/--local-domains:
the judgement, its basis and the severity.  --report: worst first, the fix,
no JSON on stdout (it goes to -o), masked names when asked, no secret.
Every line written validates against alerts/credleak.schema.json.
"""
import argparse, json, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import regress  # noqa: E402  (secret_forms, ROOT)

ROOT = regress.ROOT
POLL = os.path.join(ROOT, "pcaps", "agg-polling.pcap")
OPTS = ["--home-net", "198.51.100.0/24,2001:db8::/32", "--local-domains", "example.test"]

passed = failed = 0
all_lines = []


def check(name, ok, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   aggregate {name}")
    else:
        failed += 1
        print(f"FAIL aggregate {name}: {why}")


def run(binary, *args):
    p = subprocess.run([binary, "-q", "--sensor", "test", *args], capture_output=True,
                       timeout=120, cwd=ROOT)
    return p


def events(binary, *args):
    p = run(binary, *args)
    lines = [l for l in p.stdout.decode().splitlines() if l.strip()]
    all_lines.extend(lines)
    return p.returncode, [json.loads(l) for l in lines]


def creds(evs):
    return [e for e in evs if e.get("kind") == "cleartext_credentials"]


def key(e):
    c = e["credential"]
    return (e["dest_ip"], e["dest_port"], e["app_proto"], c["mechanism"], c.get("username"),
            c["result"])


def ts_us(t):
    """RFC 3339 with microseconds -> microseconds since midnight (same day)."""
    hms, frac = t[11:-1].split(".")
    h, m, s = map(int, hms.split(":"))
    return ((h * 60 + m) * 60 + s) * 1000000 + int(frac)


def expected_windows(sessions, window_us):
    """Fixed windows from each key's first occurrence: [(key, count, first, last)]."""
    out, open_ = [], {}
    for e in sorted(sessions, key=lambda e: ts_us(e["timestamp"])):
        k, t = key(e), e["timestamp"]
        w = open_.get(k)
        if w and window_us and ts_us(t) >= ts_us(w[1]) + window_us:
            out.append((k, *w))
            w = None
        if w is None:
            open_[k] = [1, t, t]
        else:
            w[0] += 1
            w[2] = t
    for k, w in open_.items():
        out.append((k, *w))
    return sorted(x for x in out if x[1] > 1)


def summaries(evs):
    return sorted((key(e), e["aggregate"]["count"], e["aggregate"]["first_seen"],
                   e["aggregate"]["last_seen"]) for e in creds(evs) if "aggregate" in e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "credleak"))
    o = ap.parse_args()
    b = o.bin

    # --- aggregation -----------------------------------------------------
    rc, per = events(b, "--no-aggregate", "-r", POLL)
    pc = creds(per)
    check("no-aggregate: one line per session",
          rc == 0 and len(pc) == 9 and not any("aggregate" in e for e in per)
          and sum(1 for e in pc if e["credential"]["username"] == "alice") == 6,
          f"exit {rc}, {len(pc)} logins")

    # Offline by default only per-server findings fold: every login stays.
    rc, dflt = events(b, "-r", POLL)
    check("offline default: one line per login, per-server kinds folded",
          rc == 0 and sorted(map(key, creds(dflt))) == sorted(map(key, pc))
          and not any("aggregate" in e for e in creds(dflt)),
          f"exit {rc}, {len(creds(dflt))} logins")

    rc, agg = events(b, "--aggregate", "-r", POLL)
    firsts = [e for e in creds(agg) if "aggregate" not in e]
    want = expected_windows(pc, 0)
    got = summaries(agg)
    check("--aggregate: first occurrences written once",
          rc == 0 and sorted(map(key, firsts)) == sorted(set(map(key, pc))),
          f"{[key(e) for e in firsts]}")
    check("--aggregate: exact counts (alice 5, bob 3), no summary for 1",
          [g[1] for g in got] == [5, 3] and got == want, f"got {got}, want {want}")
    alice = [e for e in pc if e["app_proto"] == "pop3" and e["credential"]["username"] == "alice"]
    check("first/last seen are the packet times",
          got and got[0][2] == alice[0]["timestamp"] and got[0][3] == alice[-1]["timestamp"],
          f"{got[:1]} vs {alice[0]['timestamp']}..{alice[-1]['timestamp']}")
    last = [e for e in agg if "aggregate" in e and e["credential"]["username"] == "alice"]
    check("summary carries the last occurrence's fields",
          last and last[0]["timestamp"] == alice[-1]["timestamp"]
          and last[0]["src_port"] == alice[-1]["src_port"]
          and last[0]["aggregate"]["window_seconds"] == 0, f"{last}")

    rc, win = events(b, "--aggregate-window", "150", "-r", POLL)
    want = expected_windows(pc, 150 * 1000000)
    got = summaries(win)
    counts = sorted(g[1] for g in got)
    firsts = [e for e in creds(win) if "aggregate" not in e]
    check("--aggregate-window 150 splits alice 3 + 2, bob 3",
          rc == 0 and got == want and counts == [2, 3, 3] and len(firsts) == 4
          and all(e["aggregate"]["window_seconds"] == 150 for e in win if "aggregate" in e),
          f"got {got}, want {want}, {len(firsts)} written at once")

    rc, st = events(b, "--aggregate", "--stats-interval", "1", "-r", POLL)
    fin = [e for e in st if e.get("event_type") == "stats" and e.get("final")]
    check("stats events carry the counters",
          fin and fin[0].get("aggregate_suppressed") == 6
          and fin[0].get("aggregate_summaries") == 2 and fin[0].get("posture_servers") == 2,
          f"{fin[:1]}")

    # --- posture ----------------------------------------------------------
    post = [e for e in agg if e.get("event_type") == "posture"]
    pop = [e for e in post if e["app_proto"] == "pop3"]
    imap = [e for e in post if e["app_proto"] == "imap"]
    check("posture: one event per server, worst first",
          len(post) == 2 and pop and imap and post[0]["score"] >= post[1]["score"], f"{post}")
    if pop and imap:
        p = pop[0]
        check("posture pop3: 8 sessions, 2 users, 8 logins, advisories",
              p["sessions"] == 8 and p["users"] == 2 and p["logins_success"] == 8
              and "cleartext_login_permitted" in p["advisories"] and p["severity"] == "high"
              and p["first_seen"] == pc[0]["timestamp"] and p["final"] is True
              and p["finding_counts"] == {"cleartext_credentials": 8}, f"{p}")
        i = imap[0]
        check("posture imap: 1 session, 1 user, STARTTLS absent and mechanisms",
              i["sessions"] == 1 and i["users"] == 1
              and {"cleartext_login_permitted", "starttls_absent",
                   "cleartext_mechanisms_advertised"} <= set(i["advisories"]), f"{i}")

    # --- relay judgement --------------------------------------------------
    cases = [
        ("smtp-relay-foreign", [], "open_relay", "greeting_domain", "high", ["example.net"]),
        ("smtp-relay-foreign", OPTS, "open_relay", "home_net+local_domains", "high", ["example.net"]),
        ("smtp-relay-foreign", ["--home-net", "10.0.0.0/8"], "outbound_delivery", "home_net", "low", None),
        ("smtp-inbound-local", [], "inbound_delivery", "greeting_domain", "low", ["example.test"]),
        ("smtp-inbound-local", OPTS, "inbound_delivery", "home_net+local_domains", "low", None),
        ("smtp-inbound-local", ["--local-domains", "example.org"], "open_relay", "local_domains", "high", None),
        ("smtp-submission-noauth", [], "submission_without_auth", "port", "high", None),
        ("smtp-submission-noauth", OPTS, "submission_without_auth", "port", "high", None),
    ]
    for pcap, opts, j, basis, sev, doms in cases:
        rc, evs = events(b, *opts, "-r", os.path.join("pcaps", pcap + ".pcap"))
        u = [e for e in evs if e.get("kind") == "unauthenticated_mail_accepted"]
        r = u[0]["relay"] if u else {}
        ok = (rc == 0 and len(u) == 1 and r.get("judgement") == j and r.get("basis") == basis
              and u[0]["severity"] == sev and (doms is None or r.get("recipient_domains") == doms))
        check(f"relay {pcap} {' '.join(opts) or '(no options)'}: {j}/{basis}/{sev}", ok, f"{u}")
        post = [e for e in evs if e.get("event_type") == "posture"]
        if j in ("open_relay", "submission_without_auth"):
            check(f"relay {pcap}: posture advisory {j}",
                  post and j in post[0]["advisories"] and post[0]["relay_judgement"] == j,
                  f"{post}")
    p = run(b, "--home-net", "198.51.100.0/33", "-r", POLL)
    check("bad --home-net refused", p.returncode == 1 and b"--home-net" in p.stderr,
          p.stderr.decode()[-200:])

    # --- --report ---------------------------------------------------------
    with open(os.path.join(ROOT, "tests", "secrets.txt")) as f:
        forms = regress.secret_forms([l.strip() for l in f if l.strip()])
    pcaps = [os.path.join("pcaps", n + ".pcap") for n in
             ("agg-polling", "smtp-relay-foreign", "smtp-submission-noauth", "smtp-weak-tls")]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "alerts.json")
        p = run(b, "--report", "-o", out, "-r", *pcaps)
        text = p.stdout.decode()
        js = [json.loads(l) for l in open(out)] if os.path.exists(out) else []
        all_lines.extend(json.dumps(e) for e in js)
        scores = [int(l.rsplit("score ", 1)[1]) for l in text.splitlines() if ", score " in l]
        check("report: text on stdout, JSON to -o",
              p.returncode == 0 and text.startswith("credleak report:") and "{" not in text
              and any(e.get("event_type") == "posture" for e in js), text[:200])
        check("report: worst first, with the fixes",
              len(scores) == 5 and scores == sorted(scores, reverse=True)
              and text.find("port 110 (pop3)") < text.find("port 25 (smtp)") < text.find("port 587")
              and "smtpd_relay_restrictions" in text and "disable_plaintext_auth = yes" in text
              and "auth_allow_cleartext = no" in text and "smtpd_tls_protocols = >=TLSv1.2" in text
              and "8 sessions with findings; 2 users (alice, bob)" in text, text)
        check("report: no secret", not any(f in p.stdout + p.stderr for f in forms))
        # Beyond mail: each protocol's own fix, not the generic advice.
        more = [os.path.join("pcaps", n + ".pcap") for n in
                ("snmp-v2c-get", "ldap-simple-bind", "pgsql-cleartext", "telnet-login")]
        p = run(b, "--report", "-r", *more)
        text = p.stdout.decode()
        check("report: the fix for each protocol",
              p.returncode == 0 and "SNMPv3 users with authPriv" in text
              and "olcSecurity" in text and "hostssl" in text and "use SSH" in text
              and "before any login, and disable cleartext mechanisms" not in text, text)
        p = run(b, "--report", "--mask-usernames", "-r", *pcaps)
        text = p.stdout.decode()
        check("report: masked names with --mask-usernames",
              p.returncode == 0 and "a***" in text and "alice" not in text
              and not any(f in p.stdout for f in forms), text[:300])

    # --- schema -----------------------------------------------------------
    try:
        import jsonschema
    except ImportError:
        print("SKIP aggregate schema: python3-jsonschema not installed")
    else:
        with open(os.path.join(ROOT, "alerts", "credleak.schema.json")) as f:
            v = jsonschema.Draft202012Validator(json.load(f))
        errs = [f"{l[:80]}: {e.message}" for l in all_lines for e in v.iter_errors(json.loads(l))]
        check(f"schema: {len(all_lines)} lines valid", not errs, "; ".join(errs[:3]))

    print(f"aggregate: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
