"""Each job end to end over HTTP with real workers: create → poll → download → decode and check."""

from __future__ import annotations

import base64
import io
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from kinema.media.audio_io import decode_audio
from tests.api.media import png_b64, portrait_b64
from tests.api.server import Server, wait_for
from tests.engines.image2video.helpers import frames, similarity, textured
from tests.support.file_server import serve_files

AVATAR = "/kling/v1/videos/avatar/image2video"
I2V = "/kling/v1/videos/image2video"
V2A = "/kling/v1/audio/video-to-audio"


def probe(data: bytes) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.mp4"
        path.write_bytes(data)
        with av.open(str(path)) as c:
            v = next((s for s in c.streams if s.type == "video"), None)
            a = next((s for s in c.streams if s.type == "audio"), None)
            frames = sum(1 for _ in c.decode(video=0)) if v else 0
            info = {
                "width": v.codec_context.width if v else 0,
                "height": v.codec_context.height if v else 0,
                "fps": float(v.average_rate) if v and v.average_rate else 0.0,
                "frames": frames,
                "has_audio": a is not None,
                "codec": v.codec_context.name if v else "",
            }
        info["audio_s"] = len(decode_audio(path, 16000)) / 16000 if info["has_audio"] else 0.0
    return info


@pytest.fixture(scope="module")
def speech(server: Server) -> dict:
    with server.client() as c:
        body = c.post(
            "/kling/v1/audio/tts",
            json={
                "text": "Peter picked a bright blue boat, and we moved over the bay.",
                "voice_id": "reader_en_m-v1",
                "voice_language": "en",
            },
        ).json()
    assert body["code"] == 0, body
    return body["data"]["task_result"]["audios"][0]


def test_avatar_from_tts_audio_id(server: Server, speech: dict) -> None:
    with server.client() as c:
        created = c.post(
            AVATAR,
            json={
                "image": portrait_b64(512),
                "audio_id": speech["id"],
                "prompt": "smile, nod",
                "mode": "std",
            },
        ).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"{AVATAR}/{created['data']['task_id']}", timeout=240)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        assert done["task_progress"] == 100 and done["watermark_info"] == {"enabled": False}
        video = done["task_result"]["videos"][0]
        info = probe(c.get(video["url"]).content)
    assert info["codec"] == "h264" and info["has_audio"] and info["fps"] == 25
    assert info["width"] == info["height"] and info["width"] % 2 == 0  # square input keeps its aspect
    assert abs(info["frames"] / 25 - float(speech["duration"])) <= 0.08
    assert abs(float(video["duration"]) - float(speech["duration"])) <= 0.08


def test_avatar_without_a_face_fails_with_a_reason(server: Server) -> None:
    wav = base64.b64encode(_wav()).decode()
    with server.client() as c:
        created = c.post(AVATAR, json={"image": png_b64(512, 512), "sound_file": wav}).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"{AVATAR}/{created['data']['task_id']}", timeout=120)
    assert done["task_status"] == "failed" and "face" in done["task_status_msg"].lower()
    assert done["task_result"] == {}


def _wav() -> bytes:
    from tests.api.media import wav_bytes

    return wav_bytes(3.0)


def test_image_to_video_with_camera_move(server: Server) -> None:
    # Kling's zoom sign: positive = shorter focal length, larger field of view, so the content shrinks
    buf = io.BytesIO()
    Image.fromarray(textured(640, 360)).save(buf, format="PNG")
    with server.client() as c:
        created = c.post(
            I2V,
            json={
                "image": base64.b64encode(buf.getvalue()).decode(),
                "duration": "5",
                "mode": "std",
                "camera_control": {"type": "simple", "config": {"zoom": 5}},
            },
        ).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"{I2V}/{created['data']['task_id']}", timeout=180)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        video = done["task_result"]["videos"][0]
        data = c.get(video["url"]).content
    info = probe(data)
    # kling-v1 (the default model): 720p at 30 fps, so the 640x360 picture is scaled up to 1280x720
    assert info["fps"] == 30 and abs(info["frames"] / 30 - 5.0) <= 1 / 30
    assert (info["width"], info["height"]) == (1280, 720)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "zoom.mp4"
        path.write_bytes(data)
        clip = frames(path)
    scale, _, _, _ = similarity(clip[0], clip[-1])
    assert scale < 0.97, scale  # the view widened: zoom=+5 is a zoom out


