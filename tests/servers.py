"""Tiny loopback servers that receive what kpidesign delivers (tests never call outside)."""

from __future__ import annotations

import http.server
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypedDict

# One message the SMTP server received: the envelope's sender and recipients (as the client wrote them) and the body.
Mail = TypedDict("Mail", {"from": str, "to": list[str], "data": str})


@contextmanager
def webhook(delay: float = 0.0) -> Iterator[tuple[str, list[bytes]]]:
    """An HTTP server on 127.0.0.1 recording POST bodies, answering each `delay` seconds after it came (a slow Slack);
    yields (url, bodies)."""
    bodies: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            time.sleep(delay)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def smtp() -> Iterator[tuple[int, list[Mail]]]:
    """A minimal SMTP server on 127.0.0.1 (no TLS) recording messages; yields (port, messages)."""
    messages: list[Mail] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 localhost test smtp\r\n")
            sender = ""
            recipients: list[str] = []
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                command = line.decode("utf-8", "replace").strip()
                upper = command.upper()
                if upper.startswith(("EHLO", "HELO")):
                    self.wfile.write(b"250 localhost\r\n")
                elif upper.startswith("MAIL FROM"):
                    sender = command[10:]
                    self.wfile.write(b"250 ok\r\n")
                elif upper.startswith("RCPT TO"):
                    recipients.append(command[8:])
                    self.wfile.write(b"250 ok\r\n")
                elif upper == "DATA":
                    self.wfile.write(b"354 go ahead\r\n")
                    data: list[bytes] = []
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data.append(chunk)
                    messages.append({"from": sender, "to": recipients, "data": b"".join(data).decode("utf-8", "replace")})
                    sender, recipients = "", []
                    self.wfile.write(b"250 queued\r\n")
                elif upper == "QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], messages
    finally:
        server.shutdown()
        server.server_close()
