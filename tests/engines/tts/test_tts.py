"""TTS engine: real speech comes out, timings match it, options do what the API says (default engines:
Kokoro where installed; the previous engines, Piper and espeak-ng, through ``TtsSetup``)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from kinema.contract.voices import VOICES
from kinema.engines.tts import Speech, TtsInputError, TtsSetup, synthesize, write_phones_json
from kinema.engines.tts.espeak_zh import espeak_available
from kinema.engines.tts.voices import normalize_speed, resolve_voice
from kinema.media.audio_io import decode_audio, write_mp3

TEXT = "The quick brown fox jumps over the lazy dog. Then it runs away, fast!"
PREVIOUS = TtsSetup(en="piper", zh="espeak-ng")


@pytest.fixture(scope="module")
def speech() -> Speech:
    return synthesize(TEXT, "en")


def _frame_rms(x: np.ndarray, rate: int, hop_s: float = 0.01) -> np.ndarray:
    hop = int(rate * hop_s)
    n = len(x) // hop
    return np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1))


def _median_f0(x: np.ndarray, rate: int) -> float:
    """Median pitch of loud 40 ms frames by autocorrelation (60–500 Hz)."""
    win = int(0.04 * rate)
    lo, hi = int(rate / 500), int(rate / 60)
    rms = _frame_rms(x, rate, 0.04)
    f0s = []
    for i in np.flatnonzero(rms > 0.3 * rms.max()):
        seg = x[i * win : (i + 1) * win]
        seg = seg - seg.mean()
        ac = np.correlate(seg, seg, "full")[win - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.3 * ac[0]:
            f0s.append(rate / lag)
    return float(np.median(f0s))


def test_english_is_speech_of_plausible_length(speech: Speech, tmp_path: Path) -> None:
    words = len(TEXT.split())
    assert speech.samples.dtype == np.float32 and speech.samples.ndim == 1
    assert 0.15 * words < speech.duration < 0.7 * words
    assert 0.3 < float(np.max(np.abs(speech.samples))) <= 1.0
    # Speech has pauses and loud parts, not a constant tone.
    rms = _frame_rms(speech.samples, speech.sample_rate)
    assert (rms < 0.05 * rms.max()).mean() > 0.05 and (rms > 0.2 * rms.max()).mean() > 0.3
    out = tmp_path / "s.mp3"
    write_mp3(speech.samples, speech.sample_rate, out)
    decoded = decode_audio(out, rate=speech.sample_rate)
    assert abs(len(decoded) - len(speech.samples)) < 0.06 * speech.sample_rate


def test_phones_are_ordered_ipa_and_cover_the_speech(speech: Speech) -> None:
    ph = speech.phones
    assert len(ph) > 30
    starts = np.array([p.start for p in ph])
    ends = np.array([p.end for p in ph])
    assert np.all(ends > starts) and np.all(starts[1:] >= ends[:-1] - 1e-9)
    assert starts[0] >= 0 and ends[-1] <= speech.duration + 1e-6
    assert not any(ch in "ˈˌ _.,!?" for p in ph for ch in p.p)
    # Loud frames of the audio fall inside phone spans.
    rms = _frame_rms(speech.samples, speech.sample_rate)
    t = (np.flatnonzero(rms > 0.2 * rms.max()) + 0.5) * 0.01
    inside = np.array([np.any((starts <= x) & (x <= ends)) for x in t])
    assert inside.mean() > 0.95
    # The pause at the sentence break falls in a gap between phones.
    gaps = starts[1:] - ends[:-1]
    assert gaps.max() > 0.1


def test_speed_changes_length_and_is_clamped() -> None:
    fast = synthesize("Speaking quickly or slowly changes the length.", speed=2.0)
    slow = synthesize("Speaking quickly or slowly changes the length.", speed=0.8)
    assert fast.duration < 0.75 * slow.duration
    assert normalize_speed(5) == 2.0 and normalize_speed(0.1) == 0.8 and normalize_speed(1.26) == 1.3


@pytest.mark.parametrize("setup", [TtsSetup(), PREVIOUS], ids=["default", "piper"])
def test_deterministic(setup: TtsSetup) -> None:
    a = synthesize("Same words, same sound.", voice_id="uk_man2", setup=setup)
    b = synthesize("Same words, same sound.", voice_id="uk_man2", setup=setup)
    assert np.array_equal(a.samples, b.samples) and a.phones == b.phones


def test_voice_profiles_change_pitch() -> None:
    text = "A voice profile changes how high the voice sounds."
    girl = synthesize(text, voice_id="genshin_klee2", setup=PREVIOUS)
    deep = synthesize(text, voice_id="ai_huangyaoshi_712", setup=PREVIOUS)
    assert girl.voice.startswith("piper:")
    assert _median_f0(girl.samples, girl.sample_rate) > 1.2 * _median_f0(deep.samples, deep.sample_rate)
    assert girl.voice != deep.voice
    assert girl.phones[-1].end <= girl.duration + 1e-6


def test_every_preset_voice_resolves_and_unknown_ids_fail() -> None:
    for lang, ids in VOICES.items():
        for vid in ids:
            assert resolve_voice(vid, lang)[0] == vid
    with pytest.raises(ValueError):
        synthesize("hello", "en", voice_id="no_such_voice")
    with pytest.raises(ValueError):
        synthesize("hello", "en", voice_id="tiexin_nanyou")  # a zh-only id
    with pytest.raises(ValueError):
        synthesize("   \n", "en")
    with pytest.raises(ValueError):
        synthesize("hello", "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "language", "voice_id", "field"),
    [
        ("hello", "en", "no_such_voice", "voice_id"),
        ("hello", "fr", None, "voice_language"),
        ("   ", "en", None, "text"),
        ("x" * 1001, "en", None, "text"),
        ("hi\x00there", "en", None, "text"),
        ("hi\udfffthere", "en", None, "text"),
        ("你好\x00", "zh", None, "text"),
    ],
)
def test_refusals_name_their_field(text: str, language: str, voice_id: str | None, field: str) -> None:
    with pytest.raises(TtsInputError) as refused:
        synthesize(text, language, voice_id=voice_id)  # type: ignore[arg-type]
    assert refused.value.field == field and str(refused.value).startswith(f"{field}: ")
    assert "codec" not in refused.value.rule and "null character" not in refused.value.rule


def test_write_phones_json(speech: Speech, tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    write_phones_json(speech, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["alphabet"] == "ipa" and len(doc["phones"]) == len(speech.phones)
    assert set(doc["phones"][0]) == {"p", "start", "end"}


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed")
def test_mandarin_espeak() -> None:
    text = "你好，世界。今天天气很好！"
    zh = synthesize(text, "zh", voice_id="tianmeixuemei-v1", setup=PREVIOUS)
    assert zh.voice.startswith("espeak-ng:")
    syllables = 10
    assert 0.12 * syllables < zh.duration < 0.8 * syllables
    ph = zh.phones
    assert len(ph) >= syllables
    assert all(b.start >= a.end - 1e-9 for a, b in itertools.pairwise(ph))
    assert not any(ch.isdigit() or ch in "_ ()" for p in ph for ch in p.p)
    rms = _frame_rms(zh.samples, zh.sample_rate)
    assert (rms > 0.2 * rms.max()).mean() > 0.3
    # syllable edges sit in energy valleys: quieter than the middles of the vowels
    env = _frame_rms(zh.samples, zh.sample_rate, 0.005)
    vowel = [p for p in ph if p.p[0] in "aeiouyɨɤə"]
    at = lambda t: float(env[min(len(env) - 1, int(t / 0.005))])  # noqa: E731
    assert np.mean([at(p.start) for p in ph if p not in vowel]) < np.mean(
        [at((p.start + p.end) / 2) for p in vowel]
    )
    male = synthesize(text, "zh", voice_id="ai_huangyaoshi_712", setup=PREVIOUS)
    assert _median_f0(zh.samples, zh.sample_rate) > 1.2 * _median_f0(male.samples, male.sample_rate)
