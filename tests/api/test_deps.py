"""A NUL in a path or query parameter is a 1201 naming that parameter, on SQLite and on PostgreSQL (which
cannot compare text holding one and used to answer 500)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kinema.accounts import create_api_key
from kinema.api.app import create_app
from kinema.runtime import Runtime
from tests.support.db import BACKENDS, runtime

I2V = "/kling/v1/videos/image2video"


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param)


def _get(rt: Runtime, path: str) -> httpx.Response:
    key = create_api_key(rt.db, "nul-in-url").api_key

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(rt.settings, rt), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, headers={"Authorization": f"Bearer {key}"})

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"{I2V}/123%00456", "task_id"),
        (f"{I2V}?external_task_id=ext%00id", "external_task_id"),
        (f"{I2V}/12%0034/queue", "task_id"),
        ("/kling/v1/audio/tts/9%00", "task_id"),
    ],
)
def test_nul_in_the_url_is_refused_naming_the_parameter(rt: Runtime, path: str, name: str) -> None:
    r = _get(rt, path)
    body = r.json()
    assert r.status_code == 400 and body["code"] == 1201, body
    assert body["message"].startswith(f"{name}: must not contain NUL"), body


def test_clean_urls_are_untouched(rt: Runtime) -> None:
    r = _get(rt, f"{I2V}/123456")
    assert r.status_code == 404 and r.json()["code"] == 1203
