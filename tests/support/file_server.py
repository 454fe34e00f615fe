"""A file server on 127.0.0.1 for URL inputs in tests: serves ``files`` by path, records what it was sent."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class FileServer:
    """``base`` is ``http://127.0.0.1:<port>``; ``files`` may be changed while it runs (path → body);
    ``authorization`` collects the ``Authorization`` header of every request (empty when absent)."""

    base: str
    files: dict[str, bytes]
    authorization: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        """``127.0.0.1:<port>``, for tests that build URLs with credentials in them."""
        return self.base.removeprefix("http://")


@contextmanager
def serve_files(
    files: dict[str, bytes], content_type: str = "application/octet-stream"
) -> Iterator[FileServer]:
    """Serve ``files`` (a missing path answers 404) until the block ends."""
    server = FileServer(base="", files=files)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.authorization.append(self.headers.get("authorization", ""))
            body = server.files.get(self.path.partition("?")[0].strip("/"), b"")
            self.send_response(200 if body else 404)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    server.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
