"""Text to audio from the prompt alone: exact length, −16 LUFS, audible, shaped by the words, repeatable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from kinema.engines.base import EngineInputError
from kinema.engines.video_to_audio.evaluate import audio_onsets, spectral_centroid
from kinema.engines.video_to_audio.master import true_peak_db
from kinema.engines.video_to_audio.text_to_audio import render_text_audio, text_to_audio
from kinema.media.audio_io import decode_audio, media_duration

RATE = 48_000


def _lufs(audio: np.ndarray) -> float:
    return float(pyloudnorm.Meter(RATE).integrated_loudness(audio.astype(np.float64)))


def _band_share(audio: np.ndarray, lo: float, hi: float) -> float:
    """The share of the signal's power between ``lo`` and ``hi`` Hz."""
    spectrum = np.abs(np.fft.rfft(audio.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    return float(spectrum[(freqs >= lo) & (freqs < hi)].sum() / spectrum.sum())


@pytest.mark.parametrize(
    ("prompt", "duration"),
    [("rain on a tin roof", 3.0), ("calm piano", 5.5), ("footsteps on wood", 4.2), ("xyzzy", 10.0)],
)
def test_exact_length_loudness_peak_and_sound(prompt: str, duration: float) -> None:
    track = render_text_audio(prompt, duration, seed=3)
    assert track.audio.shape == (round(duration * RATE), 2) and track.audio.dtype == np.float32
    assert abs(_lufs(track.audio) + 16.0) <= 0.5
    assert true_peak_db(track.audio) <= -1.0
    # audible all along, not a burst and silence: every second carries sound
    seconds = track.audio[: int(duration) * RATE].reshape(int(duration), RATE, 2)
    assert np.sqrt((seconds**2).mean(axis=(1, 2))).min() > 1e-3


def test_the_words_choose_what_plays() -> None:
    rain = render_text_audio("rain on a tin roof", 4.0)
    piano = render_text_audio("calm piano", 4.0)
    steps = render_text_audio("footsteps on wood", 4.0)
    nothing_known = render_text_audio("xyzzy", 4.0)
    assert rain.words.beds == ("rain",) and rain.music == "none" and rain.hits == 0
    assert piano.words.beds == () and piano.music == "calm"
    assert steps.words.impacts[0] == "footstep" and steps.hits >= 6 and steps.music == "none"
    assert nothing_known.music == "calm"  # a prompt the tables do not know still sounds


def test_rain_and_piano_differ_in_spectrum() -> None:
    rain = render_text_audio("rain on a tin roof", 4.0).audio
    piano = render_text_audio("calm piano", 4.0).audio
    # rain is broadband hiss, the piano tonal and low: far more of the rain's power is above 2 kHz
    assert _band_share(rain, 2000, 16000) > 0.2 > 0.05 > _band_share(piano, 2000, 16000)
    assert spectral_centroid(rain, RATE) > 2 * spectral_centroid(piano, RATE)


def test_footsteps_are_heard_as_steps() -> None:
    track = render_text_audio("footsteps", 5.0)
    onsets = audio_onsets(track.audio, RATE)
    assert len(onsets) >= 6  # a walking pace, about two steps a second
    gaps = np.diff(onsets)
    assert 0.35 < float(np.median(gaps)) < 0.7


def test_same_seed_same_samples_other_seed_other_samples() -> None:
    a = render_text_audio("wind and birds", 3.0, seed=7).audio
    b = render_text_audio("wind and birds", 3.0, seed=7).audio
    c = render_text_audio("wind and birds", 3.0, seed=8).audio
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(("prompt", "duration"), [("  ", 5.0), ("rain", 0.5), ("rain", 121.0)])
def test_what_the_engine_cannot_render_is_an_input_error(prompt: str, duration: float) -> None:
    with pytest.raises(EngineInputError):
        render_text_audio(prompt, duration)


def test_files_decode_to_the_exact_length(tmp_path: Path) -> None:
    result = text_to_audio("glass clink and a whoosh", 3.7, tmp_path, seed=1, name="clip")
    assert result.wav == tmp_path / "clip.wav" and result.mp3 == tmp_path / "clip.mp3"
    assert len(decode_audio(result.wav, RATE)) == round(3.7 * RATE)
    assert abs(media_duration(result.mp3) - 3.7) < 0.06
    assert abs(len(decode_audio(result.mp3, RATE)) / RATE - 3.7) < 0.06
    assert result.track.words.whoosh and result.track.words.impacts == ("glass",)
