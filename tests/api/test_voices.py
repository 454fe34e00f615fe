"""The voice routes over HTTP: the preset list (shape, names, paging), trial samples that are real speech of
the right voice, and the custom-voice routes' refusals (1201) and misses (1203), on both prefixes, with and
without a trailing slash."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from kinema.contract.voices import CLONING_UNSUPPORTED, VOICE_NAMES, VOICES
from kinema.media.audio_io import decode_audio
from tests.api.server import Server

PREFIXES = ("/v1", "/kling/v1")
PRESETS, CUSTOM, DELETE = "/general/presets-voices", "/general/custom-voices", "/general/delete-voices"
RATE = 16000
ENTRY_KEYS = ["task_id", "task_status", "task_status_msg", "task_result", "created_at", "updated_at"]


def _data(response: httpx.Response) -> Any:
    body = response.json()
    assert response.status_code == 200 and body["code"] == 0, body
    return body["data"]


def _voices(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [voice for entry in page for voice in entry["task_result"]["voices"]]


def _all_voices(c: httpx.Client) -> list[dict[str, Any]]:
    return _voices(_data(c.get(PREFIXES[0] + PRESETS, params={"pageSize": 1000})))


def _find(voices: list[dict[str, Any]], voice_id: str, language: str) -> dict[str, Any]:
    return next(v for v in voices if v["voice_id"] == voice_id and v["voice_language"] == language)


def _decode(content: bytes) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trial.mp3"
        path.write_bytes(content)
        return np.asarray(decode_audio(path, RATE), dtype=np.float64)


def _median_f0_hz(samples: np.ndarray) -> float:
    """Median pitch of the louder half of 40 ms frames, by autocorrelation (60–500 Hz): a child's voice sits
    higher than a man's."""
    n = int(0.04 * RATE)
    frames = [samples[i : i + n] for i in range(0, len(samples) - n, n // 2)]
    loudness = np.array([np.sqrt(np.mean(f**2)) for f in frames])
    pitches = []
    for frame in (f for f, level in zip(frames, loudness, strict=True) if level >= np.median(loudness)):
        centred = frame - frame.mean()
        ac = np.correlate(centred, centred, "full")[n - 1 :]
        lo, hi = RATE // 500, RATE // 60
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.3 * ac[0]:
            pitches.append(RATE / lag)
    return float(np.median(pitches))


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("slash", ["", "/"])
def test_the_preset_list_is_the_official_shape(server: Server, prefix: str, slash: str) -> None:
    with server.client() as c:
        page = _data(c.get(prefix + PRESETS + slash))
    assert len(page) == 30  # the default pageSize
    for entry in page:
        assert list(entry) == ENTRY_KEYS
        assert entry["task_status"] == "succeed" and entry["task_status_msg"] == ""
        (voice,) = entry["task_result"]["voices"]
        assert list(voice) == ["voice_id", "voice_name", "trial_url", "owned_by", "voice_language"]
        assert voice["owned_by"] == "kling"
        assert voice["voice_name"] == VOICE_NAMES[voice["voice_language"]][voice["voice_id"]]
        assert entry["task_id"] == f"preset-{voice['voice_language']}-{voice['voice_id']}"
        assert "/voices/trial/" in voice["trial_url"] and "sig=" in voice["trial_url"]


def test_the_list_pages_through_every_preset_of_both_languages(server: Server) -> None:
    with server.client() as c:
        everything = _all_voices(c)
        pages = [
            _voices(_data(c.get(PREFIXES[1] + PRESETS, params={"pageNum": n, "pageSize": 25})))
            for n in (1, 2, 3)
        ]
        past_the_end = _data(c.get(PREFIXES[0] + PRESETS, params={"pageNum": 4, "pageSize": 25}))
    expected = [(vid, lang) for lang in ("zh", "en") for vid in VOICES[lang]]
    assert [(v["voice_id"], v["voice_language"]) for v in everything] == expected
    assert [len(p) for p in pages] == [25, 25, len(expected) - 50]
    assert [v["voice_id"] for p in pages for v in p] == [v["voice_id"] for v in everything]
    assert past_the_end == []


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"pageSize": 1001}, "pageSize", "from 1 to 1000"),
        ({"pageSize": 0}, "pageSize", "from 1 to 1000"),
        ({"pageNum": 1001}, "pageNum", "from 1 to 1000"),
        ({"pageNum": "two"}, "pageNum", "from 1 to 1000"),
    ],
)
def test_bad_paging_is_1201_naming_the_parameter(
    server: Server, params: dict[str, Any], field: str, rule: str
) -> None:
    with server.client() as c:
        for path in (PRESETS, CUSTOM):
            r = c.get(PREFIXES[0] + path, params=params)
            assert r.status_code == 400 and r.json()["code"] == 1201, r.text
            assert r.json()["message"].startswith(f"{field}: ") and rule in r.json()["message"]


def test_the_voice_routes_need_a_key(server: Server) -> None:
    with httpx.Client(base_url=server.base) as c:
        for method, path in (("GET", PRESETS), ("GET", CUSTOM), ("POST", DELETE), ("POST", CUSTOM)):
            r = c.request(method, PREFIXES[0] + path, json={})
            assert r.status_code == 401, (method, path, r.text)


