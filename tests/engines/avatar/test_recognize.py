"""Phones from uploaded speech: hama's recogniser, pocketsphinx allphone, forced alignment of a transcript."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import resample_poly

from kinema.engines.avatar import recognize
from kinema.engines.avatar.speech import phone_viseme
from kinema.engines.tts import synthesize

TEXT = "Bob may move the blue boat."


@pytest.fixture(scope="module")
def piper() -> tuple[np.ndarray, list[tuple[str, float, float]]]:
    """Piper speech at 16 kHz with its exact phones (the reference)."""
    s = synthesize(TEXT, language="en")
    g = math.gcd(16000, s.sample_rate)
    audio = resample_poly(s.samples.astype(np.float32), 16000 // g, s.sample_rate // g).astype(np.float32)
    return audio, [(p.p, p.start, p.end) for p in s.phones]


def _closure_times(phones: list) -> list[float]:
    return [(p[1] + p[2]) / 2 for p in phones if phone_viseme(p[0])[0] == "A"]


def test_hama_finds_the_closures_near_the_true_ones(piper) -> None:
    audio, ref = piper
    got = recognize.hama_phones(audio)
    assert got is not None and len(got) >= 10
    assert all(0 <= p.start < p.end <= len(audio) / 16000 + 0.3 for p in got)
    found = _closure_times([(p.p, p.start, p.end) for p in got])
    true = _closure_times(ref)
    assert len(true) >= 6
    # most true p/b/m have a recognised closure within 80 ms (hama's times are moved to the onset); on this
    # short clip hama misses the first b of "Bob" and hears the m of "move" as n
    near = [min(abs(t - f) for f in found) < 0.08 for t in true]
    assert sum(near) >= 0.6 * len(true)
    # rounded vowels are recognised as rounded (u in "move", "blue"; o in "boat")
    assert sum(phone_viseme(p.p)[0] == "F" for p in got) >= 3


def test_hama_diacritics_join_the_phone_before() -> None:
    assert recognize._has_base_letter("t͡ʃ") and recognize._has_base_letter("oʊ")
    assert not recognize._has_base_letter("̟") and not recognize._has_base_letter("ʰ")


def test_hama_absent_gives_none(monkeypatch: pytest.MonkeyPatch, piper) -> None:
    monkeypatch.setattr(recognize, "hama_available", lambda: False)
    assert recognize.hama_phones(piper[0]) is None


def test_forced_alignment_follows_the_transcript(piper) -> None:
    audio, ref = piper
    got = recognize.aligned_phones(audio, TEXT)
    assert got is not None
    labels = [p.p for p in got if p.p != "SIL"]
    assert labels[:3] == ["B", "AA", "B"]  # "Bob": the dictionary's phones, in order
    true = _closure_times(ref)
    found = _closure_times([(p.p, p.start, p.end) for p in got])
    assert len(found) == len(true)
    assert np.median(np.abs(np.array(found) - np.array(true))) < 0.05


def test_forced_alignment_without_known_words_is_none(piper) -> None:
    assert recognize.aligned_phones(piper[0], "zzqx vvkrt") is None
    assert recognize.transcript_words("Don't stop, Bob!") == ["don't", "stop", "bob"]


def test_allphone_still_runs(piper) -> None:
    got = recognize.allphone_phones(piper[0])
    assert any(p.p in ("B", "M", "P") for p in got)
