"""Language identification for uploads: Whisper when the asr extra is there, else "unknown"."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import resample_poly

from kinema.engines.avatar import language
from kinema.engines.tts import synthesize


def test_codes_are_normalised() -> None:
    assert language.normalise("AUTO") == language.normalise("") == "auto"
    assert language.normalise("en-US") == language.normalise("English") == "en"
    assert language.normalise("zh_CN") == language.normalise("cmn") == language.normalise("yue") == "zh"
    assert language.normalise("fr-CA") == "fr"


def test_without_whisper_the_language_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "_whisper", lambda: None)
    assert language.detect_language(np.zeros(16000, np.float32)) is None
    assert not language.whisper_available()


def test_an_unsure_answer_counts_as_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    import kinema.engines.asr.whisper as whisper

    monkeypatch.setattr(language, "_whisper", lambda: object())
    monkeypatch.setattr(whisper, "detect_language", lambda _m, _s, _r: ("de", 0.3))
    assert language.detect_language(np.zeros(16000, np.float32)) is None
    monkeypatch.setattr(whisper, "detect_language", lambda _m, _s, _r: ("zh", 0.8))
    assert language.detect_language(np.zeros(16000, np.float32)) == ("zh", 0.8)


def test_whisper_identifies_english_speech() -> None:
    if not language.whisper_available():
        pytest.skip("the asr extra (Whisper base) is not installed")
    s = synthesize("Good morning. This is a short test of spoken English.", language="en")
    g = math.gcd(16000, s.sample_rate)
    audio = resample_poly(s.samples.astype(np.float32), 16000 // g, s.sample_rate // g).astype(np.float32)
    found = language.detect_language(audio)
    assert found is not None and found[0] == "en"
