"""Media inputs by URL (downloaded once, checked by content) and the server-side request forgery guard."""

from __future__ import annotations

import base64
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.media import png_b64
from tests.api.server import Server, start_server

BASE = "/kling/v1/videos/image2video"


@pytest.fixture(scope="module")
def media_host() -> Iterator[str]:
    png = base64.b64decode(png_b64())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/img.jpg"):  # a PNG behind a .jpg name: content decides
                self.send_response(200)
                self.send_header("content-type", "image/jpeg")
                self.end_headers()
                self.wfile.write(png)
            elif self.path.startswith("/text.png"):
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"this is not an image" * 10)
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_url_input_is_fetched_and_sniffed(server: Server, media_host: str) -> None:
    with server.client() as c:
        ok = c.post(BASE, json={"image": f"{media_host}/img.jpg"})
        assert ok.json()["code"] == 0, ok.json()
        bad = c.post(BASE, json={"image": f"{media_host}/text.png"})
        assert bad.status_code == 400 and bad.json()["code"] == 1201 and "image" in bad.json()["message"]
        missing = c.post(BASE, json={"image": f"{media_host}/nope.png"})
        assert missing.status_code == 400 and "image" in missing.json()["message"]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(
        Path(tmp_path_factory.mktemp("guarded")), api_only=True
    )  # default: private URLs refused
    yield srv
    srv.stop()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/a.png",
        "http://[::1]/a.png",
        "ftp://127.0.0.1/a.png",
    ],
)
def test_private_and_non_http_urls_are_refused(guarded: Server, url: str) -> None:
    with guarded.client() as c:
        r = c.post(BASE, json={"image": url})
    assert r.status_code == 400 and r.json()["code"] == 1201 and "image" in r.json()["message"]


def test_data_uri_prefix_accepted_unless_strict(guarded: Server) -> None:
    with guarded.client() as c:
        r = c.post(BASE, json={"image": "data:image/png;base64," + png_b64()})
    assert r.json()["code"] == 0
