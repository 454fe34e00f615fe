"""Procedural background music from a :class:`MusicPlan`, with its sections aligned to the video's cuts.

A plan gives key, mode, tempo, a four-chord progression (scale degrees), instruments and a drum pattern.
The bar grid restarts at every scene cut, and each new scene starts a new chord, so harmonic changes land
on the picture's edits. Instruments are small additive/subtractive voices (pad, strings, brass, piano,
pluck, bell, bass, saw, guitar, drone, pulse) and synthetic drums; rendered notes are cached, because a
progression repeats the same notes many times.
"""

from __future__ import annotations

import itertools

import numpy as np

from kinema.engines.video_to_audio.prompts import MusicPlan
from kinema.engines.video_to_audio.sfx import RATE, Rng, bandpass, highpass, lowpass

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)


def _hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def _adsr(n: int, attack: float, release: float, decay: float | None = None) -> np.ndarray:
    t = np.arange(n) / RATE
    env = np.ones(n)
    a = max(1, int(attack * RATE))
    env[:a] = np.linspace(0, 1, a)
    if decay is not None:
        env *= np.exp(-t / decay)
    r = min(n, max(1, int(release * RATE)))
    env[n - r :] *= np.linspace(1, 0, r)
    return env


_TABLE = 4096


def _additive(
    freq: float,
    n: int,
    amps: list[float],
    detune_cents: float = 0.0,
    vibrato: float = 0.0,
    inharm: float = 0.0,
) -> np.ndarray:
    """Harmonic tone by wavetable lookup (one table per call; partials above Nyquist are left out)."""
    f = freq * 2 ** (detune_cents / 1200)
    if inharm:  # stretched partials cannot share one period: sum them directly (few, short notes)
        t = np.arange(n) / RATE
        out = np.zeros(n)
        for k, a in enumerate(amps, start=1):
            fk = f * k * (1 + inharm * k * k)
            if fk < 0.45 * RATE:
                out += a * np.sin(2 * np.pi * fk * t)
        return out
    ph = np.arange(_TABLE) / _TABLE
    table = np.zeros(_TABLE)
    for k, a in enumerate(amps, start=1):
        if f * k < 0.45 * RATE and a:
            table += a * np.sin(2 * np.pi * k * ph)
    inc = np.full(n, f / RATE)
    if vibrato:
        inc *= 1.0 + vibrato * np.sin(2 * np.pi * 5.2 * np.arange(n) / RATE)
    phase = np.cumsum(inc)
    return table[((phase % 1.0) * _TABLE).astype(np.int64)]


