"""The playground's routes (``kinema.api.routes.playground``): the page and every module it imports are
served from the package, the description carries the development key to loopback callers only, and none of
it enters the OpenAPI document."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kinema.accounts.devkey import ensure_dev_key
from kinema.api.app import create_app
from kinema.api.routes.playground import DESCRIPTION_PATH
from kinema.contract.kinds import KINDS
from kinema.runtime import Runtime
from tests.support.db import runtime


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, "sqlite")


@pytest.fixture
def app(rt: Runtime) -> FastAPI:
    return create_app(rt.settings, rt)


def _get(app: FastAPI, path: str, client: str = "127.0.0.1", **headers: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(client, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            return await http.get(path, headers=headers)

    return asyncio.run(go())


def test_the_page_and_every_module_it_imports_are_served(app: FastAPI) -> None:
    page = _get(app, "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    pending = re.findall(r'(?:src|href)="(/playground/static/[^"]+)"', page.text)
    assert "/playground/static/main.js" in pending
    seen: set[str] = set()
    while pending:  # follow the ES module graph: a file missing from the package fails here
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        reply = _get(app, path)
        assert reply.status_code == 200, path
        folder = path.rsplit("/", 1)[0]
        pending += [f"{folder}/{name}" for name in re.findall(r'from "\./([\w.]+)"', reply.text)]
    assert {"/playground/static/form.js", "/playground/static/style.css"} <= seen


def test_the_description_lists_every_kind_of_the_kind_table(app: FastAPI) -> None:
    body = _get(app, DESCRIPTION_PATH).json()
    assert body["code"] == 0
    assert [k["kind"] for k in body["data"]["kinds"]] == [str(k) for k in KINDS]


def test_the_dev_key_goes_to_loopback_callers_only(rt: Runtime, app: FastAPI) -> None:
    assert _get(app, DESCRIPTION_PATH).json()["data"]["dev_key"] is None  # kinema serve never ran here
    key = ensure_dev_key(rt)
    local = _get(app, DESCRIPTION_PATH)
    assert local.json()["data"]["dev_key"] == key
    assert local.headers["cache-control"] == "no-store"
    assert _get(app, DESCRIPTION_PATH, client="::1").json()["data"]["dev_key"] == key
    assert _get(app, DESCRIPTION_PATH, client="203.0.113.7").json()["data"]["dev_key"] is None
    # a reverse proxy on this machine makes every visitor's peer 127.0.0.1: its headers give it away
    proxied = _get(app, DESCRIPTION_PATH, **{"X-Forwarded-For": "203.0.113.7"})
    assert proxied.json()["data"]["dev_key"] is None
    assert _get(app, DESCRIPTION_PATH, Forwarded="for=203.0.113.7").json()["data"]["dev_key"] is None
    assert _get(app, DESCRIPTION_PATH, Host="localhost:8000").json()["data"]["dev_key"] == key
    # DNS rebinding: a foreign name that resolves to 127.0.0.1 gets no key, though the peer is loopback
    assert _get(app, DESCRIPTION_PATH, Host="rebound.example:8000").json()["data"]["dev_key"] is None


def test_the_playground_stays_out_of_the_openapi_document(app: FastAPI) -> None:
    paths = _get(app, "/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/playground") for p in paths)


def test_an_unknown_static_file_is_a_404(app: FastAPI) -> None:
    assert _get(app, "/playground/static/nope.js").status_code == 404
