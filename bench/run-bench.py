#!/usr/bin/env python3
"""run-bench.py - credleak's throughput benchmark against the libpcap floor.

    run-bench.py [--size 1G] [--reps 5] [--capture FILE]     the bench
    run-bench.py --scale [--scale-steady 500M]               marginal ns per
                 [--scale-mode bulk|mix]                    packet at 1k/100k/
                                                            1M open flows
    run-bench.py --smoke                                     4 MiB, one round,
                                                            end to end

The bench: the capture (made by bench/gen-bench.py into build/bench/ when
missing or older than gen-bench.py, with its truth file) is read into the page cache, then every tool
runs once per round, round-robin, --reps rounds in one sitting:

    floor       build/bench/floor F          (bare pcap_next_ex loop)
    tcpdump     tcpdump -n -r F -w /dev/null
    credleak    ./credleak -q -r F           (one worker)
    ndpiReader  ndpiReader -i F -q           (Debian libndpi-bin), if installed
    dsniff      dsniff -n -p F               (Debian dsniff), if installed

For each tool: median wall seconds, median CPU seconds (user+sys, from the
wait4() rusage of the launcher, microsecond resolution), peak RSS (GNU time's
%M: the tool's own ru_maxrss, not the Python launcher's image), Gbit/s and
Mpackets/s over the captured bytes, and wall and CPU as a multiple of the
floor's.  Then credleak's recall: its findings (of the last round) matched
to the planted logins by kind (cleartext_credentials; challenge_response_auth
for MySQL's native password), client and server endpoints (TCP or UDP) and
username (none for an SNMP community or a Redis requirepass AUTH: those
match by the session's endpoints alone), by protocol (the app_proto credleak
prints), by mechanism (with how many results agree with the server's
answer) and by how the secret was sent; decoys (logins inside STARTTLS) it
reported; findings that match nothing; and whether any planted password, or
its base64 / SASL PLAIN / HTTP Basic form, appears in its output.  A Markdown report goes to standard output and to
build/bench/bench-results.md (JSON beside it).
"""

import argparse
import base64
import calendar
import ipaddress
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GNU_TIME = "/usr/bin/time"


def parse_size(s):
    s = s.strip()
    mult = 1
    if s[-1] in "kKmMgG":
        mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[s[-1].lower()]
        s = s[:-1]
    return int(float(s) * mult)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def generate(path, size, seed, conc=None, drain=True, extra=()):
    cmd = [sys.executable, os.path.join(HERE, "gen-bench.py"), "--out", path,
           "--size", str(size), "--seed", str(seed)]
    if conc is not None:
        cmd += ["--flows-concurrent", str(conc)]
    if not drain:
        cmd += ["--no-drain"]
    cmd += list(extra)
    log("bench: generating %s (%s)" % (path, " ".join(cmd[2:])))
    t0 = time.time()
    subprocess.run(cmd, check=True)
    log("bench: generated in %.1f s" % (time.time() - t0))


def gen_output_date_text():
    """gen-bench.py's OUTPUT_DATE: when its output bytes last changed."""
    try:
        with open(os.path.join(HERE, "gen-bench.py")) as f:
            m = re.search(r'^OUTPUT_DATE = "([^"]+)"', f.read(), re.M)
        return m.group(1) if m else None
    except OSError:
        return None


def stale(path):
    """A capture older than gen-bench.py's last change to its output
    (OUTPUT_DATE; without one, older than gen-bench.py), or without its
    truth.  Edits that leave the bytes alone do not make captures again."""
    try:
        ref = None
        date = gen_output_date_text()
        if date:
            try:
                ref = calendar.timegm(time.strptime(date, "%Y-%m-%dT%H:%M:%SZ"))
            except ValueError:
                ref = None
        if ref is None:
            ref = os.path.getmtime(os.path.join(HERE, "gen-bench.py"))
        return (os.path.getmtime(path) < ref or
                not os.path.exists(path + ".truth.jsonl"))
    except OSError:
        return True


def warm(path):
    """Read the file once so every tool reads it from the page cache."""
    with open(path, "rb", buffering=0) as f:
        while f.read(1 << 24):
            pass


def have_gnu_time():
    if not os.access(GNU_TIME, os.X_OK):
        return False
    try:
        r = subprocess.run([GNU_TIME, "-f", "%M", "true"],
                           capture_output=True, text=True)
    except OSError:
        return False
    return r.returncode == 0 and r.stderr.strip().isdigit()


def run_once(argv, stdout_path, stderr_path, use_time):
    """Run argv; return dict(wall, cpu, rss_kib, rc, rss_exact)."""
    tf = None
    cmd = list(argv)
    if use_time:
        fd, tf = tempfile.mkstemp(prefix="bench-time.")
        os.close(fd)
        cmd = [GNU_TIME, "-f", "%M", "-o", tf] + cmd
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    rss, exact = ru.ru_maxrss, False
    if tf is not None:
        with open(tf) as f:
            lines = [x for x in f.read().split("\n") if x.strip()]
        os.unlink(tf)
        if lines and lines[-1].strip().isdigit():
            rss, exact = int(lines[-1]), True
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_kib": rss,
            "rc": p.returncode, "rss_exact": exact}


def stem(name):
    """A file name for a tool's output."""
    return re.sub(r"[^A-Za-z0-9.]+", "_", name).strip("_")


def credleak_variants(credleak, spec):
    """Extra credleak runs: SPEC is ';'-separated option lists.  Options the
    binary does not know (an older build) drop that variant."""
    out, skipped = [], []
    try:
        helptext = subprocess.run([credleak, "--help"], capture_output=True,
                                  text=True).stdout
    except OSError:
        helptext = ""
    for v in (spec or "").split(";"):
        opts = v.split()
        if not opts:
            continue
        name = "credleak " + " ".join(opts)
        unknown = [o for o in opts if o.startswith("--") and o not in helptext]
        if unknown:
            skipped.append((name, "this build has no %s" % " ".join(unknown)))
        else:
            out.append((name, opts))
    return out, skipped


