"""``sound`` on image to video over HTTP with real workers (issue 14, item 5): kling-v2-6 pro with
``sound: "on"`` gives a video whose MP4 carries an AAC track as long as the clip (made through the SDK and
downloaded; its watermarked copy carries the same track), usable as ``video_id``; ``sound: "off"`` gives a
silent one."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import av
import httpx

from kinema.engines.video_to_audio.master import loudness
from kinema.media.audio_io import decode_audio
from tests.api.media import png_b64
from tests.api.server import Server, wait_for

I2V = "/kling/v1/videos/image2video"
V2A = "/v1/audio/video-to-audio"


def _probe(data: bytes) -> dict[str, Any]:
    """Streams of a downloaded MP4, and the loudness of its decoded sound."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.mp4"
        path.write_bytes(data)
        with av.open(str(path)) as c:
            video = c.streams.video[0]
            audio = next((s for s in c.streams if s.type == "audio"), None)
            info: dict[str, Any] = {"video_s": float(video.duration * video.time_base), "audio": None}
            if audio is not None:
                info["audio"] = (audio.codec_context.name, float(audio.duration * audio.time_base))
        if info["audio"] is not None:
            info["lufs"] = loudness(decode_audio(path, 48_000, mono=False), 48_000)
    return info


def _audio_packets(data: bytes) -> list[bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.mp4"
        path.write_bytes(data)
        with av.open(str(path)) as c:
            return [bytes(p) for p in c.demux(audio=0) if p.size] if c.streams.audio else []


def _silent_task(c: httpx.Client) -> dict[str, Any]:
    body = {"model_name": "kling-v2-6", "mode": "pro", "image": png_b64(400, 300), "sound": "off"}
    created = c.post(I2V, json={**body, "prompt": "rain"}).json()
    assert created["code"] == 0, created
    done = wait_for(c, f"{I2V}/{created['data']['task_id']}", timeout=240)
    assert done["task_status"] == "succeed", done["task_status_msg"]
    return done


def test_sound_on_carries_an_aac_track_and_sound_off_none(server: Server, tmp_path: Path) -> None:
    from kinema.client import Client

    with Client(server.base, api_key=server.key) as k:
        made = k.image2video.create(
            png_b64(400, 300),
            model_name="kling-v2-6",
            mode="pro",
            duration=5,
            sound="on",
            prompt="waves crash on the beach",
            watermark_info={"enabled": True},
        )
        done = k.image2video.wait(made.task_id, timeout=240)
        assert done.status == "succeed", done.message
        (video,) = done.videos
        assert float(video.duration) == 5.0 and video.watermark_url
        loud_bytes = k.download(video, tmp_path / "loud.mp4").read_bytes()
        marked_bytes = k.download(video.watermark_url, tmp_path / "marked.mp4").read_bytes()
    loud = _probe(loud_bytes)
    assert loud["audio"] is not None and loud["audio"][0] == "aac"
    assert abs(loud["audio"][1] - loud["video_s"]) <= 1024 / 48_000 and loud["video_s"] == 5.0
    assert abs(loud["lufs"] + 16.0) <= 2.0
    # the watermarked copy carries the same soundtrack, packet for packet
    assert _audio_packets(marked_bytes) == _audio_packets(loud_bytes) != []

    with server.client() as c:
        silent = _silent_task(c)["task_result"]["videos"][0]
        quiet = _probe(c.get(silent["url"]).content)
        assert quiet["audio"] is None and float(silent["duration"]) == 5.0

        # the scored clip is a kinema video like any other: video to audio takes it by id
        again = c.post(V2A, json={"video_id": video.id, "bgm_prompt": "calm piano"}).json()
        assert again["code"] == 0, again
        rescored = wait_for(c, f"{V2A}/{again['data']['task_id']}", timeout=180)
        assert rescored["task_status"] == "succeed", rescored["task_status_msg"]
