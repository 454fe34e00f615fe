"""``POST /v1/videos/video-extend`` over HTTP with real workers: an image-to-video result extended, found by
task id and external id, listed, its callbacks delivered, downloaded and decoded; the extension extended
again; bad bodies and a too-long parent answered 1201 naming ``video_id``."""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from pathlib import Path

import av
import httpx
import pytest

from tests.api.media import png_b64
from tests.api.receiver import start_receiver
from tests.api.server import Server, start_server, wait_for

PREFIXES = ("/kling/v1", "/v1")
EXTEND = "/videos/video-extend"
I2V = "/v1/videos/image2video"


def _picture(data: bytes) -> tuple[int, int, float, int]:
    """(width, height, fps, frames) of a downloaded MP4."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.mp4"
        path.write_bytes(data)
        with av.open(str(path)) as c:
            v = c.streams.video[0]
            frames = sum(1 for _ in c.decode(video=0))
            return v.codec_context.width, v.codec_context.height, float(v.average_rate or 0), frames


def _i2v_video(c: httpx.Client) -> dict:
    created = c.post(I2V, json={"image": png_b64(480, 320), "prompt": "pan right", "duration": "5"}).json()
    assert created["code"] == 0, created
    done = wait_for(c, f"{I2V}/{created['data']['task_id']}", timeout=240)
    assert done["task_status"] == "succeed", done["task_status_msg"]
    video: dict = done["task_result"]["videos"][0]
    return video


@pytest.fixture(scope="module")
def parent(server: Server) -> dict:
    with server.client() as c:
        return _i2v_video(c)


def test_extend_create_get_list_callback_download(server: Server, parent: dict) -> None:
    ext = f"ext-{uuid.uuid4().hex[:8]}"
    receiver = start_receiver()
    try:
        with server.client() as c:
            reply = c.post(
                "/v1" + EXTEND + "/",  # the official examples' trailing slash
                json={
                    "video_id": parent["id"],
                    "prompt": "",
                    "external_task_id": ext,
                    "callback_url": receiver.url,
                    "watermark_info": {"enabled": False},
                },
            ).json()
            assert reply["code"] == 0, reply
            created = reply["data"]
            assert created["task_info"]["parent_video"]["id"] == parent["id"]
            done = wait_for(c, f"/kling/v1{EXTEND}/{created['task_id']}", timeout=240)
            assert done["task_status"] == "succeed", done["task_status_msg"]
            info = done["task_info"]["parent_video"]
            assert info["id"] == parent["id"] and info["duration"] == parent["duration"]
            assert info["url"].startswith("http") and done["watermark_info"] == {"enabled": False}
            (video,) = done["task_result"]["videos"]
            assert float(video["duration"]) == pytest.approx(float(parent["duration"]) + 5.0, abs=0.05)
            assert done["final_unit_deduction"] == "1"  # one extension's price (contract/prices.py)
            # same size and rate as the parent, parent frames + 5 s of new ones
            w, h, fps, n = _picture(c.get(video["url"]).content)
            pw, ph, pfps, pn = _picture(c.get(parent["url"]).content)
            assert (w, h, fps) == (pw, ph, pfps) and n == pn + round(5 * pfps)
            for prefix in PREFIXES:
                by_ext = c.get(f"{prefix}{EXTEND}/{ext}").json()["data"]
                assert by_ext["task_id"] == done["task_id"]
                found = c.get(prefix + EXTEND, params={"external_task_id": ext}).json()["data"]
                assert found["task_id"] == done["task_id"]
                page = c.get(prefix + EXTEND, params={"pageNum": 1, "pageSize": 30}).json()["data"]
                assert done["task_id"] in [t["task_id"] for t in page]
        deadline = time.monotonic() + 30
        while not any(json.loads(r.body)["task_status"] == "succeed" for r in receiver.calls):
            assert time.monotonic() < deadline, "no succeed callback in 30 s"
            time.sleep(0.2)
        last = json.loads(receiver.calls[-1].body)
        assert last["task_status"] == "succeed" and last["task_info"]["parent_video"]["id"] == parent["id"]
        assert last["task_result"]["videos"][0]["id"] == video["id"]
    finally:
        receiver.stop()


def test_an_extension_extends_again_through_the_sdk(server: Server, parent: dict) -> None:
    from kinema.client import Client, VideoExtendTask

    with Client(server.base, api_key=server.key) as k:
        once = k.video_extend.wait(k.video_extend.create(parent["id"]).task_id, timeout=240)
        assert isinstance(once, VideoExtendTask) and once.status == "succeed", once.message
        first = once.videos[0]
        twice = k.video_extend.wait(
            k.video_extend.create(video_id=first.id, prompt="zoom in slowly").task_id, timeout=240
        )
        assert twice.status == "succeed", twice.message
        assert twice.task_info.parent_video is not None and twice.task_info.parent_video.id == first.id
        assert float(twice.videos[0].duration) == pytest.approx(float(parent["duration"]) + 10.0, abs=0.1)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "video_id: is required"),
        ({"prompt": "more"}, "video_id: is required"),
        ({"video_id": "123456789"}, "video_id: no video '123456789' made by this account"),
        ({"video_id": "1", "cfg_scale": 2}, "cfg_scale: must be between 0 and 1"),
        ({"video_id": "1", "prompt": "p" * 2501}, "prompt: must be at most 2500 characters, got 2501"),
    ],
)
def test_bad_bodies_are_1201_naming_the_field(server: Server, body: dict, message: str) -> None:
    with server.client() as c:
        for prefix in PREFIXES:
            reply = c.post(prefix + EXTEND, json=body)
            assert reply.status_code == 400 and reply.json()["code"] == 1201, reply.text
            assert reply.json()["message"].startswith(message), reply.json()


def test_a_parent_too_long_for_the_total_is_1201(tmp_path: Path) -> None:
    """With the total lowered to 8 s, a 5 s video cannot take a 4 s extension: 1201 naming video_id and the
    rule (the default 180 s is the same check with a longer parent)."""
    srv = start_server(tmp_path, KINEMA_LIMIT_OVERRIDES=json.dumps({"extend_total_max_s": 8}))
    try:
        with srv.client() as c:
            video = _i2v_video(c)
            reply = c.post("/v1" + EXTEND, json={"video_id": video["id"]})
        assert reply.status_code == 400 and reply.json()["code"] == 1201, reply.text
        assert reply.json()["message"] == (
            f"video_id: video must last 0 to 4 s, got {float(video['duration']):.2f} s (an extended video "
            "lasts at most 8 s and an extension adds at least 4 s)"
        )
    finally:
        srv.stop()