def tools_for(capture, credleak, floor, peers, variants=()):
    """[(name, argv, stdout file or None, note)], and skipped [(name, why)]."""
    tools, skipped = [], []
    tools.append(("floor", [floor, capture], "keep", ""))
    if shutil.which("tcpdump"):
        tools.append(("tcpdump", ["tcpdump", "-n", "-r", capture, "-w", "/dev/null"],
                      None, ""))
    else:
        skipped.append(("tcpdump", "not installed (apt-get install tcpdump)"))
    tools.append(("credleak", [credleak, "-q", "-r", capture], "keep", ""))
    for name, opts in variants:
        tools.append((name, [credleak] + opts + ["-q", "-r", capture], "keep", ""))
    if peers:
        nd = shutil.which("ndpiReader")
        if nd:
            tools.append(("ndpiReader", [nd, "-i", capture, "-q"], None, ""))
        else:
            skipped.append(("ndpiReader", "not installed (apt-get install libndpi-bin)"))
        ds = shutil.which("dsniff") or (os.path.exists("/usr/sbin/dsniff") and
                                        "/usr/sbin/dsniff")
        if ds:
            tools.append(("dsniff", [ds, "-n", "-p", capture], None, ""))
        else:
            skipped.append(("dsniff", "not installed (apt-get install dsniff)"))
    return tools, skipped


def bench_rounds(tools, reps, outdir, use_time):
    """Round-robin: every tool once per round.  Returns {name: [runs]}."""
    res = {name: [] for name, *_ in tools}
    for r in range(reps):
        for name, argv, keep, _ in tools:
            out = os.path.join(outdir, "%s.out" % stem(name)) if keep else os.devnull
            err = os.path.join(outdir, "%s.err" % stem(name))
            x = run_once(argv, out, err, use_time)
            res[name].append(x)
            log("bench: round %d/%d %-10s %7.3f s wall %7.3f s cpu %8d KiB rc %d"
                % (r + 1, reps, name, x["wall"], x["cpu"], x["rss_kib"], x["rc"]))
    return res


def floor_counts(outdir, name="floor"):
    with open(os.path.join(outdir, name + ".out")) as f:
        m = re.search(r"floor: (\d+) packets, (\d+) bytes", f.read())
    if not m:
        raise SystemExit("bench: the floor printed no counts")
    return int(m.group(1)), int(m.group(2))


# --- recall -------------------------------------------------------------------
def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


# Decoder names (decoders/registry.c) that differ from the app_proto their
# findings carry (the truth's "proto").
APP_PROTO = {"pgsql": "postgresql"}
KINDS = ("cleartext_credentials", "challenge_response_auth")


def decoded_protocols(credleak):
    """Decoders the credleak under test has, from the decoders/registry.c
    beside the binary, else this tree's (best effort), as app_proto names."""
    for d in (os.path.dirname(os.path.abspath(credleak)), ROOT):
        try:
            with open(os.path.join(d, "decoders", "registry.c")) as f:
                return set(APP_PROTO.get(x, x) for x in
                           re.findall(r"&(\w+)_decoder\b", f.read()))
        except OSError:
            continue
    return None


def secret_forms(t):
    # "n" numbers the login; older truth files have only the user name.
    n = t.get("n")
    num = "%05d" % n if n is not None else t["username"][4:]
    pw = "Bench-pw-%s-x" % num
    u = "user" + num
    forms = [pw, base64.b64encode(pw.encode()).decode(),
             base64.b64encode(("\0%s\0%s" % (u, pw)).encode()).decode(),
             base64.b64encode(("%s:%s" % (u, pw)).encode()).decode()]
    return forms


