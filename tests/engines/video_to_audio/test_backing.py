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


def test_sampled_beds_fall_back_to_their_procedural_neighbour() -> None:
    from kinema.engines.video_to_audio.gm_effects import ambience
    from kinema.engines.video_to_audio.sfx import bed

    n = 48_000
    assert np.array_equal(ambience("surf", n, _rng(), "none"), bed("water", n, _rng()))
    assert np.array_equal(ambience("rain", n, _rng()), bed("rain", n, _rng()))
    if find_soundfont("auto") is not None:
        surf = ambience("surf", 3 * n, _rng())
        rms = float(np.sqrt(np.mean(surf.astype(np.float64) ** 2)))
        assert surf.shape == (3 * n, 2) and abs(rms - 1) < 1e-3
        left, right = surf[:, 0].astype(np.float64), surf[:, 1].astype(np.float64)
        assert abs(np.corrcoef(left, right)[0, 1]) < 0.9  # two notes panned apart: a wide bed
