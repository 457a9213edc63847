#!/usr/bin/env python3
"""gen-db.py [OUTDIR] - write the generated MySQL/MariaDB captures of pcaps/.

The exchanges here are ones the Debian clients will not produce against a
local server on demand (make-pcaps-db.sh makes every other database
capture with real servers and clients):

  mysql-change-user    a login, then COM_CHANGE_USER to another user: the
                       mariadb command-line client has no command for it
  mysql-dialog         MariaDB's PAM "dialog" plugin: the server's
                       AuthSwitchRequest asks for the password and the client
                       answers it in clear; a real one needs a PAM service
                       in /etc/pam.d, which a test script must not add
  mysql-sha2-full-clear  caching_sha2_password full authentication answered
                       with the password in clear on a TCP link, as a client
                       does when it believes the link is secure (a TLS
                       proxy in front); libmysqlclient only does it over TLS
                       or a local socket

Packet layouts follow the MySQL client/server protocol (Connection Phase,
MariaDB 10.11's greeting).  Built with gen-synthetic.py's Pcap and Flow;
deterministic: running it twice writes identical files.  Addresses are
from RFC 5737 documentation ranges.  Passwords are the synthetic ones of
tests/secrets.txt.
"""

import hashlib
import importlib.util
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("gensyn", os.path.join(HERE, "gen-synthetic.py"))
gensyn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gensyn)
Pcap, Flow = gensyn.Pcap, gensyn.Flow

MY_ALICE_PW = "maple-drum-test-24"
MY_DAVE_PW = "cobalt-reed-test-25"

# Capability flags (Protocol::CapabilityFlags).
LONG_PASSWORD, FOUND_ROWS, LONG_FLAG, CONNECT_WITH_DB = 1, 2, 4, 8
PROTOCOL_41, TRANSACTIONS, SECURE_CONNECTION = 0x200, 0x2000, 0x8000
MULTI_STATEMENTS, MULTI_RESULTS, PS_MULTI_RESULTS = 0x10000, 0x20000, 0x40000
PLUGIN_AUTH, CONNECT_ATTRS, LENENC_DATA = 0x80000, 0x100000, 0x200000
CLIENT_CAPS = (LONG_PASSWORD | FOUND_ROWS | LONG_FLAG | PROTOCOL_41 | TRANSACTIONS |
               SECURE_CONNECTION | MULTI_STATEMENTS | MULTI_RESULTS |
               PS_MULTI_RESULTS | PLUGIN_AUTH | LENENC_DATA)
SERVER_CAPS = CLIENT_CAPS | CONNECT_WITH_DB | CONNECT_ATTRS

SALT = b"abcdefgh" + b"ijklmnopqrst"   # 20 scramble bytes
SALT2 = b"ABCDEFGHIJKLMNOPQRST"


def pkt(seq, payload):
    """One packet: 3-byte little-endian length, sequence id, payload."""
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def greeting(plugin=b"mysql_native_password", salt=SALT):
    """Protocol::HandshakeV10."""
    return (b"\x0a" + b"5.5.5-10.11.19-MariaDB-0+deb12u1\x00" +
            struct.pack("<I", 42) + salt[:8] + b"\x00" +
            struct.pack("<H", SERVER_CAPS & 0xffff) + b"\x2d" +
            struct.pack("<H", 2) + struct.pack("<H", SERVER_CAPS >> 16) +
            bytes([len(salt) + 1]) + b"\x00" * 6 + b"\x00" * 4 +
            salt[8:] + b"\x00" + plugin + b"\x00")


def native(pw, salt):
    """mysql_native_password: SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw)))."""
    h1 = hashlib.sha1(pw.encode()).digest()
    h2 = hashlib.sha1(salt + hashlib.sha1(h1).digest()).digest()
    return bytes(a ^ b for a, b in zip(h1, h2))


def sha2_scramble(pw, salt):
    """caching_sha2_password: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + salt)."""
    h1 = hashlib.sha256(pw.encode()).digest()
    h2 = hashlib.sha256(hashlib.sha256(h1).digest() + salt).digest()
    return bytes(a ^ b for a, b in zip(h1, h2))


def response41(user, auth, plugin):
    """Protocol::HandshakeResponse41 with length-encoded auth data."""
    return (struct.pack("<IIB", CLIENT_CAPS, 16777216, 45) + b"\x00" * 23 +
            user.encode() + b"\x00" + bytes([len(auth)]) + auth +
            plugin + b"\x00")


