"""Speech stage: visemes from exact phones, closures on p/b/m, rest in silences, acoustic fallback."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from kinema.engines.avatar import speech
from kinema.engines.avatar.speech import (
    RATE,
    Phone,
    acoustic_targets,
    build_track,
    load_phones_json,
    phone_viseme,
)

from .synth import SR, utterance, vowel


def test_phone_labels_map_to_visemes() -> None:
    assert phone_viseme("p")[0] == phone_viseme("m")[0] == phone_viseme("B")[0] == "A"
    assert phone_viseme("ˈɑː")[0] == "D"  # stress and length marks are ignored
    assert phone_viseme("iː") == ("B", True)  # spread
    assert phone_viseme("u")[0] == phone_viseme("UW")[0] == "F"  # rounded
    assert phone_viseme("SIL")[0] == "X"
    assert phone_viseme("f")[0] == "G" and phone_viseme("l")[0] == "H"


def test_closure_on_pbm_and_open_on_vowels(speech: tuple[Path, Path, np.ndarray, list[dict]]) -> None:
    _wav, js, audio, phones = speech
    track = build_track(audio, phones=load_phones_json(js))
    assert track.source == "phones"
    t = np.arange(len(track.open)) / RATE
    closed = [p for p in phones if p["p"] in ("p", "b", "m")]
    assert len(closed) >= 5
    for p in closed:
        mid = (p["start"] + p["end"]) / 2
        assert np.interp(mid, t, track.open) < 0.03, p
    for p in phones:
        if p["p"] in ("ɑ",):
            mid = (p["start"] + p["end"]) / 2
            assert np.interp(mid, t, track.open) > 0.35, p
    # rounded vowels narrow the mouth, spread ones widen it
    w_u = [np.interp((p["start"] + p["end"]) / 2, t, track.width) for p in phones if p["p"] == "u"]
    w_i = [np.interp((p["start"] + p["end"]) / 2, t, track.width) for p in phones if p["p"] == "i"]
    assert max(w_u) < 0 < min(w_i)
    # the mouth rests in the leading silence
    assert track.open[: int(0.2 * RATE)].max() < 0.02


def test_timeline_anticipates_sound_slightly() -> None:
    audio, phones = utterance([("", "a")])
    track = build_track(audio, phones=[Phone(**p) for p in phones])
    onset = phones[0]["start"]
    t = np.arange(len(track.open)) / RATE
    first_open = t[np.argmax(track.open > 0.05)]
    assert onset - 0.08 <= first_open <= onset + 0.04


def test_acoustic_method_separates_vowels() -> None:
    seq = [vowel(v, 0.4) for v in ("a", "i", "u")]
    gap = np.zeros(int(0.2 * SR), np.float32)
    audio = np.concatenate([gap, seq[0], gap, seq[1], gap, seq[2], gap])
    n = int(len(audio) / SR * RATE) + 1
    open_, width, _closure = acoustic_targets(audio, n)

    def mid(k: int) -> slice:
        start = 0.2 + k * 0.6 + 0.1
        return slice(int(start * RATE), int((start + 0.2) * RATE))

    assert open_[mid(0)].mean() > open_[mid(1)].mean() + 0.2  # a is more open than i
    assert width[mid(1)].mean() > width[mid(2)].mean() + 0.5  # i is spread, u is rounded


def test_other_languages_use_acoustic_and_still_follow_loudness(
        speech: tuple[Path, Path, np.ndarray, list[dict]]) -> None:
    _wav, _js, audio, _phones = speech
    track = build_track(audio, language="fr")
    assert track.source == "acoustic"
    r = np.corrcoef(track.open, track.loudness)[0, 1]
    assert r > 0.5


def test_recognition_path_runs_on_english_audio(speech: tuple[Path, Path, np.ndarray, list[dict]]) -> None:
    _wav, _js, audio, _phones = speech
    track = build_track(audio, language="en")
    assert track.source in ("pocketsphinx", "acoustic")
    assert np.isfinite(track.open).all() and track.open.max() > 0.2


def test_silence_keeps_the_mouth_at_rest() -> None:
    for audio in (np.zeros(SR, np.float32), np.random.default_rng(0).normal(0, 1e-4, SR).astype(np.float32)):
        track = build_track(audio)
        assert not track.speaking.any()
        assert track.open.max() < 0.01


# ----------------------------------------------------------------------------------------------- source pick
@pytest.fixture(scope="module")
def piper16() -> np.ndarray:
    from scipy.signal import resample_poly

    from kinema.engines.tts import synthesize
    from kinema.engines.tts.types import TtsSetup

    # Piper, whose exact phones these checks were tuned on (Kokoro is the default English engine)
    text = "Peter picked a bunch of blue balloons by Monday."
    s = synthesize(text, language="en", setup=TtsSetup(en="piper"))
    assert s.sample_rate == 22050
    return resample_poly(s.samples.astype(np.float32), 320, 441).astype(np.float32)  # 22.05 kHz → 16 kHz


def test_identified_mandarin_uses_hama_else_the_acoustic_method(monkeypatch: pytest.MonkeyPatch,
                                                                 piper16) -> None:
    monkeypatch.setattr(speech, "detect_language", lambda _a: ("zh", 0.97))
    track = build_track(piper16)
    assert (track.source, track.language) == ("hama", "zh")
    monkeypatch.setattr(speech, "hama_phones", lambda _a: None)  # no hama: no English allphone for Mandarin
    assert build_track(piper16).source == "acoustic"


def test_languages_without_a_recogniser_use_the_acoustic_method(monkeypatch: pytest.MonkeyPatch,
                                                                piper16) -> None:
    monkeypatch.setattr(speech, "detect_language", lambda _a: ("de", 0.9))
    track = build_track(piper16)
    assert (track.source, track.language) == ("acoustic", "de")


def test_identified_english_uses_hama(monkeypatch: pytest.MonkeyPatch, piper16) -> None:
    monkeypatch.setattr(speech, "detect_language", lambda _a: ("en", 0.99))
    track = build_track(piper16)
    assert (track.source, track.language) == ("hama", "en")
    assert track.closure.sum() > 0 and track.width.min() < -0.3  # closures and rounding (blue, balloons)


def test_unknown_language_without_hama_falls_back_to_pocketsphinx(monkeypatch: pytest.MonkeyPatch,
                                                                  piper16) -> None:
    monkeypatch.setattr(speech, "detect_language", lambda _a: None)  # no Whisper
    monkeypatch.setattr(speech, "hama_phones", lambda _a: None)  # no hama
    track = build_track(piper16)
    assert (track.source, track.language) == ("pocketsphinx", "auto")


def test_a_transcript_is_force_aligned(piper16) -> None:
    track = build_track(piper16, language="en", transcript="Peter picked a bunch of blue balloons by Monday.")
    assert track.source == "aligned"
    # a transcript that does not match the words still gives a track (recognition instead)
    assert build_track(piper16, language="en", transcript="qqq zzz").source == "hama"


def test_hama_is_held_to_a_lower_coverage_than_allphone() -> None:
    talk = np.ones(400, bool)  # 4 s of "speech" (a noisy recording: the mask covers the pauses too)
    phones = [Phone("a", 0.2 * k, 0.2 * k + 0.09) for k in range(20)]  # 5 phones/s over 45 % of it
    assert speech._recognition_weak(phones, talk)
    assert not speech._recognition_weak(phones, talk, 0.4)
def test_hama_runs_once_beside_language_identification(monkeypatch: pytest.MonkeyPatch, piper16) -> None:
    """With the language unknown, hama runs beside Whisper's language ID (in another thread) and its phones
    are used once English is identified; it is not run a second time."""
    threads: list[str] = []
    real_hama = speech.hama_phones

    def hama(audio: np.ndarray) -> list[Phone] | None:
        threads.append(threading.current_thread().name)
        return real_hama(audio)

    def detect(_audio: np.ndarray) -> tuple[str, float]:
        threads.append(threading.current_thread().name)
        time.sleep(0.2)  # hama is already running by now
        return ("en", 0.99)

    monkeypatch.setattr(speech, "hama_phones", hama)
    monkeypatch.setattr(speech, "detect_language", detect)
    parallel = build_track(piper16)
    assert len(threads) == 2 and threads[0] != threads[1]  # hama once, language ID in another thread
    serial = build_track(piper16, language="en")  # language given: hama alone, in this thread
    assert (parallel.source, parallel.language) == ("hama", "en")
    assert np.array_equal(parallel.open, serial.open) and np.array_equal(parallel.closure, serial.closure)
