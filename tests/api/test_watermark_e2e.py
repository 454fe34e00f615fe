"""Over HTTP with real workers: ``watermark_info.enabled`` gives every video a downloadable marked copy
(``watermark_url``), and fields the engine cannot honour are listed in ``task_info.unsupported_fields``."""

from __future__ import annotations

import base64
import io
import tempfile
import uuid
from pathlib import Path

import av
import numpy as np
from PIL import Image

from kinema.client import Client, VideoTask
from kinema.media.watermark import WatermarkStyle, make_overlay
from tests.api.media import portrait_b64, wav_bytes
from tests.api.server import Server, wait_for
from tests.engines.image2video.helpers import textured

I2V = "/v1/videos/image2video"
AVATAR = "/kling/v1/videos/avatar/image2video"


def _png(width: int, height: int) -> str:
    buf = io.BytesIO()
    Image.fromarray(textured(width, height)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def _decode(data: bytes) -> tuple[list[np.ndarray], list[bytes], float]:
    """Frames (RGB), audio packets (bytes) and the container's duration in seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.mp4"
        path.write_bytes(data)
        with av.open(str(path)) as c:
            audio = [bytes(p) for p in c.demux(audio=0) if p.size] if c.streams.audio else []
        with av.open(str(path)) as c:
            frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
            seconds = float(c.duration or 0) / av.time_base
    return frames, audio, seconds


def _mark_and_rest(original: list[np.ndarray], marked: list[np.ndarray]) -> tuple[float, float, float]:
    """Mean absolute difference inside the default mark's box (bottom-right, as the server's default
    settings place it), outside it, and the PSNR outside it (dB)."""
    assert len(original) == len(marked) and original[0].shape == marked[0].shape
    h, w = original[0].shape[:2]
    x0, y0, x1, y1 = make_overlay(w, h, WatermarkStyle()).box
    assert x1 > w * 0.7 and y1 > h * 0.7  # bottom-right
    box = np.zeros((h, w), bool)
    box[y0:y1, x0:x1] = True
    inside, outside, squares = [], [], []
    for a, b in zip(original, marked, strict=True):
        d = a.astype(np.float64) - b.astype(np.float64)
        inside.append(np.abs(d[box]).mean())
        outside.append(np.abs(d[~box]).mean())
        squares.append((d[~box] ** 2).mean())
    psnr = 10 * np.log10(255**2 / max(float(np.mean(squares)), 1e-9))
    return float(np.mean(inside)), float(np.mean(outside)), psnr


def test_image2video_watermark_url_and_voice_list_reported(server: Server) -> None:
    ext = f"wm-{uuid.uuid4().hex[:8]}"
    body = {
        "model_name": "kling-v2-6",
        "mode": "pro",
        "image": _png(480, 320),
        "prompt": "gentle breeze",
        "voice_list": [{"voice_id": "829824295735410756"}],
        "watermark_info": {"enabled": True},
        "external_task_id": ext,
    }
    with server.client() as c:
        created = c.post(I2V, json=body).json()
        assert created["code"] == 0, created
        assert created["data"]["task_info"]["unsupported_fields"] == ["voice_list"]
        listed = c.get(I2V, params={"external_task_id": ext}).json()["data"]
        assert listed["task_info"]["unsupported_fields"] == ["voice_list"]
        done = wait_for(c, f"{I2V}/{created['data']['task_id']}", timeout=240)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        assert done["task_info"] == {"external_task_id": ext, "unsupported_fields": ["voice_list"]}
        assert done["watermark_info"] == {"enabled": True}
        (video,) = done["task_result"]["videos"]
        assert list(video) == ["id", "url", "watermark_url", "duration"]
        plain, marked = c.get(video["url"]), c.get(video["watermark_url"])
        assert plain.status_code == marked.status_code == 200
        assert marked.headers["content-type"] == "video/mp4" and marked.content != plain.content
    original, _, seconds = _decode(plain.content)
    copy, _, copy_seconds = _decode(marked.content)
    assert len(copy) == len(original) == 5 * 24 and abs(copy_seconds - seconds) < 0.05
    inside, outside, psnr = _mark_and_rest(original, copy)
    assert inside > 20 and inside > 5 * outside and psnr > 33, (inside, outside, psnr)

    with Client(server.base, api_key=server.key) as k:  # the SDK's typed task has both
        task = k.image2video.get(ext)
        assert isinstance(task, VideoTask)
        assert task.task_result.videos and task.task_result.videos[0].watermark_url
        # signed afresh per reply (a new expiry), the same file
        assert task.task_result.videos[0].watermark_url.split("?")[0] == video["watermark_url"].split("?")[0]
        assert task.task_info.unsupported_fields == ["voice_list"]


def test_no_watermark_url_unless_enabled_and_element_list_reported(server: Server) -> None:
    body = {
        "model_name": "kling-v3",
        "duration": "3",
        "image": _png(400, 300),
        "element_list": [{"element_id": 1}],
    }
    with server.client() as c:
        created = c.post(I2V, json={**body, "watermark_info": {"enabled": False}}).json()
        assert created["code"] == 0, created
        assert created["data"]["task_info"]["unsupported_fields"] == ["element_list"]
        done = wait_for(c, f"{I2V}/{created['data']['task_id']}", timeout=240)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        assert list(done["task_result"]["videos"][0]) == ["id", "url", "duration"]
        plain = c.post(I2V, json={"image": _png(400, 300), "prompt": "waves"}).json()["data"]
        assert plain["task_info"] == {"external_task_id": ""}  # every field honoured: no list at all
        c.post(f"{I2V}/{plain['task_id']}/cancel")


def test_avatar_watermark_copy_keeps_the_audio_packets(server: Server) -> None:
    body = {
        "image": portrait_b64(512),
        "sound_file": base64.b64encode(wav_bytes(3.0)).decode(),
        "watermark_info": {"enabled": True},
    }
    with server.client() as c:
        created = c.post(AVATAR, json=body).json()
        assert created["code"] == 0, created
        assert "unsupported_fields" not in created["data"]["task_info"]
        done = wait_for(c, f"{AVATAR}/{created['data']['task_id']}", timeout=300)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        (video,) = done["task_result"]["videos"]
        plain, marked = c.get(video["url"]).content, c.get(video["watermark_url"]).content
    original, sound, seconds = _decode(plain)
    copy, copy_sound, copy_seconds = _decode(marked)
    assert sound and copy_sound == sound  # the audio track is copied, not re-encoded
    assert len(copy) == len(original) and abs(copy_seconds - seconds) < 0.05
    inside, outside, psnr = _mark_and_rest(original, copy)
    assert inside > 20 and inside > 5 * outside and psnr > 33, (inside, outside, psnr)
