#!/usr/bin/env python3
"""Clients for the scenarios of make-pcaps.sh that swaks and curl do not cover.

Each subcommand drives one real server (Postfix or Dovecot, started by
make-pcaps.sh on 127.0.0.1) with Python's own smtplib or poplib, prints
the transcript (protocol debug output) to stdout, and exits 0 only when the
server answered the way the scenario needs (the caller checks again).

Standard library only.  Never connects anywhere but the host and port given,
and make-pcaps.sh gives only 127.0.0.1.
"""

import argparse
import email.message
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

    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
