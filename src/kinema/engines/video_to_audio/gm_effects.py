"""Ambiences that General MIDI's effect programs play better than the procedural beds.

Judged by ear-proxy and spectrogram against :func:`.sfx.bed` (docs/video_to_audio.md, "GM effects"):

* **surf** (GM 122 Sea Shore): waves that swell and break (level varies ±63 % over seconds), where the
  procedural ``water`` is a steady stream (±12 %): it plays for ocean/sea/waves/beach words;
* **applause** (GM 126): clapping, where the procedural ``crowd`` is murmuring voices;
* **helicopter** (GM 125): a rotor's beat, which no procedural bed had.

Bird Tweet (123) is a single 1.3 s call with no loop, worse than the procedural ``birds`` (scattered chirps
all along), so it is not used; Telephone (124) and Gun Shot (127) are events, not beds, and are left for
later. Two notes on two channels, a few semitones apart and panned apart, give a wide, less loop-like bed.
Without the SoundFont each kind falls back to its nearest procedural bed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kinema.engines.video_to_audio.fluid import AUTO, Note, Part, SoundFontError, find_soundfont, render
from kinema.engines.video_to_audio.sfx import Rng, bed

#: bed kind → (GM program, the two keys played, the procedural bed used without the SoundFont)
SAMPLED_BEDS: dict[str, tuple[int, tuple[int, int], str]] = {
    "surf": (122, (60, 55), "water"),
    "applause": (126, (60, 62), "crowd"),
    "helicopter": (125, (60, 60), "traffic"),
}


def ambience(kind: str, n: int, rng: Rng, soundfont: str | Path | None = AUTO) -> np.ndarray:
    """A stereo bed of ``n`` samples at unit RMS: from the SoundFont for :data:`SAMPLED_BEDS`, else
    procedural."""
    if kind not in SAMPLED_BEDS:
        return bed(kind, n, rng)
    program, keys, fallback = SAMPLED_BEDS[kind]
    font = find_soundfont(soundfont)
    if font is not None and n > 0:
        parts = [Part(0, program, pan=24, reverb=30), Part(1, program, pan=104, reverb=30)]
        seconds = n / 48_000 + 1.0
        notes = [Note(0.0, seconds, 0, keys[0], 110), Note(0.37, seconds, 1, keys[1], 104)]
        try:
            x = render(font, parts, notes, n).astype(np.float64)
        except SoundFontError:
            x = np.zeros((n, 2))
        if np.any(x):
            return (x / (np.sqrt(np.mean(x**2)) + 1e-12)).astype(np.float32)
    return bed(fallback, n, rng)
