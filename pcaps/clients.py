#!/usr/bin/env python3
"""Clients for the scenarios of make-pcaps.sh that swaks and curl do not cover.

Each subcommand drives one real server (Postfix, Dovecot, vsftpd or lighttpd,
started by make-pcaps.sh on 127.0.0.1) with Python's own smtplib, poplib,
imaplib, ftplib or http.client, prints the transcript (protocol debug output
and the replies) to stdout, and exits 0 only when the server answered the way
the scenario needs (the caller checks again).

Standard library only.  Never connects anywhere but the host and port given,
and make-pcaps.sh gives only 127.0.0.1.
"""

import argparse
import base64
import email.message
import ftplib
import http.client
import imaplib
import poplib
import smtplib
import socket
import ssl
import sys


def _message(sender, rcpt, subject):
    msg = email.message.EmailMessage()
    msg["From"] = sender
    msg["To"] = rcpt
    msg["Subject"] = subject
    msg["Message-ID"] = "<%s@client.example.test>" % subject.replace(" ", "-")
    msg["Date"] = "Sun, 22 Nov 2026 12:00:00 +0000"
    msg.set_content("credleak test message: %s\n" % subject)
    return msg


def smtp_login(a):
    """EHLO, AUTH with the mechanism asked for, then one message, QUIT."""
    s = smtplib.SMTP(a.host, a.port, local_hostname="client.example.test",
                     timeout=10, source_address=(a.source, 0))
    s.set_debuglevel(1)
    s.ehlo()
    if a.starttls:
        s.starttls(context=_insecure_context())
        s.ehlo()
    # smtplib picks the "best" mechanism the server lists; narrow the list
    # to the one this scenario is about (it still goes through login()).
    s.esmtp_features["auth"] = a.mech
    s.login(a.user, a.password)
    s.send_message(_message(a.user + "@example.test", a.rcpt, a.subject))
    s.quit()
    return 0


def _insecure_context():
    # The servers use a throw-away self-signed certificate.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class _POP3From(poplib.POP3):
    """poplib.POP3 that connects from a chosen loopback source address."""

    source = None

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self.source, 0))


def pop3(a):
    """USER/PASS (or APOP), optionally after CAPA and/or STLS; then STAT."""
    _POP3From.source = a.source
    p = _POP3From(a.host, a.port, timeout=10)
    p.set_debuglevel(1)
    print(p.getwelcome().decode(errors="replace"))
    if a.stls:
        # stls() itself asks CAPA first and checks STLS is listed.
        print(p.stls(_insecure_context()))
    elif a.capa:
        print(p.capa())
    try:
        if a.apop:
            print(p.apop(a.user, a.password))
        else:
            print(p.user(a.user))
            print(p.pass_(a.password))
    except poplib.error_proto as e:
        print("login refused: %s" % e)
        p.quit()
        return 0 if a.expect_fail else 1
    if a.expect_fail:
        p.quit()
        return 1
    print(p.stat())
    p.quit()
    return 0


class _IMAP4From(imaplib.IMAP4):
    """imaplib.IMAP4 that connects from a chosen loopback source address."""

    source = None

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self.source, 0))


def imap(a):
    """Optionally STARTTLS; then LOGIN (or AUTHENTICATE PLAIN without
    initial response); then SELECT INBOX, LOGOUT.  imaplib itself sends
    CAPABILITY right after the greeting, even when the greeting carries
    [CAPABILITY ...] (Dovecot's does)."""
    _IMAP4From.source = a.source
    m = _IMAP4From(a.host, a.port, timeout=10)
    m.debug = 4
    print("greeting: %s" % m.welcome.decode(errors="replace"))
    print("capabilities: %s" % " ".join(m.capabilities))
    if a.starttls:
        print("starttls: %r" % (m.starttls(_insecure_context()),))
        print("tls: %s %s" % (m.sock.version(), m.sock.cipher()[0]))
    try:
        if a.mech == "PLAIN":
            blob = ("\0%s\0%s" % (a.user, a.password)).encode()
            print("login: %r" % (m.authenticate("PLAIN", lambda _: blob),))
        else:
            # imaplib does not look for LOGINDISABLED: it sends LOGIN
            # whatever the server advertised, which --expect-fail uses.
            print("login: %r" % (m.login(a.user, a.password),))
    except imaplib.IMAP4.error as e:
        print("login refused: %s" % e)
        for typ in ("BAD", "NO"):
            # untagged responses the server sent before its tagged answer
            if typ in m.untagged_responses:
                print("untagged %s: %r" % (typ, m.untagged_responses[typ]))
        print("logout: %r" % (m.logout(),))
        return 0 if a.expect_fail else 1
    if a.expect_fail:
        m.logout()
        return 1
    print("select: %r" % (m.select("INBOX"),))
    print("logout: %r" % (m.logout(),))
    return 0


