"""The music plays on the SoundFont when there is one and says so; the oscillator synth otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kinema.engines.video_to_audio.backing import NONE, OSCILLATOR, SOUNDFONT, play_music
from kinema.engines.video_to_audio.fluid import find_soundfont
from kinema.engines.video_to_audio.music import render_music
from kinema.engines.video_to_audio.prompts import plan_music
from kinema.engines.video_to_audio.text_to_audio import _still


def _rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_the_setting_forces_the_oscillator_synth(tmp_path: Path) -> None:
    plan = plan_music("calm piano", _still(3.0))
    for choice in ("none", tmp_path / "missing.sf3"):
        audio, source = play_music(plan, 3.0, [], _rng(), soundfont=choice)
        assert source == OSCILLATOR
        assert np.array_equal(audio, render_music(plan, 3.0, [], _rng()))


def test_no_music_plays_nothing() -> None:
    audio, source = play_music(plan_music("no music", _still(2.0)), 2.0, [], _rng())
    assert source == NONE and audio.shape == (96_000, 2) and not np.any(audio)


@pytest.mark.skipif(find_soundfont("auto") is None, reason="SoundFont not installed (scripts/setup.sh)")
def test_the_soundfont_plays_the_exact_length_deterministically() -> None:
    plan = plan_music("lo-fi piano", _still(3.3))
    audio, source = play_music(plan, 3.3, [1.5], _rng())
    again, _ = play_music(plan, 3.3, [1.5], _rng())
    assert source == SOUNDFONT and audio.shape == (round(3.3 * 48_000), 2)
    assert abs(float(np.abs(audio).max()) - 1.0) < 1e-6
    assert np.array_equal(audio, again)
