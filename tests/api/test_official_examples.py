"""The request bodies of the official documentation's examples succeed unchanged over both prefixes
(issue 14, "Done when"), trailing slashes included where the examples have them.

The bodies are the examples of Kling's API reference (image to video: motion brush, multi-shot, voice
control; avatar; video extension), field for field — empty ``callback_url`` and ``external_task_id`` strings
and all. Only what the examples leave to the reader changes: ``"Replace the URL of image"`` / ``"xxx"``
becomes a URL served by this test on 127.0.0.1, and a voice or video id becomes one of this server's.
Every create must answer code 0; tasks that only need to be accepted are cancelled at once so the shared
worker is not kept busy, and the motion-brush clip runs to the end, since the extension examples need a
video of this server to continue.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from kinema.contract.kinds import PREFIXES
from kinema.media.audio_io import write_mp3
from tests.api.server import Server, wait_for
from tests.support.file_server import FileServer, serve_files

I2V, AVATAR, EXTEND = "/videos/image2video", "/videos/avatar/image2video", "/videos/video-extend"


def _png(width: int, height: int, draw: str) -> bytes:
    """A photo-like picture, or a motion-brush mask (white = the brushed area)."""
    if draw == "photo":
        y, x = np.mgrid[0:height, 0:width]
        img = np.stack([x * 255 // width, y * 255 // height, (x // 20 + y // 20) % 2 * 200], -1)
    else:
        img = np.zeros((height, width, 3))
        img[150:300, 200:450] = 255 if draw == "dynamic" else 0
        if draw == "static":
            img[:80] = 255
    buf = io.BytesIO()
    Image.fromarray(img.astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _mp3(tmp: Any) -> bytes:
    """Three seconds of a voiced, syllable-like tone as MP3 (the example's ``go-to-world.mp3``)."""
    rate = 24000
    t = np.arange(3 * rate) / rate
    path = tmp / "go-to-world.mp3"
    write_mp3(0.3 * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) * np.sin(2 * np.pi * 180 * t), rate, path)
    return bytes(path.read_bytes())


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FileServer]:
    from skimage.data import astronaut

    buf = io.BytesIO()
    Image.fromarray(astronaut()).save(buf, format="PNG")
    files = {
        "raw_image_0.jpg": _png(640, 480, "photo"),
        "static_mask.png": _png(640, 480, "static"),
        "dynamic_mask_1.png": _png(640, 480, "dynamic"),
        "pink_boy.png": buf.getvalue(),
        "go-to-world.mp3": _mp3(tmp_path_factory.mktemp("official-audio")),
    }
    with serve_files(files) as srv:
        yield srv


def motion_brush(m: FileServer) -> dict[str, Any]:
    """Image to video, "Create Task" example: kling-v1 pro 5 s with a static and a dynamic mask."""
    return {
        "model_name": "kling-v1",
        "mode": "pro",
        "duration": "5",
        "image": f"{m.base}/raw_image_0.jpg",
        "prompt": "The astronaut stood up and walked away",
        "cfg_scale": 0.5,
        "static_mask": f"{m.base}/static_mask.png",
        "dynamic_masks": [
            {
                "mask": f"{m.base}/dynamic_mask_1.png",
                "trajectories": [{"x": 279, "y": 219}, {"x": 417, "y": 65}],
            }
        ],
    }


SHOTS = [
    (1, "Two friends talking under a streetlight at night.  Warm glow, casual poses, no dialogue.", "2"),
    (2, "A runner sprinting through a forest, leaves flying.  Low-angle shot, focus on movement.", "3"),
    (3, "A woman hugging a cat, smiling.  Soft sunlight, cozy home setting, emphasize warmth.", "3"),
    (4, "A door creaking open, shadowy hallway.  Dark tones, minimal details, eerie mood.", "3"),
    (5, "A man slipping on a banana peel, shocked expression.  Exaggerated pose, bright colors.", "3"),
    (6, "A sunset over mountains, small figure walking away.  Wide angle, peaceful atmosphere.", "1"),
]