def test_trial_urls_play_speech_in_each_voice(server: Server) -> None:
    """Two voices of different characters in each language: real speech (> 1 s, not silent), made once and
    then served from storage, and audibly different (a girl's voice is pitched higher than a man's)."""
    with server.client() as c:
        voices = _all_voices(c)
        picks = {
            ("reader_en_m-v1", "en"): "man",
            ("cartoon-girl-01", "en"): "girl",
            ("ai_chenjiahao_712", "zh"): "man",
            ("cartoon-girl-01", "zh"): "girl",
        }
        audio: dict[tuple[str, str], np.ndarray] = {}
        for vid, lang in picks:
            url = _find(voices, vid, lang)["trial_url"]
            started = time.monotonic()
            first = httpx.get(url, timeout=60)  # no API key: the signature is the permission
            made_s = time.monotonic() - started
            assert first.status_code == 200 and first.headers["content-type"] == "audio/mpeg", first.text
            again = httpx.get(url, timeout=60)
            assert again.content == first.content  # served from storage, not made again
            audio[(vid, lang)] = samples = _decode(first.content)
            rms = float(np.sqrt(np.mean(samples**2)))
            f0 = _median_f0_hz(samples)
            seconds = len(samples) / RATE
            print(f"{lang} {vid}: {seconds:.2f} s, rms {rms:.3f}, f0 {f0:.0f} Hz, made in {made_s:.2f} s")
            assert len(samples) / RATE > 1.0 and rms > 0.02
    for lang in ("en", "zh"):
        man, girl = (audio[k] for k in picks if k[1] == lang)
        assert man.shape != girl.shape or not np.allclose(man, girl)
        assert _median_f0_hz(girl) > _median_f0_hz(man) * 1.15, lang


def test_a_trial_url_is_a_download_like_the_results(server: Server) -> None:
    """Range and HEAD work as on /files; a changed signature or an unknown voice is refused."""
    with server.client() as c:
        url = _find(_all_voices(c), "uk_man2", "en")["trial_url"]
    whole = httpx.get(url, timeout=60)
    part = httpx.get(url, headers={"Range": "bytes=0-99"})
    head = httpx.head(url)
    assert part.status_code == 206 and part.content == whole.content[:100]
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(whole.content)
    forged = httpx.get(url.replace("sig=", "sig=0"))
    assert forged.status_code == 401 and forged.json()["code"] == 1000
    other_voice = httpx.get(url.replace("/uk_man2.mp3", "/AOT.mp3"))
    assert other_voice.status_code == 401  # the signature names the voice


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("slash", ["", "/"])
def test_custom_voice_creation_is_refused_naming_the_field(server: Server, prefix: str, slash: str) -> None:
    path = prefix + CUSTOM + slash
    with server.client() as c:
        by_url = c.post(path, json={"voice_name": "mine", "voice_url": "https://example.com/me.mp3"})
        by_video = c.post(path, json={"voice_name": "mine", "video_id": "123456"})
    for r, field in ((by_url, "voice_url"), (by_video, "video_id")):
        assert r.status_code == 400 and r.json()["code"] == 1201, r.text
        assert r.json()["message"] == f"{field}: {CLONING_UNSUPPORTED}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"voice_url": "https://example.com/me.mp3"}, "voice_name: is required"),
        ({"voice_name": "x" * 21, "video_id": "1"}, "voice_name: must be at most 20 characters, got 21"),
        ({"voice_name": "mine"}, "voice_url: is required (or video_id)"),
        ({"voice_name": "mine", "voice_url": "https://e.com/a.mp3", "video_id": "1"}, "video_id: give"),
        ({"voice_name": "mine", "voice_url": "ftp://e.com/a.mp3"}, "voice_url: must be an http(s) URL"),
    ],
)
def test_a_malformed_custom_voice_body_is_1201_for_its_own_fault(
    server: Server, body: dict[str, Any], message: str
) -> None:
    with server.client() as c:
        r = c.post(PREFIXES[1] + CUSTOM, json=body)
    assert r.status_code == 400 and r.json()["code"] == 1201
    assert r.json()["message"].startswith(message), r.text


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("slash", ["", "/"])
def test_custom_voices_list_empty_and_are_never_found(server: Server, prefix: str, slash: str) -> None:
    with server.client() as c:
        assert _data(c.get(prefix + CUSTOM + slash, params={"pageNum": 1, "pageSize": 1000})) == []
        one = c.get(f"{prefix}{CUSTOM}/930801338081615883{slash}")
        unknown = c.post(prefix + DELETE + slash, json={"voice_id": "930801338081615883"})
        preset = c.post(prefix + DELETE + slash, json={"voice_id": "genshin_vindi2"})
        missing = c.post(prefix + DELETE + slash, json={})
    for r in (one, unknown):
        assert r.status_code == 404 and r.json()["code"] == 1203, r.text
        assert "930801338081615883" in r.json()["message"]
    assert preset.status_code == 400 and preset.json()["code"] == 1201
    assert preset.json()["message"] == "voice_id: preset voices cannot be deleted, got 'genshin_vindi2'"
    assert missing.status_code == 400 and missing.json()["message"] == "voice_id: is required"
