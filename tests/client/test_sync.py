"""The SDK against a running server: TTS → avatar by audio_id, JWT auth, errors, find/list/cancel, async."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kinema.client import ApiError, AsyncClient, Client
from tests.api.media import png_b64
from tests.api.server import Server


def test_sync_flow_with_api_key(server: Server, tmp_path: Path) -> None:
    with Client(server.base, api_key=server.key) as k:
        speech = k.tts("The software development kit works.", voice_id="AOT", language="en")
        assert speech.status == "succeed" and speech.audio_id
        mp3 = k.download(speech.audios[0]["url"], tmp_path / "s.mp3")
        assert mp3.stat().st_size > 1000
        img = tmp_path / "still.png"
        import base64

        img.write_bytes(base64.b64decode(png_b64(480, 320)))
        task = k.image2video.create(img, prompt="slow zoom in", duration=5, external_task_id="sdk-1")
        assert task.status == "submitted"
        assert k.image2video.find("sdk-1").task_id == task.task_id
        assert any(t.task_id == task.task_id for t in k.image2video.list(page_size=50))
        done = k.image2video.wait(task.task_id, timeout=240, poll=0.5)
        assert done.status == "succeed", done.message
        assert float(done.videos[0]["duration"]) == pytest.approx(5.0, abs=0.05)


def test_errors_carry_code_and_request_id(server: Server) -> None:
    with Client(server.base, api_key=server.key, prefix="/v1") as k:
        with pytest.raises(ApiError) as info:
            k.tts("", voice_id="AOT")
        assert info.value.code == 1201 and info.value.status == 400 and info.value.request_id
    with Client(server.base, api_key="sk-wrong") as k, pytest.raises(ApiError) as info:
        k.avatar.list()
    assert info.value.code == 1000 and info.value.status == 401


def test_jwt_auth_and_cancel(server: Server) -> None:
    ak, sk = server.new_aksk("sdk-jwt")
    with Client(server.base, access_key=ak, secret_key=sk) as k:
        task = k.image2video.create(png_b64(400, 400), prompt="pan left")
        view = k.image2video.queue(task.task_id)
        assert set(view) == {"depth", "running", "position"} and view["position"] >= 0
        assert k.image2video.callbacks(task.task_id) == []  # no callback_url given
        cancelled = k.image2video.cancel(task.task_id)
        assert cancelled.task_id == task.task_id
        final = k.image2video.wait(task.task_id, timeout=120, poll=0.3)
        assert final.done


def test_async_client(server: Server) -> None:
    async def run() -> None:
        async with AsyncClient(server.base, api_key=server.key) as k:
            speech, listed = await asyncio.gather(k.tts("Async works too.", voice_id="AOT"), k.avatar.list())
            assert speech.status == "succeed" and isinstance(listed, list)

    asyncio.run(run())
