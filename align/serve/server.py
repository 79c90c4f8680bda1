"""`App` behind the standard library's threading HTTP server (no new dependency), with
the security headers every answer carries."""

from __future__ import annotations

import logging
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from align.serve.app import CSP, MAX_BODY, App

log = logging.getLogger("align")
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
           "Cache-Control": "no-store", "Cross-Origin-Opener-Policy": "same-origin",
           "Cross-Origin-Resource-Policy": "same-origin"}


class _IPv6Server(ThreadingHTTPServer):
    """The same server on an IPv6 address (``--host ::1``)."""

    address_family = socket.AF_INET6


def make_server(app: App, host: str = "127.0.0.1", port: int = 8765) -> ThreadingHTTPServer:
    """A server of ``app`` on ``host:port`` (port 0: a free one), not started yet."""

    class Handler(BaseHTTPRequestHandler):
        def version_string(self) -> str:
            return "align-serve"

        def do_GET(self) -> None:
            self._answer(b"")

        def do_POST(self) -> None:
            given = self.headers.get("Content-Length") or "0"
            if not given.isascii() or not given.isdigit():
                self.send_error(400, "Content-Length is not a number")
                return
            length = int(given)
            if length > MAX_BODY:
                self.send_error(413)
                return
            self._answer(self.rfile.read(length))

        def do_PUT(self) -> None:
            self._answer(b"")

        do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_PUT

        def _answer(self, body: bytes) -> None:
            try:
                response = app.handle(self.command, self.path, dict(self.headers.items()), body)
            except Exception:  # a bug must not leave the browser waiting: log it, answer 500
                log.exception("align serve: %s %s failed", self.command, self.path)
                response = app.failure()
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in {**HEADERS, "Content-Security-Policy": CSP, **response.headers}.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def log_message(self, format: str, *args) -> None:
            log.debug("%s %s", self.address_string(), format % args)

    server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
    server = server_class((host, port), Handler)
    server.daemon_threads = True
    app.set_address(host, server.server_address[1])
    return server
