"""The asyncio client against a running server: the same calls, awaited, returning the same models."""

from __future__ import annotations

import asyncio

import pytest

from kinema.client import AsyncClient, InvalidRequestError, NotFoundError, TtsTask, VideoTask
from kinema.contract.responses import QueueView
from tests.api.media import png_b64
from tests.api.server import Server


def test_async_client(server: Server) -> None:
    async def run() -> None:
        async with AsyncClient(server.base, api_key=server.key) as k:
            speech, listed = await asyncio.gather(k.tts("Async works too.", voice_id="AOT"), k.avatar.list())
            assert isinstance(speech, TtsTask) and speech.status == "succeed" and isinstance(listed, list)
            task = await k.image2video.create(png_b64(400, 400), prompt="tilt up", external_task_id="aio-1")
            assert isinstance(task, VideoTask)
            assert (await k.image2video.find("aio-1")).task_id == task.task_id
            assert isinstance(await k.image2video.queue(task.task_id), QueueView)
            assert isinstance(await k.queue(), QueueView)
            assert await k.image2video.callbacks(task.task_id) == []
            await k.image2video.cancel(task.task_id)
            final = await k.image2video.wait(task.task_id, timeout=120, poll=0.3)
            assert final.is_terminal and final.task_id == task.task_id
            with pytest.raises(NotFoundError):
                await k.video_to_audio.get("999999999999")
            with pytest.raises(InvalidRequestError, match="exactly one of video_id and video_url"):
                await k.video_to_audio.create(bgm_prompt="jazz")

    asyncio.run(run())
