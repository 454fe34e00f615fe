"""Text to audio: sound effects, ambiences and music from the words of a prompt alone, no picture.

The video-to-audio generators do the sounding; this module only decides, from the prompt, what plays and
when, which a video's motion would decide otherwise:

* **impacts** named in the prompt ("knock", "footsteps", "glass") play as a sequence of hits at seeded,
  natural intervals (a walking pace for footsteps, irregular gaps for the rest), panned a little apart;
* **whooshes** ("whoosh", "flying") pass by a few times, each a swell of air;
* **beds** ("rain", "wind", "crowd") play for the whole length;
* **music** plays when the prompt names a mood or an instrument ("calm piano"), and also when it names
  nothing the tables know, so every prompt gives sound rather than silence.

Stems are balanced by loudness (effects in front, beds under them, music under both when they share the
clip) and mastered to −16 LUFS / −1 dBTP, exactly ``duration`` long. Same prompt, duration and seed → the
same samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kinema.engines.base import EngineInputError, ProgressFn, no_progress
from kinema.engines.video_to_audio.analysis import VideoAnalysis
from kinema.engines.video_to_audio.backing import NONE, play_music
from kinema.engines.video_to_audio.fluid import AUTO
from kinema.engines.video_to_audio.gm_effects import ambience
from kinema.engines.video_to_audio.master import master, quick_loudness
from kinema.engines.video_to_audio.prompts import PromptWords, plan_music, words_in
from kinema.engines.video_to_audio.sfx import RATE, Rng, impact, whoosh
from kinema.engines.video_to_audio.soundtrack import seed_for
from kinema.media.audio_io import write_mp3, write_wav

MIN_SECONDS = 1.0
MAX_SECONDS = 120.0

# stem loudness targets in LUFS before mastering (what matters is their differences)
_FRONT_LUFS = -16.0
_BED_UNDER_FX_LUFS = -22.0
_MUSIC_UNDER_SOUND_LUFS = -24.0


@dataclass(frozen=True)
class TextAudio:
    """The mastered stereo audio at 48 kHz and what the prompt made play."""

    audio: np.ndarray
    rate: int
    lufs: float
    true_peak_db: float
    words: PromptWords
    music: str  # the music's mood, or "none"
    hits: int  # impacts placed
    music_source: str = NONE  # soundfont | oscillator | none

    @property
    def summary(self) -> dict[str, object]:
        """What played, for the task's output record and the CLI."""
        return {
            "impacts": list(self.words.impacts),
            "hits": self.hits,
            "beds": list(self.words.beds[:3]),
            "whoosh": self.words.whoosh,
            "music": self.music,
            "music_source": self.music_source,
        }


@dataclass(frozen=True)
class T2AResult:
    """The two files of one text-to-audio render and how they measured."""

    wav: Path
    mp3: Path
    duration: float
    lufs: float
    true_peak_db: float
    track: TextAudio


def _pan(x: np.ndarray, pan: float) -> np.ndarray:
    p = float(np.clip(pan, -1.0, 1.0))
    return np.stack([x * np.cos((p + 1) * np.pi / 4), x * np.sin((p + 1) * np.pi / 4)], axis=-1)


def _at_level(x: np.ndarray, target_lufs: float) -> np.ndarray:
    if not np.any(x):
        return x
    lufs = quick_loudness(x, RATE)
    return x * 10 ** ((target_lufs - lufs) / 20) if np.isfinite(lufs) else x


def _still(duration: float) -> VideoAnalysis:
    """A picture that shows nothing: what the music planner reads when no video decides key or mood."""
    frames = max(2, int(np.ceil(duration * 25)) + 1)
    zeros = np.zeros(frames)
    return VideoAnalysis(
        duration, 25.0, 0, 0, "none", np.arange(frames) / 25.0, zeros, zeros, zeros, zeros, zeros
    )


def _hits(kinds: tuple[str, ...], n: int, rng: Rng) -> tuple[np.ndarray, int]:
    """A sequence of impacts from the first 0.2 s to 0.3 s before the end, cycling through ``kinds``; when
    footsteps come first they are the whole sequence ("footsteps on wood": the wood is the floor)."""
    out = np.zeros((n, 2))
    duration = n / RATE
    walking = kinds[0] == "footstep"
    if walking:
        kinds = kinds[:1]
    t, k = 0.2 + 0.2 * float(rng.random()), 0
    while t < duration - 0.3:
        kind = kinds[k % len(kinds)]
        hit = impact(kind, float(rng.uniform(0.55, 1.0)), rng, 1.0, float(rng.uniform(0.85, 1.15)))
        start = round(t * RATE)
        end = min(n, start + len(hit))
        side = 0.25 * (-1) ** k if walking else float(rng.uniform(-0.5, 0.5))
        out[start:end] += _pan(hit[: end - start], side)
        k += 1
        t += float(rng.uniform(0.48, 0.56)) if walking else float(rng.uniform(0.45, 1.3))
    return out, k