def recall(truth_path, alerts_path, extra_text_paths, credleak):
    truth = []
    with open(truth_path) as f:
        for line in f:
            if line.strip():
                t = json.loads(line)
                # A login the capture ended in the middle of (--no-drain).
                if t.get("complete", True):
                    truth.append(t)
    alerts = []
    bad_lines = 0
    with open(alerts_path, errors="replace") as f:
        for line in f:
            try:
                alerts.append(json.loads(line))
            except ValueError:
                bad_lines += 1
    creds = [a for a in alerts if a.get("kind") == "cleartext_credentials"]
    logins = [a for a in alerts if a.get("kind") in KINDS]

    def ep(ip, port):
        return (norm_ip(ip), int(port))

    # (kind, client, server, username) -> the results reported.
    found = {}
    by_flow = set()
    planted_flows = set()
    for a in logins:
        c = ep(a.get("src_ip"), a.get("src_port", 0))
        s = ep(a.get("dest_ip"), a.get("dest_port", 0))
        cred = a.get("credential") or {}
        found.setdefault((a["kind"], c, s, cred.get("username")),
                         set()).add(cred.get("result"))
        if a["kind"] == "cleartext_credentials":
            by_flow.add((c, s))
    found_keys = set(found)
    planted = [t for t in truth if not t["decoy"]]
    decoys = [t for t in truth if t["decoy"]]
    matched_keys = set()
    per_proto, per_variant, per_mech = {}, {}, {}
    decoded = decoded_protocols(credleak)
    for t in planted:
        key = (t.get("kind", "cleartext_credentials"),
               ep(t["client_ip"], t["client_port"]),
               ep(t["server_ip"], t["server_port"]), t["username"])
        hit = key in found_keys
        if hit:
            matched_keys.add(key)
        pp = per_proto.setdefault(t["proto"], [0, 0])
        pp[1] += 1
        pp[0] += hit
        # [found, planted, result as the server answered, kind]
        pm = per_mech.setdefault("%s / %s" % (t["proto"], t["mechanism"]),
                                 [0, 0, 0, t.get("kind", "cleartext_credentials")])
        pm[1] += 1
        pm[0] += hit
        pm[2] += hit and found[key] == {t["result"]}
        # How the secret was sent: over the protocols with a decoder.
        if decoded is None or t["proto"] in decoded:
            pv = per_variant.setdefault(t["variant"], [0, 0])
            pv[1] += 1
            pv[0] += hit
    for t in planted:
        planted_flows.add((ep(t["client_ip"], t["client_port"]),
                           ep(t["server_ip"], t["server_port"])))
    # Findings on a planted login's connection without its username: the
    # flow was picked up mid-way (evicted, then seen again) after USER.
    flow_only = sum(1 for (k, c, s, u) in found_keys - matched_keys
                    if (c, s) in planted_flows)
    decoy_hits = [t for t in decoys
                  if (ep(t["client_ip"], t["client_port"]),
                      ep(t["server_ip"], t["server_port"])) in by_flow]
    unexpected = len(found_keys - matched_keys)
    # Secrets in any output.
    text = ""
    for p in [alerts_path] + list(extra_text_paths):
        try:
            with open(p, errors="replace") as f:
                text += f.read()
        except OSError:
            pass
    leaks = 0
    for t in truth:
        if any(s in text for s in secret_forms(t)):
            leaks += 1
    hits = sum(v[0] for v in per_proto.values())
    d_hits = sum(v[0] for k, v in per_proto.items() if decoded and k in decoded)
    d_total = sum(v[1] for k, v in per_proto.items() if decoded and k in decoded)
    return {
        "planted": len(planted), "found": hits,
        "recall": hits / len(planted) if planted else 0.0,
        "decoded_protocols": sorted(decoded) if decoded is not None else None,
        "planted_decoded": d_total, "found_decoded": d_hits,
        "recall_decoded": d_hits / d_total if d_total else None,
        "per_proto": per_proto, "per_variant": per_variant,
        "per_mech": per_mech,
        "result_agrees": sum(v[2] for v in per_mech.values()),
        "decoys": len(decoys), "decoys_reported": len(decoy_hits),
        "decoys_reported_list": [t["client"] + " " + t["proto"] for t in decoy_hits][:10],
        "cleartext_findings": len(creds), "unexpected": unexpected,
        "flow_only": flow_only,
        "alerts": len(alerts), "bad_json_lines": bad_lines,
        "leaks": leaks,
    }


# --- report -------------------------------------------------------------------
def fmt_table(rows, header):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(x) for x in r) + " |")
    return "\n".join(out)


def summarize(res, packets, nbytes):
    med = {}
    for name, runs in res.items():
        med[name] = {
            "wall": statistics.median(r["wall"] for r in runs),
            "cpu": statistics.median(r["cpu"] for r in runs),
            "rss_kib": statistics.median(r["rss_kib"] for r in runs),
            "rss_exact": all(r["rss_exact"] for r in runs),
            "rc": sorted(set(r["rc"] for r in runs)),
            "walls": [round(r["wall"], 4) for r in runs],
        }
    fw = med["floor"]["wall"]
    fc = med["floor"]["cpu"]
    rows = []
    for name, m in med.items():
        w = m["wall"]
        rows.append([
            name, "%.3f" % w, "%.3f" % m["cpu"],
            ("%.1f" if m["rss_exact"] else "~%.1f") % (m["rss_kib"] / 1024),
            "%.2f" % (nbytes * 8 / w / 1e9), "%.3f" % (packets / w / 1e6),
            "%.0f" % (w / packets * 1e9),
            "%.2f" % (w / fw), "%.2f" % (m["cpu"] / fc if fc > 0 else 0),
            ",".join(str(x) for x in m["rc"])])
    return med, rows


