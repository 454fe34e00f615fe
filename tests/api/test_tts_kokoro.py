"""Kokoro TTS over HTTP: zh and en voice ids give decodable audio whose length matches the stored phone
timings, voice_speed changes the length, output is deterministic, and an avatar made from a Mandarin
``audio_id`` moves its mouth from those exact phones (not from the audio)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from kinema.db.models import Asset
from kinema.engines.tts import TtsSetup
from kinema.engines.tts.engine import kokoro_missing
from kinema.media.audio_io import decode_audio
from tests.api.media import portrait_b64
from tests.api.server import Server, wait_for

TTS = "/kling/v1/audio/tts"
AVATAR = "/kling/v1/videos/avatar/image2video"
ZH_TEXT = "你好，欢迎来到这里。"

pytestmark = pytest.mark.skipif(
    kokoro_missing("zh", "zf_xiaoxiao", TtsSetup()) is not None,
    reason=f"Kokoro not installed: {kokoro_missing('zh', 'zf_xiaoxiao', TtsSetup())}",
)


def _speak(server: Server, text: str, voice_id: str, language: str, speed: float = 1.0) -> dict:
    # the first call of a process loads the model and jieba's dictionary: seconds, more on a busy machine
    with server.client(timeout=240) as c:
        body = c.post(
            TTS, json={"text": text, "voice_id": voice_id, "voice_language": language, "voice_speed": speed}
        ).json()
    assert body["code"] == 0, body
    return body["data"]["task_result"]["audios"][0]


def _decoded(server: Server, url: str) -> np.ndarray:
    with server.client() as c, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.mp3"
        path.write_bytes(c.get(url).content)
        return decode_audio(path, 16000)


def _asset(server: Server, asset_id: str) -> Asset:
    with server.db.read() as session:
        asset = session.scalars(select(Asset).where(Asset.id == asset_id)).one()
        session.expunge(asset)
        return asset


def _phones(server: Server, audio_id: str) -> list[dict]:
    key = _asset(server, audio_id).extra["phones"]
    doc = json.loads((server.data_dir / "blobs" / key).read_text(encoding="utf-8"))
    assert doc["alphabet"] == "ipa"
    return list(doc["phones"])


@pytest.mark.parametrize(
    ("language", "voice_id", "text"),
    [
        ("zh", "ai_chenjiahao_712", ZH_TEXT),
        ("zh", "girlfriend_1_speech02", ZH_TEXT),
        ("zh", "zhuxi_speech02", ZH_TEXT),
        ("en", "commercial_lady_en_f-v1", "Welcome to the show."),
        ("en", "uk_man2", "Welcome to the show."),
    ],
)
def test_voices_give_audio_that_matches_their_phones(
    server: Server, language: str, voice_id: str, text: str
) -> None:
    audio = _speak(server, text, voice_id, language)
    samples = _decoded(server, audio["url"])
    duration = float(audio["duration"])
    assert abs(len(samples) / 16000 - duration) < 0.1 and 0.8 < duration < 6
    phones = _phones(server, audio["id"])
    assert len(phones) >= 12 and not any(ch in "↓→↗↘" for p in phones for ch in p["p"])
    # the phones span the speech: first sound near the start, last phone ends near the audio's end
    assert phones[0]["start"] < 0.3 and duration - 0.8 < phones[-1]["end"] <= duration + 1e-3
    # loud 10 ms frames of the decoded audio sit inside phone spans
    hop = 160
    n = len(samples) // hop
    rms = np.sqrt(np.mean(samples[: n * hop].reshape(n, hop) ** 2, axis=1))
    t = (np.flatnonzero(rms > 0.25 * rms.max()) + 0.5) * 0.01
    spans = np.array([[p["start"], p["end"]] for p in phones])
    inside = [np.any((spans[:, 0] - 0.03 <= x) & (x <= spans[:, 1] + 0.03)) for x in t]
    assert np.mean(inside) > 0.9


def test_speed_changes_the_length_and_output_is_deterministic(server: Server) -> None:
    normal = _speak(server, ZH_TEXT, "ai_kaiya", "zh")
    again = _speak(server, ZH_TEXT, "ai_kaiya", "zh")
    fast = _speak(server, ZH_TEXT, "ai_kaiya", "zh", speed=1.6)
    assert float(fast["duration"]) < 0.8 * float(normal["duration"])
    a, b = _decoded(server, normal["url"]), _decoded(server, again["url"])
    assert np.array_equal(a, b)
    assert _phones(server, normal["id"]) == _phones(server, again["id"])


def test_mandarin_avatar_moves_from_the_tts_phones(server: Server) -> None:
    audio = _speak(server, "你好，欢迎来到这里。今天我们一起聊聊天吧。", "girlfriend_1_speech02", "zh")
    assert float(audio["duration"]) >= 2  # the avatar takes 2 to 300 s of speech
    with server.client() as c:
        created = c.post(
            AVATAR, json={"image": portrait_b64(320), "audio_id": audio["id"], "mode": "std"}
        ).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"{AVATAR}/{created['data']['task_id']}", timeout=240)
    assert done["task_status"] == "succeed", done["task_status_msg"]
    video_id = done["task_result"]["videos"][0]["id"]
    assert _asset(server, video_id).extra["speech_source"] == "phones"
