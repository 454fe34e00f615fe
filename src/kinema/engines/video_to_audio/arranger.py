"""A small arranger: a :class:`MusicPlan` becomes General MIDI parts and notes for the SoundFont.

It keeps the oscillator music's structure (:mod:`.music`): the bar grid restarts at every section edge
(:func:`.music.section_bounds`, the video's cuts), each section starts two chords further on in the
progression, the same drum patterns play. What it adds is what samples allow:

* **instruments** are GM programs picked by instrument and mood (a rock guitar is a distortion guitar playing
  power chords, a jazz bass an acoustic bass walking, lo-fi piano a tine electric piano);
* **drum kits** by style (rock → Power, jazz → Brush, electronic → TR-808, epic → Orchestra), with a crash
  on each new section's downbeat;
* **energy follows motion**: each bar's velocities scale with the picture's motion in that bar;
* a little **human timing** (±4 ms, ±5 velocity, seeded), so repeated bars are not machine-identical.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kinema.engines.video_to_audio.fluid import DRUM_CHANNEL, Note, Part
from kinema.engines.video_to_audio.music import DRUM_PATTERNS, MAJOR, MINOR, section_bounds
from kinema.engines.video_to_audio.prompts import MusicPlan
from kinema.engines.video_to_audio.sfx import Rng

#: GM program (0-based) of each instrument name, before the mood's own choice (``_MOOD_PROGRAMS``).
PROGRAMS = {
    "piano": 0,
    "strings": 48,
    "pad": 89,
    "brass": 61,
    "pluck": 45,
    "bell": 8,
    "bass": 33,
    "saw": 81,
    "guitar": 25,
    "drone": 49,
    "pulse": 39,
    "organ": 19,
    "choir": 52,
    "flute": 73,
    "harp": 46,
    "cello": 42,
}
_MOOD_PROGRAMS = {
    ("rock", "guitar"): 30,  # distortion guitar
    ("rock", "bass"): 34,  # picked bass
    ("jazz", "bass"): 32,  # acoustic bass
    ("jazz", "guitar"): 26,
    ("lofi", "piano"): 4,  # tine electric piano
    ("lofi", "guitar"): 26,
    ("electronic", "bass"): 38,
    ("electronic", "pad"): 90,  # polysynth
    ("happy", "bass"): 36,
    ("sad", "strings"): 49,  # slow strings
    ("romantic", "strings"): 49,
    ("calm", "strings"): 49,
    ("calm", "guitar"): 24,  # nylon
    ("sad", "guitar"): 24,
    ("romantic", "guitar"): 24,
    ("tense", "drone"): 44,  # tremolo strings
    ("epic", "brass"): 60,  # french horns
}
_KITS = {"rock": 16, "jazz": 40, "electronic": 25, "epic": 48, "lofi": 32}  # bank 128 presets; else Standard
_REVERB = {"calm": 90, "sad": 80, "romantic": 70, "epic": 85, "tense": 75, "rock": 35, "lofi": 30}
#: (velocity, CC7 volume, pan) of each role
_MIX = {  # levelled by rendering each part alone (tested moods within ≈ 6 dB, the lead on top)
    "piano": (96, 120, 54),
    "strings": (84, 108, 44),
    "pad": (70, 80, 64),
    "brass": (84, 96, 74),
    "pluck": (100, 120, 84),
    "bell": (100, 115, 92),
    "bass": (96, 100, 64),
    "saw": (92, 110, 48),
    "guitar": (92, 96, 84),
    "drone": (95, 120, 58),
    "pulse": (84, 90, 64),
    "organ": (72, 86, 70),
    "choir": (70, 96, 50),
    "flute": (88, 110, 80),
    "harp": (90, 112, 84),
    "cello": (84, 108, 50),
}
#: GM drum keys of the oscillator's drum names (``swell`` becomes a crash on the section's downbeat)
_DRUM_KEYS = {"kick": 36, "snare": 38, "clap": 39, "rim": 37, "hat": 42, "ride": 51, "shaker": 70, "boom": 35}
_DRUM_VELOCITY = {
    "kick": 104,
    "snare": 96,
    "clap": 92,
    "rim": 72,
    "hat": 66,
    "ride": 74,
    "shaker": 60,
    "boom": 112,
}
_CRASH = 49
_SUSTAINED = ("pad", "strings", "drone", "organ", "choir", "cello")
_EIGHTHS = ("pluck", "saw", "guitar", "pulse", "harp")


@dataclass(frozen=True)
class Score:
    """What FluidSynth plays: one part per channel and every note."""

    parts: tuple[Part, ...]
    notes: tuple[Note, ...]


def program_for(mood: str, instrument: str) -> int:
    """The GM program an instrument plays in a mood."""
    return _MOOD_PROGRAMS.get((mood, instrument), PROGRAMS.get(instrument, 0))


def parts_for(plan: MusicPlan) -> tuple[Part, ...]:
    """One channel per instrument (channel 9 skipped: it is GM's drum channel), plus the drum kit."""
    parts = []
    reverb = _REVERB.get(plan.mood, 50)
    channels = (c for c in range(16) if c != DRUM_CHANNEL)
    for name, channel in zip(plan.instruments, channels, strict=False):
        _vel, volume, pan = _MIX.get(name, (80, 96, 64))
        chorus = 40 if name in ("pad", "strings", "choir") else 0
        parts.append(Part(channel, program_for(plan.mood, name), 0, volume, pan, reverb, chorus))
    if plan.drums != "none":
        parts.append(Part(DRUM_CHANNEL, _KITS.get(plan.mood, 0), 128, 100, 64, min(reverb, 50)))
    return tuple(parts)


class _Bar:
    """One bar being written: its start, end, chord and energy; notes go into the shared list."""

    def __init__(self, out: list[Note], rng: Rng, t: float, end: float, beat: float, level: float) -> None:
        self.out, self.rng, self.t, self.end, self.beat, self.level = out, rng, t, end, beat, level

    def beats(self, every: float = 1.0, offset: float = 0.0) -> list[float]:
        """Times in the bar at ``offset + k·every`` beats."""
        times, k = [], 0
        while self.t + (offset + k * every) * self.beat < self.end - 1e-3:
            times.append(self.t + (offset + k * every) * self.beat)
            k += 1
        return times

    def add(
        self, at: float, length: float, channel: int, key: int, velocity: float, human: bool = True
    ) -> None:
        if human:
            at += float(self.rng.normal(0.0, 0.004))
            velocity += float(self.rng.normal(0.0, 5.0))
        vel = round(np.clip(velocity * self.level, 1, 127))
        self.out.append(Note(max(0.0, at), max(0.02, length), channel, int(key), vel))


def _play(bar: _Bar, name: str, mood: str, channel: int, chord: list[int], next_root: int) -> None:  # noqa: C901 -- one branch per role
    """Write one instrument's notes for one bar of ``chord`` (MIDI keys, root first)."""
    vel = _MIX.get(name, (80, 96, 64))[0]
    beat, length = bar.beat, bar.end - bar.t
    if name in _SUSTAINED:
        keys = [chord[0] - 12, chord[0] - 5] if name == "drone" else chord
        keys = [k - 12 for k in keys] if name == "cello" else keys
        for k in keys:
            bar.add(bar.t, length + 0.05, channel, k, vel, human=False)
    elif name == "brass":
        for k in (chord[0] - 12, chord[2] - 12):
            bar.add(bar.t, length, channel, k, vel)
    elif name == "piano" and mood == "jazz":  # Charleston comping, rootless
        for at in bar.beats(4.0, 0.0) + bar.beats(4.0, 1.5):
            for k in chord[1:]:
                bar.add(at, 0.8 * beat, channel, k, vel + 4)
    elif name == "piano" and mood == "lofi":
        for at in bar.beats(4.0, 0.0) + bar.beats(4.0, 2.5):
            for j, k in enumerate(chord):
                bar.add(at + 0.015 * j, 1.4 * beat, channel, k, vel - 20)
    elif name == "piano":
        for j, k in enumerate(chord):
            bar.add(bar.t + 0.012 * j, length, channel, k, vel)
        for b, at in enumerate(bar.beats(1.0, 1.0), start=1):
            bar.add(at, beat, channel, chord[b % len(chord)] + 12, vel - 18)
    elif name == "guitar" and mood == "rock":  # power chords on eighths
        for at in bar.beats(0.5):
            for k in (chord[0] - 12, chord[0] - 5, chord[0]):
                bar.add(at, 0.45 * beat, channel, k, vel)
    elif name in _EIGHTHS:
        up = 12 if name in ("pluck", "saw") else 0
        for j, at in enumerate(bar.beats(0.5)):
            key = chord[0] - 12 if name == "pulse" else chord[j % len(chord)] + up
            bar.add(at, 0.45 * beat, channel, key, vel)
    elif name in ("bell", "flute"):
        up = 24 if name == "bell" else 12
        for at in bar.beats(2.0):
            key = chord[int(bar.rng.integers(0, len(chord)))] + up
            bar.add(at, 2 * beat if name == "flute" else beat, channel, key, vel)
    elif name == "bass":
        _bass(bar, mood, channel, chord, next_root, vel)


def _bass(bar: _Bar, mood: str, channel: int, chord: list[int], next_root: int, vel: int) -> None:
    root = chord[0] - 24
    if mood == "jazz":  # walking: root, third, fifth, a half step into the next chord's root
        walk = [root, chord[1] - 24, chord[2] - 24, next_root - 24 + (1 if next_root > chord[0] else -1)]
        for b, at in enumerate(bar.beats(1.0)):
            bar.add(at, 0.9 * bar.beat, channel, walk[b % 4], vel)
    elif mood in ("rock", "electronic"):
        for at in bar.beats(0.5):
            bar.add(at, 0.45 * bar.beat, channel, root, vel)
    else:
        for b, at in enumerate(bar.beats(1.0)):
            bar.add(at, 0.9 * bar.beat, channel, root + (7 if b % 4 == 2 else 0), vel)


def _drums(bar: _Bar, pattern: list[tuple[str, float]], downbeat_crash: bool) -> None:
    for name, pos in pattern:
        if name == "swell":
            continue
        for at in bar.beats(4.0, pos):
            accent = 0.85 if name in ("hat", "shaker") and pos % 1 else 1.0
            bar.add(at, 0.2, DRUM_CHANNEL, _DRUM_KEYS[name], _DRUM_VELOCITY[name] * accent)
    if downbeat_crash:
        bar.add(bar.t, 1.0, DRUM_CHANNEL, _CRASH, 100, human=False)


def motion_level(times: np.ndarray, energy: np.ndarray) -> Callable[[float, float], float]:
    """Energy in (t0, t1) as 0.78–1.0 of full velocity, relative to the clip's busiest moments."""
    if energy.size == 0 or not np.any(energy):
        return lambda _t0, _t1: 0.9
    ref = float(np.percentile(energy, 95)) + 1e-9

    def level(t0: float, t1: float) -> float:
        inside = energy[(times >= t0) & (times < t1)]
        share = float(np.clip(inside.mean() / ref, 0.0, 1.0)) if inside.size else 0.5
        return 0.78 + 0.22 * share

    return level


def arrange(
    plan: MusicPlan, duration: float, cuts: list[float], level: Callable[[float, float], float], rng: Rng
) -> Score:
    """The plan's music as a GM score, exactly ``duration`` seconds of bars, sections on ``cuts``."""
    if not plan.enabled or duration <= 0:
        return Score((), ())
    parts = parts_for(plan)
    channel_of = {name: p.channel for name, p in zip(plan.instruments, parts, strict=False)}
    scale = MINOR if plan.minor else MAJOR
    seventh = plan.mood in ("jazz", "lofi")
    beat = 60.0 / plan.tempo
    pattern = DRUM_PATTERNS.get(plan.drums, [])

    def chord(degree: int) -> list[int]:
        idx = [degree, degree + 2, degree + 4] + ([degree + 6] if seventh else [])
        return [plan.root + 12 * (i // 7) + scale[i % 7] for i in idx]

    notes: list[Note] = []
    prog = plan.progression
    for seg, (s0, s1) in enumerate(itertools.pairwise(section_bounds(duration, cuts))):
        offset, t, k = (seg * 2) % len(prog), s0, 0
        while t < s1 - 1e-3:
            end = min(s1, t + 4 * beat)
            bar = _Bar(notes, rng, t, end, beat, level(t, end))
            now, following = chord(prog[(offset + k) % len(prog)]), chord(prog[(offset + k + 1) % len(prog)])
            for name, channel in channel_of.items():
                _play(bar, name, plan.mood, channel, now, following[0])
            if pattern:
                _drums(bar, pattern, downbeat_crash=seg > 0 and k == 0)
            t, k = end, k + 1
    return Score(parts, tuple(notes))
