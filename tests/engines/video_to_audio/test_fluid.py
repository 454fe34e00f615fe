"""FluidSynth through ctypes: the SoundFont is found by the setting's rules and renders deterministically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kinema.engines.video_to_audio.evaluate import spectral_centroid
from kinema.engines.video_to_audio.fluid import (
    DEBIAN_SOUNDFONTS,
    DRUM_CHANNEL,
    Note,
    Part,
    find_soundfont,
    render,
)

FONT = find_soundfont("auto")
needs_font = pytest.mark.skipif(
    FONT is None, reason="fluidsynth + musescore-general-soundfont-small not installed (scripts/setup.sh)"
)


def test_the_setting_turns_the_soundfont_off_or_names_a_file(tmp_path: Path) -> None:
    for off in ("none", "off", "", " None ", None):
        assert find_soundfont(off) is None
    assert find_soundfont(tmp_path / "missing.sf2") is None
    if FONT is not None:
        assert FONT in DEBIAN_SOUNDFONTS
        assert find_soundfont(str(FONT)) == FONT


def _chord(program: int) -> tuple[list[Part], list[Note]]:
    parts = [Part(0, program), Part(DRUM_CHANNEL, 0, 128)]
    notes = [Note(0.1 + 0.5 * i, 0.4, 0, 60 + 4 * (i % 3), 100) for i in range(4)]
    notes += [Note(0.1 + 0.5 * i, 0.1, DRUM_CHANNEL, 36, 110) for i in range(4)]
    return parts, notes


@needs_font
def test_same_score_same_samples_even_after_another_render() -> None:
    assert FONT is not None
    piano = _chord(0)
    first = render(FONT, *piano, 48_000 * 2)
    render(FONT, *_chord(30), 48_000 * 2)  # a different instrument in between leaves nothing behind
    again = render(FONT, *piano, 48_000 * 2)
    assert first.shape == (96_000, 2) and first.dtype == np.float32
    assert np.abs(first).max() > 0.01
    assert np.array_equal(first, again)


@needs_font
def test_notes_start_on_their_sample_and_programs_change_the_timbre() -> None:
    assert FONT is not None
    n = 48_000
    flute = render(FONT, [Part(0, 73)], [Note(0.5, 0.4, 0, 72, 100)], n)
    assert np.abs(flute[: 24_000 - 128]).max() < 1e-6  # silent until the note (64-sample blocks)
    assert np.abs(flute[24_000 : 24_000 + 4800]).max() > 0.01
    guitar = render(FONT, [Part(0, 30)], [Note(0.5, 0.4, 0, 72, 100)], n)
    assert spectral_centroid(guitar, 48_000) > 1.5 * spectral_centroid(flute, 48_000)
