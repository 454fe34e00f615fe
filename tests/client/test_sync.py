"""The blocking client against a running server: TTS, image to video by a local file through to the
result, JWT auth, find/list/cancel/queue/callbacks, all returning the contract's models."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from kinema.client import Client, TtsTask, VideoTask
from kinema.contract.responses import QueueView
from kinema.contract.vocabulary import TaskStatus
from tests.api.media import png_b64, portrait_b64
from tests.api.server import Server


def test_sync_flow_with_api_key(server: Server, tmp_path: Path) -> None:
    with Client(server.base, api_key=server.key) as k:
        speech = k.tts("The software development kit works.", voice_id="AOT", voice_language="en")
        assert isinstance(speech, TtsTask) and speech.status == "succeed" and speech.audio_id
        assert speech.request_id and speech.data["task_id"] == speech.task_id
        mp3 = k.download(speech.audios[0], tmp_path / "s.mp3")
        assert mp3.stat().st_size > 1000
        img = tmp_path / "still.png"
        img.write_bytes(base64.b64decode(png_b64(480, 320)))
        task = k.image2video.create(img, prompt="slow zoom in", duration=5, external_task_id="sdk-1")
        assert isinstance(task, VideoTask) and task.status is TaskStatus.SUBMITTED
        assert task.task_info.external_task_id == "sdk-1"
        assert k.image2video.find("sdk-1").task_id == task.task_id
        assert k.image2video.get("sdk-1").task_id == task.task_id  # kinema also takes the external id
        assert any(t.task_id == task.task_id for t in k.image2video.list(page_size=50))
        seen: list[int] = []
        done = k.image2video.wait(
            task.task_id, timeout=240, poll=0.5, on_progress=lambda t: seen.append(t.progress)
        )
        assert done.status == "succeed", done.message
        assert seen == sorted(seen) and seen[-1] == 100
        assert float(done.videos[0].duration) == pytest.approx(5.0, abs=0.05)
        assert done.urls == [done.videos[0].url]
        assert k.download(done.videos[0].url, tmp_path / "v.mp4").read_bytes()[4:8] == b"ftyp"


def test_the_readme_example(server: Server, tmp_path: Path) -> None:
    """README "Python SDK": speech by TTS, a portrait from a local file, the avatar by audio_id."""
    face = tmp_path / "face.jpg"
    face.write_bytes(base64.b64decode(portrait_b64(512)))
    progress: list[int] = []
    with Client(server.base, api_key=server.key) as k:
        speech = k.tts(
            "Hello there, and welcome to kinema, your own video studio.",
            voice_id="oversea_male1",
            voice_language="en",
        )
        task = k.avatar.create(str(face), audio_id=speech.audio_id, prompt="smile")
        done = k.avatar.wait(
            task.task_id, timeout=240, poll=0.5, on_progress=lambda t: progress.append(t.progress)
        )
        assert done.status == "succeed", done.message
        talk = k.download(done.videos[0], tmp_path / "talk.mp4")
    assert talk.read_bytes()[4:8] == b"ftyp" and progress[-1] == 100


def test_old_tts_keywords_still_work(server: Server) -> None:
    with Client(server.base, api_key=server.key) as k, pytest.warns(DeprecationWarning):
        speech = k.tts("Old names.", voice_id="AOT", language="en", speed=1.2)
    assert speech.status == "succeed"


def test_jwt_auth_cancel_queue_and_callbacks(server: Server) -> None:
    ak, sk = server.new_aksk("sdk-jwt")
    with Client(server.base, access_key=ak, secret_key=sk, prefix="/v1") as k:
        task = k.image2video.create(png_b64(400, 400), prompt="pan left")
        view = k.image2video.queue(task.task_id)
        assert isinstance(view, QueueView) and view.position >= 0
        assert isinstance(k.queue(), QueueView)
        assert k.image2video.callbacks(task.task_id) == []  # no callback_url given
        cancelled = k.image2video.cancel(task.task_id)
        assert cancelled.task_id == task.task_id
        final = k.image2video.wait(task.task_id, timeout=120, poll=0.3)
        assert final.is_terminal