class _Voice:
    """Renders notes of one instrument, caching by (midi, length)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.cache: dict[tuple[int, int], np.ndarray] = {}

    def note(self, midi: int, dur: float) -> np.ndarray:
        key = (midi, int(dur * 100))
        if key not in self.cache:
            self.cache[key] = self._render(midi, dur).astype(np.float32)
        return self.cache[key]

    def _render(self, midi: int, dur: float) -> np.ndarray:
        f = _hz(midi)
        k = self.kind
        if k in ("pad", "drone"):
            n = int((dur + 0.4) * RATE)
            x = _additive(f, n, [1, 0.5, 0.3, 0.15], -6) + _additive(f, n, [1, 0.5, 0.3, 0.15], 6)
            return lowpass(x, 1800 if k == "pad" else 700) * _adsr(n, 0.35 if k == "pad" else 0.8, 0.4) * 0.5
        if k == "strings":
            n = int((dur + 0.3) * RATE)
            x = _additive(f, n, [1 / h for h in range(1, 9)], 0, vibrato=0.004)
            return lowpass(x, 3000) * _adsr(n, 0.25, 0.3) * 0.5
        if k == "brass":
            n = int((dur + 0.15) * RATE)
            x = np.tanh(1.5 * _additive(f, n, [1, 0.8, 0.6, 0.45, 0.3, 0.2]))
            return lowpass(x, 2500) * _adsr(n, 0.06, 0.15) * 0.5
        if k == "piano":
            n = int(min(dur + 1.0, 2.5) * RATE)
            x = _additive(f, n, [1, 0.5, 0.28, 0.16, 0.09, 0.05], inharm=0.0004)
            return x * _adsr(n, 0.002, 0.05, decay=0.9 if midi < 64 else 0.6)
        if k in ("pluck", "saw"):
            n = int(0.5 * RATE)
            amps = [1, 0.5, 0.33, 0.25] if k == "pluck" else [1 / h for h in range(1, 12)]
            x = _additive(f, n, amps)
            return lowpass(x, 2500 if k == "pluck" else 3500) * _adsr(n, 0.002, 0.05, decay=0.16)
        if k == "bell":
            n = int(2.0 * RATE)
            t = np.arange(n) / RATE
            x = np.sin(2 * np.pi * f * t) + 0.4 * np.sin(2 * np.pi * f * 2.76 * t) * np.exp(-t / 0.4)
            return x * _adsr(n, 0.002, 0.1, decay=0.9) * 0.6
        if k in ("bass", "pulse"):
            n = int(min(dur, 0.6) * RATE) if k == "bass" else int(0.18 * RATE)
            x = _additive(f, n, [1, 0.35, 0.12])
            return x * _adsr(n, 0.005, 0.04, decay=0.35 if k == "bass" else 0.08)
        if k == "guitar":
            n = int(0.45 * RATE)
            x = np.tanh(3 * _additive(f, n, [1, 0.6, 0.4, 0.3, 0.2]))
            return lowpass(x, 3000) * _adsr(n, 0.003, 0.05, decay=0.25) * 0.5
        n = int(dur * RATE)
        return _additive(f, n, [1]) * _adsr(n, 0.01, 0.05)


def _drum(kind: str, rng: Rng) -> np.ndarray:
    if kind == "kick":
        n = int(0.35 * RATE)
        t = np.arange(n) / RATE
        f = 45 + 90 * np.exp(-t / 0.03)
        return np.sin(2 * np.pi * np.cumsum(f) / RATE) * np.exp(-t / 0.12)
    if kind in ("snare", "clap", "rim"):
        n = int(0.2 * RATE)
        t = np.arange(n) / RATE
        noise = bandpass(rng.standard_normal(n), 900 if kind != "rim" else 2000, 8000)
        body = np.sin(2 * np.pi * 190 * t) * np.exp(-t / 0.04) if kind == "snare" else 0.0
        return (0.8 * noise * np.exp(-t / (0.06 if kind != "rim" else 0.015)) + 0.5 * body) * 0.8
    if kind in ("hat", "ride", "shaker"):
        n = int((0.05 if kind != "ride" else 0.4) * RATE)
        t = np.arange(n) / RATE
        x = highpass(rng.standard_normal(n), 6000 if kind != "shaker" else 3500)
        return x * np.exp(-t / (0.02 if kind != "ride" else 0.15)) * (0.35 if kind != "ride" else 0.25)
    if kind == "swell":  # a reversed cymbal-ish rise that lands on a cut
        n = int(0.8 * RATE)
        t = np.arange(n) / RATE
        return highpass(rng.standard_normal(n), 3000) * (t / t[-1]) ** 3 * 0.4
    n = int(0.5 * RATE)
    t = np.arange(n) / RATE
    return np.sin(2 * np.pi * 70 * t) * np.exp(-t / 0.25)  # boom


#: Drum patterns by name: (drum, beat position within a 4-beat bar). The SoundFont arranger plays them too.
DRUM_PATTERNS: dict[str, list[tuple[str, float]]] = {
    "four": [("kick", b) for b in (0, 1, 2, 3)]
    + [("hat", b + 0.5) for b in range(4)]
    + [("clap", 1), ("clap", 3)],
    "rock": [("kick", 0), ("kick", 2), ("kick", 2.5), ("snare", 1), ("snare", 3)]
    + [("hat", b / 2) for b in range(8)],
    "halftime": [("kick", 0), ("kick", 1.5), ("snare", 2), ("boom", 0)],
    "soft": [("kick", 0), ("rim", 2)] + [("shaker", b / 2) for b in range(8)],
    "swing": [("ride", b) for b in range(4)]
    + [("ride", b + 0.66) for b in range(4)]
    + [("rim", 1), ("rim", 3), ("kick", 0)],
}


def _place(buf: np.ndarray, x: np.ndarray, t: float, gain: float, pan: float) -> None:
    s = round(t * RATE)
    if s >= len(buf) or s + len(x) <= 0:
        return
    x = x[max(0, -s) :]
    s = max(0, s)
    e = min(len(buf), s + len(x))
    g = np.array([np.cos((pan + 1) * np.pi / 4), np.sin((pan + 1) * np.pi / 4)]) * gain
    buf[s:e] += x[: e - s, None] * g[None, :]


def section_bounds(duration: float, cuts: list[float]) -> list[float]:
    """Section edges: 0, each cut at least 0.6 s after the previous edge and 0.4 s before the end, the end."""
    bounds = [0.0]
    for c in sorted(cuts):
        if c - bounds[-1] > 0.6 and duration - c > 0.4:
            bounds.append(c)
    bounds.append(duration)
    return bounds


#: Instruments that only the SoundFont has, and the oscillator voice that stands in for each.
VOICE_FOR = {"organ": "pad", "choir": "pad", "flute": "strings", "harp": "pluck", "cello": "strings"}


def render_music(plan: MusicPlan, duration: float, cuts: list[float], rng: Rng) -> np.ndarray:  # noqa: C901, PLR0915 -- every instrument in one loop; to split per voice (review §4.5)
    """Stereo music of exactly ``duration`` seconds (unnormalised, roughly unit peak)."""
    n = round(duration * RATE)
    buf = np.zeros((n, 2))
    if not plan.enabled or n == 0:
        return buf.astype(np.float32)
    scale = MINOR if plan.minor else MAJOR
    beat = 60.0 / plan.tempo
    bar = 4 * beat
    bounds = section_bounds(duration, cuts)
    voices = {VOICE_FOR.get(k, k): _Voice(VOICE_FOR.get(k, k)) for k in plan.instruments}
    drums = DRUM_PATTERNS.get(plan.drums, [])
    drum_cache: dict[str, np.ndarray] = {}
    seventh = plan.mood in ("jazz", "lofi")

    def chord_notes(degree: int, octave: int) -> list[int]:
        idx = [degree, degree + 2, degree + 4] + ([degree + 6] if seventh else [])
        return [plan.root + 12 * (octave + i // 7) + scale[i % 7] for i in idx]

    for seg, (s0, s1) in enumerate(itertools.pairwise(bounds)):
        if seg > 0 and plan.drums != "none":
            _place(buf, _drum("swell", rng), s0 - 0.8, 0.5, 0.0)
        offset = (seg * 2) % len(plan.progression)
        t = s0
        k = 0
        while t < s1 - 1e-3:
            bar_end = min(s1, t + bar)
            length = bar_end - t
            degree = plan.progression[(offset + k) % len(plan.progression)]
            notes = chord_notes(degree, 0)
            for name, v in voices.items():
                if name in ("pad", "strings", "drone"):
                    chosen = notes if name != "drone" else [notes[0] - 12, notes[0] - 5]
                    for j, m in enumerate(chosen):
                        _place(buf, v.note(m, length), t, 0.25, -0.4 + 0.4 * j)
                elif name == "brass":
                    for m in (notes[0] - 12, notes[2] - 12):
                        _place(buf, v.note(m, length), t, 0.25, 0.0)
                elif name == "piano":
                    for j, m in enumerate(notes):
                        _place(buf, v.note(m, length), t + 0.012 * j, 0.22, -0.2 + 0.2 * j)
                    b = 1
                    while t + b * beat < bar_end - 1e-3:
                        _place(buf, v.note(notes[b % len(notes)] + 12, beat), t + b * beat, 0.16, 0.3)
                        b += 1
                elif name in ("pluck", "saw", "guitar", "pulse"):
                    step = beat / 2
                    j = 0
                    while t + j * step < bar_end - 1e-3:
                        m = notes[j % len(notes)] + (12 if name in ("pluck", "saw") else 0)
                        if name == "guitar":
                            for q, mm in enumerate((notes[0], notes[0] + 7, notes[0] + 12)):
                                _place(buf, v.note(mm - 12, step), t + j * step + 0.006 * q, 0.16, 0.25)
                        elif name == "pulse":
                            _place(buf, v.note(notes[0] - 12, step), t + j * step, 0.3, 0.0)
                        else:
                            _place(buf, v.note(m, step), t + j * step, 0.18, 0.35 * (1 if j % 2 else -1))
                        j += 1
                elif name == "bell":
                    b = 0
                    while t + b * 2 * beat < bar_end - 1e-3:
                        m = notes[int(rng.integers(0, len(notes)))] + 24
                        _place(
                            buf, v.note(m, 2 * beat), t + b * 2 * beat, 0.12, float(rng.uniform(-0.6, 0.6))
                        )
                        b += 1
                elif name == "bass":
                    b = 0
                    while t + b * beat < bar_end - 1e-3:
                        m = notes[0] - 24 + (7 if b % 4 == 2 else 0)
                        _place(buf, v.note(m, beat), t + b * beat, 0.45, 0.0)
                        b += 1
            for name, pos in drums:
                at = t + pos * beat
                if at < bar_end - 1e-3:
                    if name not in drum_cache:
                        drum_cache[name] = _drum(name, rng)
                    _place(buf, drum_cache[name], at, 0.5, 0.15 if name in ("hat", "ride", "shaker") else 0.0)
            t = bar_end
            k += 1
    peak = float(np.max(np.abs(buf))) + 1e-9
    return (buf / peak).astype(np.float32)