def _clip(seconds: float = 4.0, fps: int = 24) -> bytes:
    """A silent clip with a ball that bounces: events for sound to land on."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        with av.open(str(path), "w") as c:
            s = c.add_stream("libx264", rate=fps)
            s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
            for i in range(int(seconds * fps)):
                img = np.full((240, 320, 3), 40, np.uint8)
                t = i / fps
                y = int(200 - 160 * abs(np.sin(np.pi * t)))
                x = int(40 + 240 * t / seconds)
                img[max(y - 12, 0) : y + 12, max(x - 12, 0) : x + 12] = (230, 200, 60)
                for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                    c.mux(p)
            for p in s.encode(None):
                c.mux(p)
        return path.read_bytes()


@pytest.fixture(scope="module")
def clip_host() -> Iterator[str]:
    with serve_files({"clip.mp4": _clip()}, "video/mp4") as files:
        yield f"{files.base}/clip.mp4"


def test_video_to_audio_by_url_then_by_video_id(server: Server, clip_host: str) -> None:
    with server.client() as c:
        created = c.post(
            V2A, json={"video_url": clip_host, "sound_effect_prompt": "footsteps", "bgm_prompt": "calm piano"}
        ).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"{V2A}/{created['data']['task_id']}", timeout=180)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        assert done["task_info"]["parent_video"]["url"] == clip_host
        audio = done["task_result"]["audios"][0]
        assert set(audio) >= {"id", "url_mp3", "url_wav", "duration_mp3", "duration_wav"}
        video = done["task_result"]["videos"][0]
        info = probe(c.get(video["url"]).content)
        assert info["has_audio"] and abs(info["audio_s"] - 4.0) < 0.1
        wav = c.get(audio["url_wav"])
        assert wav.status_code == 200 and wav.content[:4] == b"RIFF"

        # the muxed video is a kinema video: usable as video_id
        again = c.post(V2A, json={"video_id": video["id"]}).json()
        assert again["code"] == 0, again
        assert again["data"]["task_info"]["parent_video"]["id"] == video["id"]
        done2 = wait_for(c, f"{V2A}/{again['data']['task_id']}", timeout=180)
        assert done2["task_status"] == "succeed", done2["task_status_msg"]


T2A = "/v1/audio/text-to-audio"


def _decoded_seconds(data: bytes, suffix: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out{suffix}"
        path.write_bytes(data)
        return len(decode_audio(path, 48000)) / 48000


def test_text_to_audio_makes_the_exact_length_then_the_sdk_finds_it(server: Server) -> None:
    from kinema.client import Client, TextToAudioTask

    ext = f"t2a-e2e-{uuid.uuid4().hex[:8]}"
    with server.client() as c:
        created = c.post(
            T2A, json={"prompt": "rain on a tin roof", "duration": 4.3, "external_task_id": ext}
        ).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"{T2A}/{created['data']['task_id']}", timeout=180)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        (audio,) = done["task_result"]["audios"]
        assert set(audio) == {"id", "url_mp3", "url_wav", "duration_mp3", "duration_wav"}
        assert audio["duration_wav"] == "4.3" and abs(float(audio["duration_mp3"]) - 4.3) < 0.06
        wav = c.get(audio["url_wav"])
        assert wav.status_code == 200 and wav.content[:4] == b"RIFF"
        assert _decoded_seconds(wav.content, ".wav") == 4.3
        mp3 = c.get(audio["url_mp3"])
        assert mp3.status_code == 200 and abs(_decoded_seconds(mp3.content, ".mp3") - 4.3) < 0.06
        assert done["final_unit_deduction"] != "0"
        assert "watermark_info" not in done

    with Client(server.base, api_key=server.key) as k:
        found = k.text_to_audio.get(ext)
        assert isinstance(found, TextToAudioTask) and found.task_id == done["task_id"]
        listed = k.text_to_audio.list(page_size=5)
        assert done["task_id"] in [t.task_id for t in listed]
        made = k.text_to_audio.wait(k.text_to_audio.create("calm piano", duration=3.0).task_id, timeout=120)
        assert made.status == "succeed" and made.audios[0].duration_wav == "3.0"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"prompt": "rain", "duration": 12}, "duration: must be between 3.0 and 10.0 seconds, got 12"),
        ({"prompt": "rain", "duration": 2.9}, "duration: must be between 3.0 and 10.0 seconds, got 2.9"),
        ({"prompt": "rain", "duration": 5.25}, "duration: must have at most one decimal, got 5.25"),
        ({"prompt": "rain"}, "duration: is required"),
        ({"duration": 5}, "prompt: is required"),
        ({"prompt": "r" * 201, "duration": 5}, "prompt: must be at most 200 characters, got 201"),
    ],
)
def test_text_to_audio_refuses_a_bad_body_with_1201_naming_the_field(
    server: Server, body: dict, message: str
) -> None:
    with server.client() as c:
        for prefix in ("/v1", "/kling/v1"):
            reply = c.post(f"{prefix}/audio/text-to-audio", json=body)
            assert reply.status_code == 400, reply.text
            assert reply.json()["code"] == 1201 and reply.json()["message"] == message
