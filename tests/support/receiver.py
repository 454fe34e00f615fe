"""A callback receiver on 127.0.0.1 (http.server in a thread) that records each POST with its arrival time
and answers from a script of status codes (the last one repeats); ``delay_s`` makes it slow."""

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
    hits: list[Hit] = field(default_factory=list)
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
                if rec.delay_s:
                    time.sleep(rec.delay_s)
                code = rec.statuses[min(n, len(rec.statuses)) - 1]
                try:
                    self.send_response(code)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the sender timed out and hung up: that is the point of a slow receiver
                    pass

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