def _whooshes(n: int, rng: Rng) -> np.ndarray:
    """A pass of air every couple of seconds: raised-cosine swells of 0.6–1.0 s, alternating sides."""
    level = np.zeros(n)
    duration = n / RATE
    t, k = 0.3, 0
    side = np.zeros(n)
    while t < duration - 0.4:
        length = float(rng.uniform(0.6, 1.0))
        i0, i1 = round(t * RATE), min(n, round((t + length) * RATE))
        swell = 0.5 - 0.5 * np.cos(np.linspace(0, 2 * np.pi, i1 - i0))
        level[i0:i1] = np.maximum(level[i0:i1], swell)
        side[i0:i1] = np.linspace(-0.6, 0.6, i1 - i0) * (-1) ** k
        t += length + float(rng.uniform(0.8, 2.0))
        k += 1
    air = whoosh(level, rng).astype(np.float64)
    p = np.clip(side, -1, 1)
    return np.stack([air * np.cos((p + 1) * np.pi / 4), air * np.sin((p + 1) * np.pi / 4)], axis=-1)


def render_text_audio(
    prompt: str,
    duration: float,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    soundfont: str | Path | None = AUTO,
) -> TextAudio:
    """Synthesize and master ``duration`` seconds of audio for ``prompt`` (exactly round(duration·48000)
    samples); music on ``soundfont`` (a path, ``"auto"`` or ``"none"`` for the oscillator synth). Raises
    :class:`EngineInputError` for a blank prompt or a length outside 1–120 s."""
    if not prompt.strip():
        raise EngineInputError("prompt: is required")
    if not MIN_SECONDS <= duration <= MAX_SECONDS:
        raise EngineInputError(f"duration: must be between {MIN_SECONDS:g} and {MAX_SECONDS:g} s")
    n = round(duration * RATE)
    rng = seed_for(prompt, "text-to-audio", False, seed)
    words = words_in(prompt)

    fx = np.zeros((n, 2))
    hits = 0
    if words.impacts:
        fx, hits = _hits(words.impacts, n, rng)
    if words.whoosh:
        fx = fx + _whooshes(n, rng)
    progress(0.25)

    beds = np.zeros((n, 2))
    for i, kind in enumerate(words.beds[:3]):
        beds += ambience(kind, n, rng, soundfont) * (1.0 if i == 0 else 0.6)
    progress(0.5)

    wants_music = bool(words.music) or not words.names_sound
    mood, source = "none", NONE
    music = np.zeros((n, 2))
    if wants_music:
        plan = plan_music(prompt, _still(duration))
        mood = plan.mood
        played, source = play_music(plan, duration, [], rng, soundfont=soundfont)
        music = played.astype(np.float64)
    progress(0.75)

    has_fx = bool(np.any(fx))
    mix = _at_level(fx, _FRONT_LUFS)
    mix = mix + _at_level(beds, _BED_UNDER_FX_LUFS if has_fx else _FRONT_LUFS)
    mix = mix + _at_level(music, _MUSIC_UNDER_SOUND_LUFS if words.names_sound else _FRONT_LUFS)
    out, lufs, peak = master(mix, RATE)
    progress(1.0)
    return TextAudio(out[:n], RATE, lufs, peak, words, mood, hits, source)


def text_to_audio(
    prompt: str,
    duration: float,
    out_dir: str | Path,
    *,
    seed: int = 0,
    name: str = "t2a",
    progress: ProgressFn = no_progress,
    soundfont: str | Path | None = AUTO,
) -> T2AResult:
    """Render ``prompt`` and write ``<name>.wav`` and ``<name>.mp3`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    track = render_text_audio(prompt, duration, seed, lambda f: progress(0.8 * f), soundfont)
    wav, mp3 = out / f"{name}.wav", out / f"{name}.mp3"
    write_wav(track.audio, track.rate, wav)
    progress(0.85)
    write_mp3(track.audio, track.rate, mp3, 192_000, fast=True)
    progress(1.0)
    return T2AResult(wav, mp3, len(track.audio) / track.rate, track.lufs, track.true_peak_db, track)