def multi_shot(m: FileServer) -> dict[str, Any]:
    """Image to video, "Multi-shot" scenario example: kling-v3 pro, six customised shots over 15 s, sound."""
    return {
        "model_name": "kling-v3",
        "image": f"{m.base}/raw_image_0.jpg",
        "prompt": "",
        "multi_shot": True,
        "shot_type": "customize",
        "multi_prompt": [{"index": i, "prompt": p, "duration": d} for i, p, d in SHOTS],
        "negative_prompt": "",
        "duration": "15",
        "mode": "pro",
        "sound": "on",
        "callback_url": "",
        "external_task_id": "",
    }


def voice_control(m: FileServer) -> dict[str, Any]:
    """Image to video, "Generate video with voice control" example (POSTed to `.../image2video/`)."""
    return {
        "model_name": "kling-v2-6",
        "image": f"{m.base}/raw_image_0.jpg",
        "prompt": "<<<voice_1>>>Ask the people in the picture to say the following words, 'Welcome everyone'",
        "voice_list": [{"voice_id": "genshin_vindi2"}],
        "duration": "5",
        "mode": "pro",
        "sound": "on",
        "callback_url": "",
        "external_task_id": "",
    }


def avatar(m: FileServer) -> dict[str, Any]:
    """Avatar "Request Example": a picture URL, a sound file URL, a Chinese prompt, std."""
    return {
        "image": f"{m.base}/pink_boy.png",
        "sound_file": f"{m.base}/go-to-world.mp3",
        "prompt": "一边说话，一边兴奋的摇头晃脑，最后伸手握拳，决定出发，蹦蹦跳跳很开心",
        "mode": "std",
        "external_task_id": "",
        "callback_url": "",
    }


def _accepted(c: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = c.post(path, json=body)
    assert reply.status_code == 200 and reply.json()["code"] == 0, (path, reply.text)
    data: dict[str, Any] = reply.json()["data"]
    return data


def _accept_then_cancel(c: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    data = _accepted(c, path, body)
    cancelled = c.post(f"{path.rstrip('/')}/{data['task_id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    return data


@pytest.mark.parametrize("prefix", PREFIXES)
def test_image_to_video_and_avatar_examples_are_accepted(
    server: Server, media: FileServer, prefix: str
) -> None:
    with server.client() as c:
        shots = _accept_then_cancel(c, prefix + I2V, multi_shot(media))
        assert shots["task_info"]["external_task_id"] == ""
        voiced = _accept_then_cancel(c, prefix + I2V + "/", voice_control(media))
        # kinema has no voice cloning for video: said, not dropped
        assert voiced["task_info"].get("unsupported_fields") == ["voice_list"]
        _accept_then_cancel(c, prefix + AVATAR, avatar(media))


def test_motion_brush_example_runs_and_the_extension_examples_continue_it(
    server: Server, media: FileServer
) -> None:
    k, v = PREFIXES
    with server.client() as c:
        made = _accepted(c, v + I2V, motion_brush(media))
        done = wait_for(c, f"{v}{I2V}/{made['task_id']}", timeout=300)
        assert done["task_status"] == "succeed", done
        video_id = done["task_result"]["videos"][0]["id"]
        for prefix in (k, v):
            # the reference's example, and a gateway's copy of it (negative_prompt, cfg_scale, empty ids)
            plain = {
                "model_name": "kling-v1",
                "video_id": video_id,
                "prompt": "The scene continues",
                "mode": "pro",
            }
            extended = _accept_then_cancel(c, prefix + EXTEND, plain)
            assert extended["task_info"]["parent_video"]["id"] == video_id
            assert extended["task_info"]["unsupported_fields"] == ["model_name", "mode"]
            tuned = {
                "video_id": video_id,
                "prompt": "延长视频并保持镜头节奏一致",
                "negative_prompt": "",
                "cfg_scale": 0.5,
                "callback_url": "",
                "external_task_id": "",
            }
            assert "unsupported_fields" not in _accept_then_cancel(c, prefix + EXTEND, tuned)["task_info"]