def report_bench(args, capture, packets, nbytes, med, rows, skipped, rec, reps,
                 note):
    lines = []
    lines.append("## credleak benchmark\n")
    lines.append("Capture `%s`: %.1f MiB file, %d packets, %d captured bytes "
                 "(%.0f bytes/packet); %d rounds, round-robin; medians.\n"
                 % (os.path.relpath(capture, ROOT), os.path.getsize(capture) / 2**20,
                    packets, nbytes, nbytes / packets, reps))
    lines.append(fmt_table(rows, ["tool", "wall s", "CPU s (user+sys)",
                                  "peak RSS MiB", "Gbit/s", "Mpkt/s", "ns/pkt",
                                  "wall x floor", "CPU x floor", "exit"]))
    lines.append("")
    for name, why in skipped:
        lines.append("- %s skipped: %s" % (name, why))
    lines.append("- " + note)
    lines.append("- wall per round: " + "; ".join(
        "%s %s" % (n, m["walls"]) for n, m in med.items()))
    if not all(m["rss_exact"] for m in med.values()):
        lines.append("- `~` RSS: from wait4(), includes the launcher's image "
                     "(GNU time missing: apt-get install time)")
    if rec is not None:
        lines.append("\n### credleak recall on the planted logins\n")
        lines.append("Planted %d logins: credleak reported %d (recall %.1f %%)."
                     % (rec["planted"], rec["found"], 100 * rec["recall"]))
        if rec["recall_decoded"] is not None:
            lines.append("Over the protocols with a decoder now (%s): %d of %d "
                         "(recall %.1f %%)." % (", ".join(rec["decoded_protocols"]),
                                                rec["found_decoded"], rec["planted_decoded"],
                                                100 * rec["recall_decoded"]))
        lines.append("Decoys (login inside STARTTLS): %d planted, %d reported as "
                     "cleartext_credentials%s." % (
                         rec["decoys"], rec["decoys_reported"],
                         (" (" + ", ".join(rec["decoys_reported_list"]) + ")")
                         if rec["decoys_reported"] else ""))
        lines.append("cleartext_credentials findings: %d; login findings "
                     "(with challenge_response_auth) matching no planted "
                     "login: %d (of which %d on a planted login's connection "
                     "but without its username); alerts in all: %d; planted "
                     "passwords (or their base64/SASL/Basic forms) found in "
                     "credleak's output: %d; found logins whose result is "
                     "the server's answer: %d of %d."
                     % (rec["cleartext_findings"], rec["unexpected"],
                        rec["flow_only"], rec["alerts"], rec["leaks"],
                        rec["result_agrees"], rec["found"]))
        lines.append("")
        dec = set(rec["decoded_protocols"] or [])
        lines.append(fmt_table(
            [[p, v[1], v[0], "%.1f %%" % (100 * v[0] / v[1]),
              "yes" if p in dec else "not yet"]
             for p, v in sorted(rec["per_proto"].items())],
            ["protocol", "planted", "found", "recall", "decoder"]))
        lines.append("")
        lines.append(fmt_table(
            [[p, "challenge-response" if v[3] != "cleartext_credentials"
              else "cleartext", v[1], v[0], "%.1f %%" % (100 * v[0] / v[1]),
              v[2]]
             for p, v in sorted(rec["per_mech"].items())],
            ["protocol / mechanism", "kind", "planted", "found", "recall",
             "result right"]))
        lines.append("")
        lines.append(fmt_table(
            [[p, v[1], v[0], "%.1f %%" % (100 * v[0] / v[1])]
             for p, v in sorted(rec["per_variant"].items())],
            ["secret sent (decoded protocols)", "planted", "found", "recall"]))
        for name, v in rec.get("variants", {}).items():
            lines.append("\n`%s`: %d/%d found (%s over decoded protocols), "
                         "decoys reported %d, unmatched findings %d, leaks %d"
                         % (name, v["found"], v["planted"],
                            "%.1f %%" % (100 * v["recall_decoded"])
                            if v["recall_decoded"] is not None else "n/a",
                            v["decoys_reported"], v["unexpected"], v["leaks"]))
        lines.append("\nrecall: %d/%d planted logins found (%.1f %%), decoys "
                     "reported %d/%d" % (rec["found"], rec["planted"],
                                          100 * rec["recall"],
                                          rec["decoys_reported"], rec["decoys"]))
    return "\n".join(lines)


def machine_note(load0):
    load1 = os.getloadavg()[0]
    n = os.cpu_count() or 1
    note = ("machine: %d CPUs, load average %.2f before the rounds, %.2f after"
            % (n, load0, load1))
    if max(load0, load1) > 0.5:
        note += (": other work was running, so wall times carry its noise; "
                 "the CPU columns are the steadier measure")
    return note