def ftp(a):
    """Control connection: optionally FEAT, AUTH TLS (--tls); USER/PASS;
    then SYST, PWD, and with --list/--retr a passive data connection each;
    QUIT.  ftplib masks the password in its own debug output."""
    cls = ftplib.FTP_TLS if a.tls else ftplib.FTP
    kw = {"context": _insecure_context()} if a.tls else {}
    f = cls(timeout=10, source_address=(a.source, 0), **kw)
    f.set_debuglevel(1)
    print(f.connect(a.host, a.port))
    if a.feat:
        print(f.sendcmd("FEAT"))
    try:
        # FTP_TLS.login sends AUTH TLS first.
        print(f.login(a.user, a.password))
    except ftplib.error_perm as e:
        print("login refused: %s" % e)
        print(f.quit())
        return 0 if a.expect_fail else 1
    if a.expect_fail:
        f.quit()
        return 1
    if a.tls:
        print("tls: %s %s" % (f.sock.version(), f.sock.cipher()[0]))
        print(f.prot_p())
    print(f.sendcmd("SYST"))
    print(f.pwd())
    if a.list:
        lines = []
        print(f.retrlines("LIST", lines.append))
        print("listing: %d lines" % len(lines))
    if a.retr:
        data = []
        print(f.retrbinary("RETR " + a.retr, data.append))
        print("retrieved: %d bytes" % sum(map(len, data)))
    print(f.quit())
    return 0


def http_keepalive(a):
    """Three requests on ONE connection (HTTP/1.1 keep-alive): a public
    page, the protected page without credentials (401), and the protected
    page again with Basic credentials (200)."""
    c = http.client.HTTPConnection(a.host, a.port, timeout=10,
                                   source_address=(a.source, 0))
    c.set_debuglevel(1)
    token = base64.b64encode(("%s:%s" % (a.user, a.password)).encode()).decode()
    steps = [("/public/", {}), ("/private/", {}),
             ("/private/", {"Authorization": "Basic " + token})]
    socks = set()
    for path, hdrs in steps:
        hdrs = dict(hdrs, **{"User-Agent": "credleak-test/1"})
        c.request("GET", path, headers=hdrs)
        socks.add(c.sock.getsockname())
        r = c.getresponse()
        body = r.read()
        print("GET %s -> %d %s (%d bytes)" % (path, r.status, r.reason, len(body)))
    c.close()
    # One socket for all three requests: the connection was kept alive.
    print("connections used: %d" % len(socks))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("smtp-login")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--source", default="127.0.0.1")
    s.add_argument("--user", required=True)
    s.add_argument("--password", required=True)
    s.add_argument("--mech", default="LOGIN")
    s.add_argument("--rcpt", default="bob@example.test")
    s.add_argument("--subject", default="smtplib test")
    s.add_argument("--starttls", action="store_true")
    s.set_defaults(func=smtp_login)

    p = sub.add_parser("pop3")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--source", default="127.0.0.1")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--capa", action="store_true")
    p.add_argument("--stls", action="store_true")
    p.add_argument("--apop", action="store_true")
    p.add_argument("--expect-fail", action="store_true")
    p.set_defaults(func=pop3)

    i = sub.add_parser("imap")
    i.add_argument("--host", default="127.0.0.1")
    i.add_argument("--port", type=int, required=True)
    i.add_argument("--source", default="127.0.0.1")
    i.add_argument("--user", required=True)
    i.add_argument("--password", required=True)
    i.add_argument("--mech", choices=("LOGIN", "PLAIN"), default="LOGIN")
    i.add_argument("--starttls", action="store_true")
    i.add_argument("--expect-fail", action="store_true")
    i.set_defaults(func=imap)

    f = sub.add_parser("ftp")
    f.add_argument("--host", default="127.0.0.1")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--source", default="127.0.0.1")
    f.add_argument("--user", required=True)
    f.add_argument("--password", required=True)
    f.add_argument("--feat", action="store_true")
    f.add_argument("--tls", action="store_true")
    f.add_argument("--list", action="store_true")
    f.add_argument("--retr")
    f.add_argument("--expect-fail", action="store_true")
    f.set_defaults(func=ftp)

    h = sub.add_parser("http-keepalive")
    h.add_argument("--host", default="127.0.0.1")
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--source", default="127.0.0.1")
    h.add_argument("--user", required=True)
    h.add_argument("--password", required=True)
    h.set_defaults(func=http_keepalive)

    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
