"""A callback receiver on 127.0.0.1 that records every POST (headers + raw body)."""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    calls: list[Received] = field(default_factory=list)
    fail_first: int = 0
    _server: http.server.ThreadingHTTPServer | None = None

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()


def start_receiver(fail_first: int = 0) -> Receiver:
    rec = Receiver(url="", fail_first=fail_first)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            with lock:
                rec.calls.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                failing = len(rec.calls) <= rec.fail_first
            self.send_response(500 if failing else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    rec._server = server
    return rec