OK = b"\x00\x00\x00\x02\x00\x00\x00"
QUERY_RESULT = [  # SELECT 1: column count, column definition, EOF, row, EOF
    b"\x01",
    b"\x03def\x00\x00\x00\x011\x00\x0c\x3f\x00\x01\x00\x00\x00\x08\x81\x00\x00\x00\x00",
    b"\xfe\x00\x00\x02\x00",
    b"\x011",
    b"\xfe\x00\x00\x02\x00",
]


def select_one(f):
    f.c(pkt(0, b"\x03SELECT 1"))
    f.s(b"".join(pkt(i + 1, p) for i, p in enumerate(QUERY_RESULT)))


def mysql_change_user():
    """alice logs in (native scramble), runs a query, then COM_CHANGE_USER
    to dave (native scramble over a new salt from an AuthSwitchRequest):
    two challenge-response logins on one connection."""
    p = Pcap()
    f = Flow(p, "192.0.2.31", "198.51.100.33", 40310, 3306, 31000000, 33000000)
    f.handshake()
    f.s(pkt(0, greeting()))
    f.c(pkt(1, response41("alice", native(MY_ALICE_PW, SALT), b"mysql_native_password")))
    f.s(pkt(2, OK))
    select_one(f)
    # COM_CHANGE_USER: user, auth (1-byte length), database, charset, plugin.
    f.c(pkt(0, b"\x11" + b"dave\x00" + bytes([20]) + native(MY_DAVE_PW, SALT) +
             b"\x00" + struct.pack("<H", 45) + b"mysql_native_password\x00"))
    f.s(pkt(1, b"\xfe" + b"mysql_native_password\x00" + SALT2 + b"\x00"))
    f.c(pkt(2, native(MY_DAVE_PW, SALT2)))
    f.s(pkt(3, OK))
    select_one(f)
    f.c(pkt(0, b"\x01"))  # COM_QUIT
    f.close()
    return p


def mysql_dialog():
    """MariaDB PAM: the client starts with mysql_native_password; the server
    switches to "dialog" with a password prompt; the client answers the
    password in clear; OK."""
    p = Pcap()
    f = Flow(p, "192.0.2.32", "198.51.100.33", 40320, 3306, 32000000, 34000000)
    f.handshake()
    f.s(pkt(0, greeting()))
    f.c(pkt(1, response41("alice", native(MY_ALICE_PW, SALT), b"mysql_native_password")))
    f.s(pkt(2, b"\xfe" + b"dialog\x00" + b"\x04Password: "))
    f.c(pkt(3, MY_ALICE_PW.encode() + b"\x00"))
    f.s(pkt(4, OK))
    select_one(f)
    f.c(pkt(0, b"\x01"))
    f.close()
    return p


def mysql_sha2_full_clear():
    """caching_sha2_password: the fast path misses (0x01 0x04), and the
    client answers the full authentication with the password in clear
    (\\0-terminated); OK."""
    p = Pcap()
    f = Flow(p, "192.0.2.33", "198.51.100.34", 40330, 3306, 33000000, 35000000)
    f.handshake()
    f.s(pkt(0, greeting(b"caching_sha2_password")))
    f.c(pkt(1, response41("dave", sha2_scramble(MY_DAVE_PW, SALT), b"caching_sha2_password")))
    f.s(pkt(2, b"\x01\x04"))
    f.c(pkt(3, MY_DAVE_PW.encode() + b"\x00"))
    f.s(pkt(4, OK))
    select_one(f)
    f.c(pkt(0, b"\x01"))
    f.close()
    return p


CAPTURES = [
    ("mysql-change-user", mysql_change_user),
    ("mysql-dialog", mysql_dialog),
    ("mysql-sha2-full-clear", mysql_sha2_full_clear),
]


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else HERE
    os.makedirs(outdir, exist_ok=True)
    secrets = os.path.join(os.path.dirname(HERE), "tests", "secrets.txt")
    if os.path.exists(secrets):
        with open(secrets) as f:
            listed = {l.strip() for l in f}
        missing = {MY_ALICE_PW, MY_DAVE_PW} - listed
        if missing:
            sys.exit("gen-db: %s not in tests/secrets.txt" % sorted(missing))
    for name, build in CAPTURES:
        path = os.path.join(outdir, name + ".pcap")
        build().write(path)
        print("gen-db: %s.pcap: %d bytes" % (name, os.path.getsize(path)), file=sys.stderr)


if __name__ == "__main__":
    main()
