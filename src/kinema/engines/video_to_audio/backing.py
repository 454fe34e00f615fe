"""Which synth plays the music: the SoundFont when there is one, the oscillator synth otherwise.

:func:`play_music` is the one place that chooses, and it says which one played (``music_source`` in the
task's record and the CLI), so a server without the Debian SoundFont is visible, not silently worse.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kinema.engines.video_to_audio.arranger import arrange, motion_level
from kinema.engines.video_to_audio.fluid import AUTO, SoundFontError, find_soundfont, render
from kinema.engines.video_to_audio.music import render_music
from kinema.engines.video_to_audio.prompts import MusicPlan
from kinema.engines.video_to_audio.sfx import RATE, Rng, lowpass

SOUNDFONT, OSCILLATOR, NONE = "soundfont", "oscillator", "none"
#: Lo-fi is low-passed here: its worn, dull top end.
_LOFI_CUTOFF_HZ = 4500.0


def play_music(
    plan: MusicPlan,
    duration: float,
    cuts: list[float],
    rng: Rng,
    *,
    motion: tuple[np.ndarray, np.ndarray] | None = None,
    soundfont: str | Path | None = AUTO,
) -> tuple[np.ndarray, str]:
    """Stereo music of exactly ``duration`` s (peak 1, or silence) and the synth that played it.

    ``motion`` (times, energy) makes each bar's velocities follow the picture; ``soundfont`` is a path,
    ``"auto"`` (the Debian SoundFont when installed) or ``"none"`` (the oscillator synth).
    """
    n = round(duration * RATE)
    if not plan.enabled or n == 0:
        return np.zeros((n, 2), np.float32), NONE
    font = find_soundfont(soundfont)
    if font is not None:
        times, energy = motion if motion is not None else (np.zeros(0), np.zeros(0))
        score = arrange(plan, duration, cuts, motion_level(times, energy), rng)
        try:
            audio = render(font, score.parts, score.notes, n).astype(np.float64)
        except SoundFontError:
            audio = None
        if audio is not None and np.any(audio):
            if plan.mood == "lofi":  # the genre's dull, worn top end
                audio = lowpass(audio, _LOFI_CUTOFF_HZ)
            return (audio / (np.max(np.abs(audio)) + 1e-9)).astype(np.float32), SOUNDFONT
    return render_music(plan, duration, cuts, rng), OSCILLATOR