def do_bench(args):
    outdir = os.path.abspath(args.outdir)
    os.makedirs(outdir, exist_ok=True)
    capture = args.capture or os.path.join(outdir, "bench-%s.pcap" % args.size)
    truth = capture + ".truth.jsonl"
    # Our own capture is made again when gen-bench.py changed since.
    if args.regen or not (os.path.exists(capture) and os.path.exists(truth)) or (
            not args.capture and stale(capture)):
        generate(capture, args.size, args.seed, extra=args.gen_extra)
    use_time = have_gnu_time()
    if not use_time:
        log("bench: %s missing (apt-get install time): peak RSS from wait4() "
            "includes the launcher" % GNU_TIME)
    variants, vskipped = credleak_variants(args.credleak, args.variants)
    tools, skipped = tools_for(capture, args.credleak, args.floor, not args.no_peers,
                               variants)
    skipped += vskipped
    for name, why in skipped:
        log("bench: %s skipped: %s" % (name, why))
    warm(capture)
    load0 = os.getloadavg()[0]
    res = bench_rounds(tools, args.reps, outdir, use_time)
    note = machine_note(load0)
    packets, nbytes = floor_counts(outdir)
    med, rows = summarize(res, packets, nbytes)
    rec = recall(truth, os.path.join(outdir, "credleak.out"),
                 [os.path.join(outdir, "credleak.err")], args.credleak)
    rec["variants"] = {}
    for name, _ in variants:
        rec["variants"][name] = recall(
            truth, os.path.join(outdir, "%s.out" % stem(name)),
            [os.path.join(outdir, "%s.err" % stem(name))], args.credleak)
    text = report_bench(args, capture, packets, nbytes, med, rows, skipped, rec,
                        args.reps, note)
    print(text, flush=True)
    with open(os.path.join(outdir, "bench-results.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(outdir, "bench-results.json"), "w") as f:
        json.dump({"capture": capture, "packets": packets, "bytes": nbytes,
                   "reps": args.reps, "median": med, "runs": res,
                   "skipped": skipped, "recall": rec}, f, indent=1)
    return med, rec


# --- scale --------------------------------------------------------------------
SUMMARY_RE = {
    "flows": r"(\d+) flows \(",
    "at_once": r"(\d+) at once at most",
    "evicted": r"eviction (\d+)",
    "memcap_evictions": r", evictions (\d+)",
    "refused": r"refused (\d+)",
    "peak_rss": r"peak RSS (\d+) KiB",
    "ended_fin": r"ended by FIN (\d+)",
}


def parse_summary(path):
    with open(path, errors="replace") as f:
        s = f.read()
    out = {}
    for k, rx in SUMMARY_RE.items():
        m = re.search(rx, s)
        out[k] = int(m.group(1)) if m else None
    return out


def read_meta(path):
    """FILE.meta.json of a capture gen-bench.py made, or None."""
    try:
        with open(path + ".meta.json") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def scale_capture(args, path, size, conc, accept, extra=()):
    """A --no-drain capture of CONC connections (gen-bench.py options
    EXTRA, --steady args.scale_mode): reused when its meta says it was made
    with these arguments (ACCEPT(meta) decides the size) by this
    gen-bench.py output, else generated.  Returns (meta, seconds spent
    generating, 0 when reused)."""
    meta = read_meta(path)
    if (not args.regen and meta is not None and not stale(path) and
            meta.get("output_date") == gen_output_date_text() and
            meta.get("seed") == args.seed and meta.get("no_drain") is True and
            meta.get("steady", "mix") == args.scale_mode and
            bool(meta.get("stop_at_fill")) == ("--stop-at-fill" in extra) and
            meta.get("flows_concurrent") == conc and accept(meta) and
            os.path.getsize(path) == meta.get("bytes")):
        log("bench: reusing %s (%d bytes, %d packets)"
            % (path, meta["bytes"], meta["packets"]))
        return meta, 0.0
    t0 = time.time()
    if args.scale_mode != "mix":
        extra = ["--steady", args.scale_mode] + list(extra)
    generate(path, size, args.seed, conc, drain=False, extra=extra)
    dt = time.time() - t0
    meta = read_meta(path)
    if meta is None:
        raise SystemExit("bench: gen-bench.py wrote no %s.meta.json" % path)
    return meta, dt


def scale_paths(outdir, conc, mode):
    """S1 and S2 of pool size CONC: scale-bulk-N-s1.pcap, ... (the mix's:
    scale-N-s1.pcap, ...)."""
    tag = "%d" % conc if mode == "mix" else "%s-%d" % (mode, conc)
    return tuple(os.path.join(outdir, "scale-%s-%s.pcap" % (tag, x))
                 for x in ("s1", "s2"))


def scale_pair(args, outdir, conc, steady):
    """S1 ends just past the fill (bulk: where it ends), S2 = S1 + STEADY
    bytes, one seed.  Returns (s1, meta1, s2, meta2, generation seconds)."""
    s1, s2 = scale_paths(outdir, conc, args.scale_mode)
    bulk = args.scale_mode == "bulk"
    # The mix: S1 as large as the fill probably is (doubled until it holds
    # it).  Bulk: S1 ends where the fill does (--stop-at-fill); the size is
    # only a cap.
    size = conc * (args.scale_bytes_per_flow or (1 << 14 if bulk else 700))
    extra1 = ["--stop-at-fill"] if bulk else []
    gen_s = 0.0
    for _ in range(8):
        meta1, dt = scale_capture(
            args, s1, size, conc,
            lambda m: m.get("fill_bytes") is not None and (
                m["fill_bytes"] == m["bytes"] if bulk else m["size"] >= size),
            extra1)
        gen_s += dt
        if meta1.get("fill_bytes") is not None:
            break
        log("bench: %s: the pool never held %d connections within %d bytes "
            "(%d at most): twice the size" % (s1, conc, size, meta1["flows_max"]))
        size *= 2
    else:
        raise SystemExit("bench: %s: the fill does not end" % s1)
    if not meta1["fill_bytes"] <= meta1["bytes"]:
        raise SystemExit("bench: %s: its meta puts the fill's end (byte %d) "
                         "past the file's end (%d)" % (s1, meta1["fill_bytes"],
                                                      meta1["bytes"]))
    log("bench: %s: the fill ends at packet %d, byte %d; the file %d packets, "
        "%d bytes" % (s1, meta1["fill_packets"], meta1["fill_bytes"],
                      meta1["packets"], meta1["bytes"]))
    size2 = meta1["bytes"] + steady
    meta2, dt = scale_capture(args, s2, size2, conc,
                              lambda m: m.get("size") == size2)
    gen_s += dt
    # Same seed, --no-drain: the generator stops at the first step past the
    # size, so the smaller capture is the start of the larger one.
    r = subprocess.run(["cmp", "-n", str(meta1["bytes"]), s1, s2],
                       capture_output=True, text=True)
    if r.returncode != 0 or (meta2["fill_packets"], meta2["fill_bytes"]) != (
            meta1["fill_packets"], meta1["fill_bytes"]):
        raise SystemExit(
            "bench: %s is not a byte prefix of %s (cmp: %s; fill at packet %s "
            "and %s): gen-bench.py is not deterministic (or a file changed "
            "since: --regen), so the difference of the two runs measures "
            "nothing; stopping"
            % (s1, s2, (r.stdout + r.stderr).strip() or "rc %d" % r.returncode,
               meta1["fill_packets"], meta2["fill_packets"]))
    log("bench: %s is a byte prefix of %s (%d bytes)" % (s1, s2, meta1["bytes"]))
    return s1, meta1, s2, meta2, gen_s


def perf_works():
    """Whether `perf stat -e instructions:u` counts here (perf installed,
    the counter available to us)."""
    if not shutil.which("perf"):
        return False
    return perf_instructions(["true"]) is not None


def perf_instructions(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    """User-space instructions ARGV executes (perf stat -x,), or None."""
    fd, tf = tempfile.mkstemp(prefix="bench-perf.")
    os.close(fd)
    try:
        r = subprocess.run(["perf", "stat", "-x,", "-o", tf, "-e",
                            "instructions:u", "--"] + list(argv),
                           stdin=subprocess.DEVNULL, stdout=stdout,
                           stderr=stderr)
        with open(tf) as f:
            text = f.read()
    except OSError:
        return None
    finally:
        try:
            os.unlink(tf)
        except OSError:
            pass
    if r.returncode != 0:
        return None
    for line in text.splitlines():
        f = line.split(",")
        if len(f) > 2 and f[2].startswith("instructions") and f[0].isdigit():
            return int(f[0])
    return None


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def marginal(runs1, runs2, dp):
    """Per round (T(S2) - T(S1)) / (P2 - P1) in ns, then the median over the
    rounds (the two runs of a round are next to each other in time)."""
    out = {}
    for key in ("wall", "cpu"):
        per = [(b[key] - a[key]) / dp * 1e9 for a, b in zip(runs1, runs2)]
        out[key] = statistics.median(per)
        out[key + "_rounds"] = [round(x, 1) for x in per]
    return out


def do_scale(args):
    """Cost per packet with 1k, 100k and 1M connections open at once, as a
    marginal: two captures per pool size from one seed, S1 ending just past
    the fill (the pool first holds N connections; bulk: all N past their
    first exchange) and S2 = S1 + a steady part; (T(S2) - T(S1)) / (P2 - P1)
    leaves out what both runs share (the fill, the start-up, the end of
    input where every open connection is ended).  Captures end with the
    connections still open (--no-drain).  --scale-mode bulk (the default):
    the steady part is one packet of established bulk traffic per step on a
    random connection, none ending, none added (gen-bench.py --steady
    bulk), the same traffic at every N; mix: the default mix goes on."""
    outdir = os.path.abspath(args.outdir)
    rundir = os.path.join(outdir, "scale")
    os.makedirs(rundir, exist_ok=True)
    use_time = have_gnu_time()
    steady = parse_size(args.scale_steady)
    if args.scale_steady_1m is None and args.scale_mode == "bulk":
        # The bulk fill is about ten packets per connection (handshake,
        # first exchange): at 1M, 9.6M packets and 3 s of credleak in both
        # runs, which vary by a few tenths of a second from run to run on
        # a shared machine.  500 MB more (0.5M packets, 0.1 s) measures
        # nothing; 2 GB (2M packets) does, roughly.  Both files (6.4 and
        # 8.4 GB) must stay in the page cache between rounds, or the
        # rounds time the disk: more would not fit a 24 GiB machine.
        args.scale_steady_1m = "2G"
    steady_1m = parse_size(args.scale_steady_1m) if args.scale_steady_1m else steady
    mrows, wrows, data = [], [], []
    gen_total = rounds_total = 0.0
    # Instructions per steady packet: the same count whatever else runs.
    use_perf = perf_works()
    if not use_perf:
        log("bench: perf stat -e instructions:u does not count here: no "
            "steady instructions/pkt")
    load0 = os.getloadavg()[0]
    for conc in [int(x) for x in args.scale_flows.split(",")]:
        st = steady_1m if conc >= 1000000 else steady
        s1, meta1, s2, meta2, gen_s = scale_pair(args, outdir, conc, st)
        gen_total += gen_s
        warm(s1)
        warm(s2)
        # Defaults, then caps large enough for the pool (no eviction).
        big = ["--memcap", "4G"]
        if conc * 2 > 262144:
            big = ["--max-flows", str(2 * conc)] + big
        variants = [("credleak -r F", []), ("credleak %s -r F" % " ".join(big), big)]
        tools = []
        for tag, cap in (("S1", s1), ("S2", s2)):
            tools.append(("floor %s" % tag, [args.floor, cap], "keep", ""))
        for i, (_, opts) in enumerate(variants):
            for tag, cap in (("S1", s1), ("S2", s2)):
                tools.append(("credleak%d %s" % (i, tag),
                              [args.credleak] + opts + ["-r", cap], "keep", ""))
        log("bench: %d open at once: %d rounds of %s; load average %.2f"
            % (conc, args.reps, ", ".join(t[0] for t in tools),
               os.getloadavg()[0]))
        t0 = time.time()
        res = bench_rounds(tools, args.reps, rundir, use_time)
        rounds_s = time.time() - t0
        rounds_total += rounds_s
        p1, b1 = floor_counts(rundir, "floor_S1")
        p2, b2 = floor_counts(rundir, "floor_S2")
        instr = {}
        if use_perf:
            for i, (_, opts) in enumerate(variants):
                n = [perf_instructions([args.credleak] + opts + ["-q", "-r", cap])
                     for cap in (s1, s2)]
                instr[i] = n if None not in n else None
                log("bench: %d open at once, credleak %s: %s instructions:u "
                    "over S1, S2" % (conc, " ".join(opts) or "(defaults)", n))
        for tag, (p, b), meta in (("S1", (p1, b1), meta1), ("S2", (p2, b2), meta2)):
            # The meta's bytes are the file's: a 24-byte header, 16 per record.
            if (p, 24 + 16 * p + b) != (meta["packets"], meta["bytes"]):
                raise SystemExit("bench: the floor read %d packets, %d bytes "
                                 "from %s; its meta says %d packets, %d bytes"
                                 % (p, b, tag, meta["packets"], meta["bytes"]))
        dp = p2 - p1
        fmarg = marginal(res["floor S1"], res["floor S2"], dp)
        fw2, fc2 = median_of(res["floor S2"], "wall"), median_of(res["floor S2"], "cpu")
        for i, (name, _) in enumerate(variants):
            r1, r2 = res["credleak%d S1" % i], res["credleak%d S2" % i]
            m = marginal(r1, r2, dp)
            w2, c2 = median_of(r2, "wall"), median_of(r2, "cpu")
            rss2 = median_of(r2, "rss_kib")
            sm1 = parse_summary(os.path.join(rundir, "credleak%d_S1.err" % i))
            sm2 = parse_summary(os.path.join(rundir, "credleak%d_S2.err" % i))
            rc = sorted(set(r["rc"] for r in r1 + r2))
            ins = instr.get(i)
            row = {
                "concurrent": conc, "run": name, "s1": s1, "s2": s2,
                "mode": args.scale_mode,
                "instructions_s1": ins[0] if ins else None,
                "instructions_s2": ins[1] if ins else None,
                "steady_instructions_per_pkt":
                    (ins[1] - ins[0]) / dp if ins else None,
                "meta_s1": meta1, "meta_s2": meta2,
                "fill_packets": meta1["fill_packets"], "fill_bytes": meta1["fill_bytes"],
                "s1_packets": p1, "s1_bytes": b1, "s2_packets": p2, "s2_bytes": b2,
                "steady_packets": dp, "steady_bytes": b2 - b1,
                "steady_connections": meta2["connections"] - meta1["connections"],
                "floor_marginal_ns": fmarg["wall"], "floor_marginal_cpu_ns": fmarg["cpu"],
                "marginal_ns": m["wall"], "marginal_cpu_ns": m["cpu"],
                "marginal_ratio": m["wall"] / fmarg["wall"] if fmarg["wall"] > 0 else None,
                "marginal_cpu_ratio": m["cpu"] / fmarg["cpu"] if fmarg["cpu"] > 0 else None,
                "floor_marginal_rounds": fmarg, "marginal_rounds": m,
                # The whole run over S2, as before.
                "packets": p2, "bytes": b2,
                "floor_ns": fw2 / p2 * 1e9, "floor_cpu_ns": fc2 / p2 * 1e9,
                "ns": w2 / p2 * 1e9, "cpu_ns": c2 / p2 * 1e9,
                "ratio": w2 / fw2, "cpu_ratio": c2 / fc2 if fc2 else 0,
                "rss_mib": rss2 / 1024, "rc": rc, "summary_s1": sm1, **sm2,
                "runs": {"S1": r1, "S2": r2},
                "floor_runs": {"S1": res["floor S1"], "S2": res["floor S2"]},
                "generation_s": gen_s, "rounds_s": rounds_s}
            data.append(row)

            def ratio(x):
                return "%.2f" % x if x is not None else "n/a"
            mrows.append([
                conc, "`%s`" % name, meta1["fill_packets"], dp,
                "%.0f" % ((b2 - b1) / dp), row["steady_connections"],
                "%.0f" % fmarg["wall"], "%.0f" % m["wall"],
                "%.0f" % fmarg["cpu"], "%.0f" % m["cpu"],
                ratio(row["marginal_ratio"]), ratio(row["marginal_cpu_ratio"])] +
                (["%.0f" % row["steady_instructions_per_pkt"] if ins else "n/a"]
                 if use_perf else []) + [
                "%.0f" % row["rss_mib"], sm2["evicted"], sm2["refused"],
                ",".join(map(str, rc))])
            wrows.append([
                conc, "`%s`" % name, p2, "%.0f" % (b2 / p2), sm2["flows"],
                sm2["at_once"], "%.0f" % row["floor_ns"], "%.0f" % row["ns"],
                "%.0f" % row["floor_cpu_ns"], "%.0f" % row["cpu_ns"],
                "%.2f" % row["ratio"], "%.2f" % row["cpu_ratio"],
                "%.0f" % row["rss_mib"], sm2["evicted"], sm2["refused"],
                ",".join(map(str, rc))])
    steady_note = args.scale_steady + (
        " (%s at 1M)" % args.scale_steady_1m if args.scale_steady_1m else "")
    if args.scale_mode == "bulk":
        mode_text = (
            "Steady part: **bulk** (`gen-bench.py --steady bulk`): the pool "
            "is TLS (443) and HTTP (80) downloads in the default mix's "
            "proportions, each opened as in the mix (handshake, hellos or "
            "GET, the response's first two segments and their ACK); past "
            "the fill every packet is one MSS segment of an established "
            "download (TLS application-data records, an HTTP body of "
            "Content-Length 2^40) or the client's ACK of every second one, "
            "on a connection picked at random; none ends, none is added: the "
            "same traffic at every N, only the number of open connections "
            "differs.")
        fill_text = ("S1 ends where the fill does (all N connections past "
                     "their first exchange, at \"fill packets\")")
    else:
        mode_text = (
            "Steady part: **mix** (`gen-bench.py` default): the default "
            "mix goes on, connections ending and new ones replacing them; "
            "with a big pool it is young traffic (handshakes, first "
            "requests), with a small one mostly bulk data: not the same "
            "traffic at every N.")
        fill_text = ("S1 ends just past the fill (the pool first holds N "
                     "connections at \"fill packets\")")
    perf_text = (" \"steady instructions/pkt\": (I(S2) - I(S1)) / (P2 - P1), "
                 "user-space instructions from one `perf stat -x, -e "
                 "instructions:u` run of each (`-q`), which other work on "
                 "the machine does not change." if use_perf else "")
    text = (
        "## credleak at scale (%d rounds each, medians; steady part: %s)\n\n"
        % (args.reps, args.scale_mode) + mode_text + "\n\n" +
        "Marginal cost of a packet with N connections open:\n\n" +
        fmt_table(mrows, ["open at once", "run", "fill packets",
                          "steady packets", "steady bytes/pkt",
                          "new connections (steady)",
                          "floor marginal ns/pkt", "credleak marginal ns/pkt",
                          "floor marginal CPU ns/pkt",
                          "credleak marginal CPU ns/pkt", "wall x floor",
                          "CPU x floor"] +
                  (["steady instructions/pkt"] if use_perf else []) +
                  ["peak RSS MiB (S2)", "evicted (S2)", "refused (S2)",
                   "exit"]) +
        "\n\nMethod: per pool size N, two captures from one seed with "
        "connections left open at the end: %s, S2 is S1 "
        "(checked to be a byte prefix) and %s more.  Marginal = "
        "(T(S2) - T(S1)) / (P2 - P1) per round, median of the rounds: the "
        "fill, the start-up and the end of input (credleak ends the N open "
        "flows) are in both runs and cancel.%s\n\n"
        % (fill_text, steady_note, perf_text) +
        "The whole run over S2 (fill + steady part + end of input):\n\n" +
        fmt_table(wrows, ["open at once", "run", "packets", "bytes/pkt",
                          "flows seen", "at once (credleak)",
                          "floor ns/pkt", "credleak ns/pkt",
                          "floor CPU ns/pkt", "credleak CPU ns/pkt",
                          "wall x floor", "CPU x floor", "peak RSS MiB",
                          "evicted", "refused", "exit"]) +
        "\n\n- " + machine_note(load0) +
        "\n- generation %.0f s (0 when the captures were reused), rounds %.0f s"
        % (gen_total, rounds_total) +
        "\n- marginal per round (ns/pkt, wall): " + "; ".join(
            "%d %s %s" % (r["concurrent"], r["run"], r["marginal_rounds"]["wall_rounds"])
            for r in data) +
        "\n- marginal per round (ns/pkt, CPU): " + "; ".join(
            "%d %s %s" % (r["concurrent"], r["run"], r["marginal_rounds"]["cpu_rounds"])
            for r in data))
    print(text, flush=True)
    with open(os.path.join(outdir, "scale-results.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(outdir, "scale-results.json"), "w") as f:
        json.dump({"mode": args.scale_mode, "steady": steady,
                   "steady_1m": steady_1m, "reps": args.reps,
                   "generation_s": gen_total, "rounds_s": rounds_total,
                   "rows": data}, f, indent=1)


# --- smoke --------------------------------------------------------------------
def do_smoke(args):
    ok = True
    why = []
    # Its own folder: a smoke run beside a bench run must not mix files.
    args.outdir = os.path.join(os.path.abspath(args.outdir), "smoke")
    args.capture = os.path.join(args.outdir, "smoke-4M.pcap")
    args.size = "4M"
    args.regen = True
    # More logins than the bench's few percent (gen-bench plants every kind
    # of login once before it draws by weight: every protocol shows up).
    args.gen_extra = ["--login-share", "0.25", "--decoy-share", "0.05"]
    try:
        med, rec = do_bench(args)
        if "credleak" not in med or med["credleak"]["rc"] != [0]:
            ok = False
            why.append("credleak exit status %s" % med.get("credleak", {}).get("rc"))
        if med["floor"]["rc"] != [0]:
            ok = False
            why.append("floor exit status %s" % med["floor"]["rc"])
        if rec is None or rec["planted"] == 0 or "recall" not in rec:
            ok = False
            why.append("no recall reported")
        else:
            missing = sorted(set(rec["decoded_protocols"] or []) -
                             set(rec["per_proto"]))
            if missing:
                ok = False
                why.append("no login planted for %s" % ", ".join(missing))
    except Exception as e:  # the smoke test reports, never raises
        ok = False
        why.append("%s: %s" % (type(e).__name__, e))
    for w in why:
        print("bench-smoke: FAIL: %s" % w)
    print("bench-smoke: %d passed, %d failed" % (1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default=os.environ.get("BENCH_SIZE", "1G"))
    ap.add_argument("--reps", type=int, default=None,
                    help="rounds (default 5; 1 for --smoke, 3 for --scale)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--capture", help="use this capture (and FILE.truth.jsonl)")
    ap.add_argument("--regen", action="store_true", help="generate even if present")
    ap.add_argument("--outdir", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--credleak", default=os.path.join(ROOT, "credleak"))
    ap.add_argument("--floor", default=os.path.join(ROOT, "build", "bench", "floor"))
    ap.add_argument("--no-peers", action="store_true", help="no ndpiReader, dsniff")
    ap.add_argument("--variants", default=os.environ.get(
        "BENCH_CREDLEAK_VARIANTS", "--memcap 1G;--memcap 1G --no-ndpi"),
        help="extra credleak runs, ';'-separated option lists (default "
             "'--memcap 1G;--memcap 1G --no-ndpi'; '' for none)")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--scale", action="store_true")
    ap.add_argument("--scale-steady", default=os.environ.get("BENCH_SCALE_STEADY", "500M"),
                    help="--scale: bytes of the second capture past the "
                         "first (default 500M)")
    ap.add_argument("--scale-steady-1m", default=os.environ.get("BENCH_SCALE_STEADY_1M"),
                    help="--scale: the same for pools of 1M or more "
                         "(default: 2G in bulk mode, else --scale-steady)")
    ap.add_argument("--scale-flows", default="1000,100000,1000000")
    ap.add_argument("--scale-mode", choices=("bulk", "mix"),
                    default=os.environ.get("BENCH_SCALE_MODE", "bulk"),
                    help="--scale: the steady part: bulk (default), one "
                         "packet of an established download per step, the "
                         "same at every pool size; mix, the default mix "
                         "going on (connections end, new ones open)")
    ap.add_argument("--scale-bytes-per-flow", type=int, default=None,
                    help="--scale: the first capture's size per connection "
                         "of the pool (mix: default 700, doubled until the "
                         "fill ends inside it; bulk: a cap, default 16384, "
                         "the capture ends where the fill does)")
    args = ap.parse_args()
    args.gen_extra = []
    if args.reps is None:
        args.reps = 1 if args.smoke else 3 if args.scale else 5
    for b in (args.credleak, args.floor):
        if not os.access(b, os.X_OK):
            print("bench: %s not built" % b)
            if args.smoke:
                print("bench-smoke: 0 passed, 1 failed")
            return 1
    if args.smoke:
        return do_smoke(args)
    if args.scale:
        do_scale(args)
        return 0
    do_bench(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
