#!/usr/bin/env python3
"""gen-fingerprint.py [OUTDIR] - write pcaps/fingerprint-reuse.pcap.

The capture behind tests/fingerprint.py (--secret-key-file): one password
used by two users on two servers, and a third login with another one.

  1. POP3 USER alice / PASS <ALICE_PW> to server A (198.51.100.110:110), +OK
  2. IMAP LOGIN bob <ALICE_PW> to server B (198.51.100.143:143), OK
  3. POP3 USER carol / PASS <BOB_PW> to server A, +OK

Built with the packet helpers of gen-synthetic.py (full handshakes, correct
checksums, fixed addresses, ports, sequence numbers and timestamps), so it
is deterministic: running it twice writes identical bytes.  The passwords
are the synthetic ones of tests/secrets.txt; addresses are from RFC 5737.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "gen_synthetic", os.path.join(HERE, "gen-synthetic.py"))
gs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gs)

SERVER_A = "198.51.100.110"
SERVER_B = "198.51.100.143"


def pop3_login(p, cli, cport, isn, user, pw):
    f = gs.Flow(p, cli, SERVER_A, cport, 110, isn, isn + 4000000)
    f.handshake()
    f.s(gs.POP_GREETING)
    f.c("USER %s\r\n" % user)
    f.s("+OK\r\n")
    f.c("PASS %s\r\n" % pw)
    f.s("+OK Logged in.\r\n")
    f.c("QUIT\r\n")
    f.s("+OK Logging out.\r\n")
    f.close()


def imap_login(p, cli, cport, isn, user, pw):
    f = gs.Flow(p, cli, SERVER_B, cport, 143, isn, isn + 4000000)
    f.handshake()
    f.s(gs.IMAP_GREETING)
    f.c("a1 LOGIN %s %s\r\n" % (user, pw))
    f.s("a1 " + gs.IMAP_LOGGED_IN)
    f.c("a2 LOGOUT\r\n")
    f.s("* BYE Logging out\r\na2 OK Logout completed.\r\n")
    f.close()


def fingerprint_reuse():
    p = gs.Pcap()
    pop3_login(p, "192.0.2.51", 40510, 21000000, "alice", gs.ALICE_PW)
    imap_login(p, "192.0.2.52", 40520, 22000000, "bob", gs.ALICE_PW)
    pop3_login(p, "192.0.2.53", 40530, 23000000, "carol", gs.BOB_PW)
    return p


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else HERE
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "fingerprint-reuse.pcap")
    fingerprint_reuse().write(path)
    print("gen-fingerprint: fingerprint-reuse.pcap: %d bytes" %
          os.path.getsize(path), file=sys.stderr)


if __name__ == "__main__":
    main()
