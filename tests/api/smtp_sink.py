#!/usr/bin/python3
"""smtp_sink.py — the loopback SMTP server of the test and demo stacks.

A real SMTP server (Debian's python3-aiosmtpd) that accepts every message
and stores it, exactly as received, as one file per message under --dir
(written to a temporary name and renamed, so a reader never sees half a
message). The envelope goes in front as two headers, X-Envelope-From and
X-Envelope-To, so tests can tell who the server was asked to deliver to.

Recipients whose local part starts with "tempfail" are refused with 451
(a temporary failure: the deliver job retries) and those starting with
"permfail" with 550 (permanent), so tests can walk the retry policy.

    smtp_sink.py --port PORT --dir DIR [--host 127.0.0.1] [--pidfile FILE]

Runs until SIGTERM/SIGINT.
"""
import argparse
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("tempfail"):
            return "451 4.3.0 Temporary failure (test sink)"
        if local.startswith("permfail"):
            return "550 5.1.1 No such user (test sink)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        name = "%d-%06d-%d.eml" % (time.time_ns(), n, os.getpid())
        head = "X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (
            envelope.mail_from, ", ".join(envelope.rcpt_tos))
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(head.encode("ascii", "replace") + data)
        os.rename(tmp, os.path.join(self.directory, name))
        return "250 2.0.0 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--pidfile")
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    # decode_data=False keeps the bytes as sent (8BITMIME, base64 parts).
    c = Controller(Sink(a.dir), hostname=a.host, port=a.port, decode_data=False,
                   enable_SMTPUTF8=True, data_size_limit=10 * 1024 * 1024)
    c.start()
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(1.0):
        pass
    c.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
