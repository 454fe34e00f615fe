"""An exception no handler took still gets the envelope and the request id: 5001 (HTTP 503) for a full disk,
5000 otherwise, and never the exception's own text."""

from __future__ import annotations

import asyncio
import errno

import httpx
from fastapi import FastAPI

from kinema.api.middleware import RequestIdMiddleware


def _app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)

    @app.get("/full")
    def full() -> None:
        try:
            raise OSError(errno.ENOSPC, "No space left on device", "/srv/kinema-data/blobs/secret-path")
        except OSError as exc:
            raise RuntimeError("could not store the input") from exc

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("internal detail /srv/kinema-data")

    return app


def _get(path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)

    return asyncio.run(go())


def test_full_disk_is_5001_with_a_message() -> None:
    r = _get("/full")
    body = r.json()
    assert r.status_code == 503 and body["code"] == 5001
    assert body["message"].startswith("no space left on device")
    assert "/srv" not in body["message"] and body["request_id"] == r.headers["x-request-id"]


def test_other_errors_are_5000_without_internal_text() -> None:
    r = _get("/broken")
    assert r.status_code == 500 and r.json()["code"] == 5000
    assert r.json()["message"] == "internal server error"


def test_route_template_names_the_route_not_the_ids() -> None:
    from kinema.api.middleware import route_template

    scope = {"path": "/v1/videos/image2video/8123", "route": object(), "path_params": {"task_id": "8123"}}
    assert route_template(scope) == "/v1/videos/image2video/{task_id}"
    files = {"path": "/files/acc/t1/a.mp4", "route": object(), "path_params": {"key": "acc/t1/a.mp4"}}
    assert route_template(files) == "/files/{key}"
    assert route_template({"path": "/nowhere/123"}) == "unmatched"
