"""TTS over HTTP: synchronous result, downloadable MP3 whose duration matches, tolerant GET, voice rules."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from kinema.media.audio_io import decode_audio
from tests.api.server import Server

TTS = "/kling/v1/audio/tts"


def test_tts_returns_a_finished_task_with_a_playable_mp3(server: Server) -> None:
    with server.client() as c:
        r = c.post(
            TTS,
            json={
                "text": "Hello from kinema, a server that runs offline.",
                "voice_id": "oversea_male1",
                "voice_language": "en",
                "voice_speed": 1.0,
            },
        )
        body = r.json()
        assert r.status_code == 200 and body["code"] == 0, body
        data = body["data"]
        assert data["task_status"] == "succeed"
        audio = data["task_result"]["audios"][0]
        assert set(audio) >= {"id", "url", "duration"} and isinstance(audio["duration"], str)
        mp3 = c.get(audio["url"])
        assert mp3.status_code == 200 and mp3.headers["content-type"].startswith("audio/")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "a.mp3"
            path.write_bytes(mp3.content)
            samples = decode_audio(path, 16000)
        assert abs(len(samples) / 16000 - float(audio["duration"])) < 0.15
        assert 1.5 < float(audio["duration"]) < 8
        # tolerant query: by task id and by audio id
        assert c.get(f"{TTS}/{data['task_id']}").json()["data"]["task_id"] == data["task_id"]
        assert c.get(f"{TTS}/{audio['id']}").json()["data"]["task_id"] == data["task_id"]


def test_tts_speed_is_clamped_not_rejected(server: Server) -> None:
    with server.client() as c:
        fast = c.post(
            TTS,
            json={
                "text": "one two three four five six",
                "voice_id": "uk_man2",
                "voice_language": "en",
                "voice_speed": 5,
            },
        )
        slow = c.post(
            TTS,
            json={
                "text": "one two three four five six",
                "voice_id": "uk_man2",
                "voice_language": "en",
                "voice_speed": 0.1,
            },
        )
    assert fast.json()["code"] == 0 and slow.json()["code"] == 0
    d_fast = float(fast.json()["data"]["task_result"]["audios"][0]["duration"])
    d_slow = float(slow.json()["data"]["task_result"]["audios"][0]["duration"])
    assert d_slow > d_fast * 1.8  # 0.8x vs 2.0x speed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "hi", "voice_id": "no_such_voice", "voice_language": "en"}, "voice_id"),
        ({"text": "hi", "voice_id": "AOT", "voice_language": "zh"}, "voice_id"),  # en-only id with zh
        ({"text": "", "voice_id": "AOT", "voice_language": "en"}, "text"),
        ({"text": "x" * 1001, "voice_id": "AOT", "voice_language": "en"}, "text"),
        ({"text": "hi", "voice_id": "AOT", "voice_language": "fr"}, "voice_language"),
    ],
)
def test_tts_rejections(server: Server, body: dict, field: str) -> None:
    with server.client() as c:
        r = c.post(TTS, json=body)
    assert r.status_code == 400 and r.json()["code"] == 1201 and field in r.json()["message"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ('"hi\\u0000there"', "must not contain NUL"),
        ('"hi\\udfffthere"', "must be valid Unicode text"),
        ('"\\ud800"', "must be valid Unicode text"),
    ],
)
def test_unstorable_text_is_reported_on_text(server: Server, text: str, rule: str) -> None:
    """Not as ``voice_id``, and with no library or codec text in the message."""
    raw = '{"text":%s,"voice_id":"oversea_male1","voice_language":"en"}' % text  # noqa: UP031
    with server.client() as c:
        r = c.post(TTS, content=raw, headers={"content-type": "application/json"})
    message = r.json()["message"]
    assert r.status_code == 400 and r.json()["code"] == 1201
    assert message.startswith(f"text: {rule}"), message
    assert "codec" not in message and "null character" not in message


def test_download_supports_range(server: Server) -> None:
    with server.client() as c:
        data = c.post(
            TTS, json={"text": "Range requests let players seek.", "voice_id": "AOT", "voice_language": "en"}
        ).json()["data"]
        url = data["task_result"]["audios"][0]["url"]
        full = c.get(url).content
        part = c.get(url, headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == full[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(full)}"
        tail = c.get(url, headers={"Range": "bytes=-50"})
        assert tail.status_code == 206 and tail.content == full[-50:]
        assert c.get(url, headers={"Range": f"bytes={len(full) + 10}-"}).status_code == 416
        tampered = url.replace("sig=", "sig=0")
        assert c.get(tampered).status_code == 401
