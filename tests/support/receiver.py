"""A callback receiver on 127.0.0.1 (http.server in a thread) that records each POST with its arrival time
and answers from a script of status codes (the last one repeats). ``delay_s`` makes it slow, ``trickle_s``
makes it send its reply one byte per ``trickle_s`` (for at most ten seconds), ``headers`` are added to every
reply (e.g. a ``location`` for a redirect)."""

from __future__ import annotations

import http.server
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Hit:
    at: float
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=lambda: [200])
    delay_s: float = 0.0
    trickle_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    active: int = 0  # requests being answered now
    peak: int = 0  # the most answered at once
    url: str = ""
    _server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        rec = self
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with lock:
                    rec.hits.append(
                        Hit(time.monotonic(), {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    n = len(rec.hits)
                    rec.active += 1
                    rec.peak = max(rec.peak, rec.active)
                try:
                    self._answer(n)
                finally:
                    with lock:
                        rec.active -= 1

            def _answer(self, n: int) -> None:
                if rec.delay_s:
                    time.sleep(rec.delay_s)
                code = rec.statuses[min(n, len(rec.statuses)) - 1]
                try:
                    if rec.trickle_s:
                        self._trickle(code)
                        return
                    self.send_response(code)
                    for name, value in rec.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the sender timed out and hung up: that is the point of a slow receiver
                    pass

            def _trickle(self, code: int) -> None:
                self.wfile.write(f"HTTP/1.1 {code} OK\r\nx-slow: ".encode())
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    time.sleep(rec.trickle_s)
                    self.wfile.write(b"z")

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
