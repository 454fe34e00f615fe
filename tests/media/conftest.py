"""A throw-away HTTP server on 127.0.0.1 that serves the fetch tests' scenarios."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest


class _Handler(BaseHTTPRequestHandler):
    """Routes: /file/<name> (registered bodies), /endless, /liar, /slow, /status/<n>, /redirect/<n>,
    /to?url=<location>. ``files`` is filled by the tests."""

    files: ClassVar[dict[str, bytes]] = {}
    seen_hosts: ClassVar[list[str]] = []
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # silence the test output
        return

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.seen_hosts.append(self.headers.get("Host", ""))
        path, _, query = self.path.partition("?")
        parts = path.strip("/").split("/")
        try:
            if parts[0] == "file" and parts[1] in self.files:
                self._send(200, self.files[parts[1]])
            elif parts[0] == "endless":
                # No Content-Length: the client can only stop by counting.
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"\0" * 65536
                for _ in range(10_000):
                    self.wfile.write(chunk)
            elif parts[0] == "liar":
                self.send_response(200)
                self.send_header("Content-Length", str(10**12))
                self.end_headers()
                self.wfile.write(b"x" * 100)
            elif parts[0] == "slow":
                time.sleep(3)
                self._send(200, b"late")
            elif parts[0] == "status":
                self._send(int(parts[1]), b"nope")
            elif parts[0] == "redirect":
                n = int(parts[1])
                target = f"/redirect/{n - 1}" if n > 1 else "/file/" + next(iter(self.files), "none")
                self._send(302, headers={"Location": target})
            elif parts[0] == "to":
                self._send(302, headers={"Location": query.removeprefix("url=")})
            else:
                self._send(404)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture()
def http_server() -> Iterator[str]:
    """Base URL of the server; ``_Handler.files`` is reset for each test."""
    _Handler.files.clear()
    _Handler.seen_hosts.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def served_files() -> dict[str, bytes]:
    return _Handler.files


@pytest.fixture()
def seen_hosts() -> list[str]:
    return _Handler.seen_hosts
