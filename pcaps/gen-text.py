#!/usr/bin/env python3
"""gen-text.py [OUTDIR] - write the generated NNTP captures of pcaps/.

NNTP has no server that installs on the build machine (Debian's inn2 fails
in its postinst there), so its captures are built here, packet by packet,
with the TCP/IP framing of gen-synthetic.py: a full handshake, correct
checksums, classic libpcap, fixed addresses, ports, sequence numbers and
timestamps, so that running the script twice writes identical files.  The
server texts are worded as INN 2.7's nnrpd words them (RFC 3977, RFC 4643
AUTHINFO, RFC 4642 STARTTLS).

Addresses are from the documentation ranges (RFC 5737); the passwords are
the synthetic test passwords of tests/secrets.txt.
"""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "gen_synthetic", os.path.join(HERE, "gen-synthetic.py"))
gs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gs)

NEWS_PW = "news-cedar-test-49"
NEWS_BAD_PW = "bad-cedar-test-50"

SERVER = "198.51.100.119"
GREETING = ("200 news.example.test InterNetNews NNRP server INN 2.7.1 ready "
            "(posting ok)\r\n")
CAPS = ("101 Capability list:\r\nVERSION 2\r\nIMPLEMENTATION INN 2.7.1\r\n"
        "AUTHINFO USER SASL\r\nSASL PLAIN\r\nSTARTTLS\r\nREADER\r\n.\r\n")


def session(p, cport, isn, port=119, cli="192.0.2.119"):
    f = gs.Flow(p, cli, SERVER, cport, port, isn, isn + 700000)
    f.handshake()
    f.s(GREETING)
    return f


def nntp_authinfo():
    """AUTHINFO USER/PASS accepted, then a GROUP."""
    p = gs.Pcap()
    f = session(p, 41190, 0x11900000)
    f.c("CAPABILITIES\r\n")
    f.s(CAPS)
    f.c("AUTHINFO USER alice\r\n")
    f.s("381 Enter password\r\n")
    f.c("AUTHINFO PASS %s\r\n" % NEWS_PW)
    f.s("281 Authentication succeeded\r\n")
    f.c("GROUP misc.test\r\n")
    f.s("211 0 1 0 misc.test\r\n")
    f.c("QUIT\r\n")
    f.s("205 Bye!\r\n")
    f.close()
    return p


def nntp_authinfo_fail():
    """AUTHINFO USER/PASS refused (481), then the client gives up."""
    p = gs.Pcap()
    f = session(p, 41191, 0x11910000)
    f.c("AUTHINFO USER bob\r\n")
    f.s("381 Enter password\r\n")
    f.c("AUTHINFO PASS %s\r\n" % NEWS_BAD_PW)
    f.s("481 Authentication failed\r\n")
    f.c("QUIT\r\n")
    f.s("205 Bye!\r\n")
    f.close()
    return p


def nntp_sasl_plain():
    """AUTHINFO SASL PLAIN with an initial response (RFC 4643 §2.4)."""
    p = gs.Pcap()
    f = session(p, 41192, 0x11920000)
    f.c("AUTHINFO SASL PLAIN %s\r\n" % gs.plain_blob("alice", NEWS_PW))
    f.s("281 Authentication succeeded\r\n")
    f.c("QUIT\r\n")
    f.s("205 Bye!\r\n")
    f.close()
    return p


def nntp_starttls():
    """STARTTLS answered 382; what follows is TLS (a ClientHello's start)."""
    p = gs.Pcap()
    f = session(p, 41193, 0x11930000)
    f.c("CAPABILITIES\r\n")
    f.s(CAPS)
    f.c("STARTTLS\r\n")
    f.s("382 Begin TLS negotiation now\r\n")
    f.c(bytes.fromhex("16030100050100000103"))
    f.close()
    return p


def nntp_article_bait():
    """Reading without a login; the article and a post hold look-alikes."""
    p = gs.Pcap()
    f = session(p, 41194, 0x11940000)
    f.c("MODE READER\r\n")
    f.s("200 news.example.test InterNetNews NNRP server ready (posting ok)\r\n")
    f.c("GROUP misc.test\r\n")
    f.s("211 1 1 1 misc.test\r\n")
    f.c("ARTICLE 1\r\n")
    f.s("220 1 <1@news.example.test> article\r\n"
        "From: carol@example.test\r\nSubject: password reset\r\n\r\n"
        "281 Authentication succeeded\r\nAUTHINFO PASS not-a-login\r\n"
        "..\r\n.\r\n")
    f.c("POST\r\n")
    f.s("340 Ok, recommended message-ID <2@news.example.test>\r\n")
    f.c("From: carol@example.test\r\nNewsgroups: misc.test\r\n"
        "Subject: re: password\r\n\r\nAUTHINFO USER carol\r\n"
        "AUTHINFO PASS not-a-login\r\n.\r\n")
    f.s("240 Article posted <2@news.example.test>\r\n")
    f.c("QUIT\r\n")
    f.s("205 Bye!\r\n")
    f.close()
    return p


CAPTURES = [
    ("nntp-authinfo", nntp_authinfo),
    ("nntp-authinfo-fail", nntp_authinfo_fail),
    ("nntp-sasl-plain", nntp_sasl_plain),
    ("nntp-starttls", nntp_starttls),
    ("nntp-article-bait", nntp_article_bait),
]


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else HERE
    os.makedirs(outdir, exist_ok=True)
    secrets = os.path.join(os.path.dirname(HERE), "tests", "secrets.txt")
    if os.path.exists(secrets):
        with open(secrets) as f:
            listed = {l.strip() for l in f}
        missing = {NEWS_PW, NEWS_BAD_PW} - listed
        if missing:
            sys.exit("gen-text: %s not in tests/secrets.txt" % sorted(missing))
    for name, build in CAPTURES:
        path = os.path.join(outdir, name + ".pcap")
        build().write(path)
        print("gen-text: %s.pcap: %d bytes" % (name, os.path.getsize(path)),
              file=sys.stderr)


if __name__ == "__main__":
    main()
