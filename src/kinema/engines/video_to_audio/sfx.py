"""Procedural sound-effect generators (48 kHz, numpy/scipy only, every random draw from a passed ``rng``).

* **Impacts** are modal synthesis: a few exponentially decaying partials whose frequencies and decay times
  set the material (wood, metal, glass ...), plus a short filtered-noise transient. The attack is a few
  samples long, so the sound's onset is exactly where the motion event is.
* **Footsteps** are a heel and a toe noise burst 40–70 ms apart with a gritty grain texture.
* **Whooshes** are band-passed noise whose level and brightness follow the camera's speed.
* **Beds** (wind, rain, water, fire crackle, crowd murmur, traffic, birds, room tone) are stationary
  textures built from filtered noise, random grains and slow modulations; they are stereo (independent
  left/right noise) so they sound wide behind the centred events.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from scipy.signal import butter, sosfilt, tf2sos

RATE = 48_000

Rng = np.random.Generator


@lru_cache(maxsize=256)
def _sos(kind: str, freq: float | tuple[float, float], order: int = 2) -> np.ndarray:
    if isinstance(freq, tuple):
        lo, hi = max(10.0, freq[0]), min(0.45 * RATE, freq[1])
        return butter(order, [lo, hi], btype="bandpass", fs=RATE, output="sos")
    return butter(order, min(freq, 0.45 * RATE), btype=kind, fs=RATE, output="sos")


def bandpass(x: np.ndarray, lo: float, hi: float, order: int = 2) -> np.ndarray:
    return sosfilt(_sos("band", (float(round(lo)), float(round(hi))), order), x, axis=0)


def lowpass(x: np.ndarray, f: float, order: int = 2) -> np.ndarray:
    return sosfilt(_sos("lowpass", float(round(f)), order), x, axis=0)


def highpass(x: np.ndarray, f: float, order: int = 2) -> np.ndarray:
    return sosfilt(_sos("highpass", float(round(f)), order), x, axis=0)


_PINK_SOS = tf2sos(
    [0.049922035, -0.095993537, 0.050612699, -0.004408786], [1.0, -2.494956002, 2.017265875, -0.522189400]
)


def pink(n: int, rng: Rng, channels: int = 1) -> np.ndarray:
    """Pink noise (−3 dB/octave, Kellet's 4-pole approximation filter on white noise), unit RMS."""
    x = sosfilt(_PINK_SOS, rng.standard_normal((n + 2000, channels)), axis=0)[2000:]
    x /= np.sqrt(np.mean(x**2)) + 1e-12
    return x if channels > 1 else x[:, 0]


def _env(n: int, attack_s: float, decay_s: float) -> np.ndarray:
    t = np.arange(n) / RATE
    a = max(1, int(attack_s * RATE))
    env = np.exp(-t / max(decay_s, 1e-4))
    env[:a] *= np.linspace(0.0, 1.0, a)
    return env


# --- impacts -----------------------------------------------------------------------------------------

# material: (partials in Hz, decay seconds per partial, relative amplitudes, noise band, noise decay)
_MODES: dict[
    str, tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], tuple[float, float], float]
] = {
    "knock": ((120, 265, 540, 1120), (0.09, 0.06, 0.04, 0.025), (1.0, 0.7, 0.45, 0.3), (150, 4000), 0.012),
    "wood": ((210, 545, 1160, 2050), (0.07, 0.05, 0.03, 0.02), (1.0, 0.7, 0.45, 0.25), (400, 5000), 0.008),
    "metal": (
        (420, 1137, 2243, 3610, 5170),
        (0.8, 0.6, 0.45, 0.3, 0.2),
        (1.0, 0.7, 0.5, 0.35, 0.25),
        (1500, 9000),
        0.01,
    ),
    "glass": ((1790, 3870, 6210, 8650), (0.35, 0.25, 0.18, 0.12), (1.0, 0.6, 0.4, 0.3), (3000, 14000), 0.006),
    "ball": ((140, 310, 720), (0.07, 0.04, 0.02), (1.0, 0.45, 0.2), (200, 3000), 0.015),
    "punch": ((60, 120, 260), (0.12, 0.08, 0.05), (1.0, 0.7, 0.4), (300, 6000), 0.03),
    "tap": ((900, 2400, 5200), (0.025, 0.015, 0.01), (1.0, 0.6, 0.4), (2000, 12000), 0.004),
    "splash": ((180, 420), (0.05, 0.03), (0.4, 0.2), (400, 7000), 0.12),
}


def impact(kind: str, strength: float, rng: Rng, detail: float = 1.0, pitch: float = 1.0) -> np.ndarray:
    """One hit of ``kind`` (see ``_MODES``; ``footstep`` is handled by :func:`footstep`), peak ≈ strength.

    ``detail`` > 1 (ASMR) keeps more of the high partials and the noise transient (close-mic'd); ``pitch``
    scales every partial (the caller lowers it for big moving things, raises it for small ones).
    """
    if kind == "footstep":
        return footstep(strength, rng, detail)
    freqs, decays, amps, band, ndecay = _MODES.get(kind, _MODES["knock"])
    dur = min(1.5, max(decays) * 5 + 0.02)
    n = int(dur * RATE)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    jitter = rng.uniform(0.94, 1.06) * pitch
    for f, d, a in zip(freqs, decays, amps, strict=True):
        fj = f * jitter * rng.uniform(0.98, 1.02)
        if kind == "ball":  # a rubber ball's thump drops in pitch as it leaves the floor
            phase = 2 * np.pi * np.cumsum(fj * (1.0 + 0.35 * np.exp(-t / 0.015))) / RATE
        else:
            phase = 2 * np.pi * fj * t + rng.uniform(0, 2 * np.pi)
        hf = 1.0 if f < 1500 else min(1.0, 0.5 + 0.5 * strength) * detail
        out += a * hf * np.sin(phase) * _env(n, 0.0008, d * (0.8 + 0.4 * strength))
    noise = bandpass(rng.standard_normal(n), band[0], band[1] * min(1.0, 0.6 + 0.4 * detail))
    out += (0.6 + 0.3 * detail) * noise * _env(n, 0.0005, ndecay)
    out /= np.max(np.abs(out)) + 1e-9
    return (strength * out).astype(np.float32)


def footstep(strength: float, rng: Rng, detail: float = 1.0) -> np.ndarray:
    """Heel then toe: two short, gritty noise bursts with a low body thump."""
    n = int(0.25 * RATE)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    body = np.sin(2 * np.pi * rng.uniform(70, 100) * t) * _env(n, 0.001, 0.03)
    out += 0.8 * body
    toe = int(rng.uniform(0.04, 0.07) * RATE)
    grit = bandpass(rng.standard_normal(n) * (rng.random(n) < 0.3), 300, 5000 * detail)
    out += grit * _env(n, 0.0008, 0.025)
    toe_part = 0.6 * grit * _env(n, 0.0008, 0.02)
    out[toe:] += toe_part[: n - toe]
    out /= np.max(np.abs(out)) + 1e-9
    return (strength * out).astype(np.float32)


# --- continuous layers -------------------------------------------------------------------------------


def whoosh(level: np.ndarray, rng: Rng) -> np.ndarray:
    """Air rushing past: noise in three bands crossfaded by ``level`` (0–1, one value per sample)."""
    n = len(level)
    src = rng.standard_normal(n)
    low = bandpass(src, 150, 700)
    mid = bandpass(src, 500, 2200)
    high = bandpass(src, 1800, 7000)
    lv = np.clip(level, 0.0, 1.0)
    out = low * lv + mid * lv**1.5 + 0.6 * high * lv**2.5
    return out.astype(np.float32)


def movement(level: np.ndarray, rng: Rng, detail: float = 1.0) -> np.ndarray:
    """Cloth/rustle texture for things in motion: grainy band-passed noise at ``level`` (per sample)."""
    n = len(level)
    grains = rng.standard_normal(n) * (rng.random(n) < 0.35)
    out = bandpass(grains, 500, 4500 * detail) + 0.4 * bandpass(rng.standard_normal(n), 150, 600)
    return (out * np.clip(level, 0, None)).astype(np.float32)


def _slow(n: int, rng: Rng, rate_hz: float, channels: int = 1) -> np.ndarray:
    """Smooth random modulation (0–1) changing about ``rate_hz`` times per second."""
    k = max(4, int(n / RATE * rate_hz) + 4)
    pts = rng.random((k, channels))
    x = np.linspace(0, k - 3, n)
    i = np.floor(x).astype(int)
    f = (x - i)[:, None]
    f = f * f * (3 - 2 * f)
    out = pts[i] * (1 - f) + pts[i + 1] * f
    return out if channels > 1 else out[:, 0]


def _grains(
    n: int,
    rng: Rng,
    per_s: float,
    make: Callable[[Rng], np.ndarray],
    channels: int = 2,
) -> np.ndarray:
    """Scatter short sounds made by ``make`` at Poisson times, each at a random pan and level.

    At most 24 distinct grains are synthesised and reused (dense textures like rain need thousands).
    """
    out = np.zeros((n, channels))
    count = rng.poisson(per_s * n / RATE)
    bank = [make(rng) for _ in range(min(count, 24))]
    for _ in range(count):
        g = bank[int(rng.integers(0, len(bank)))]
        start = int(rng.integers(0, max(1, n - 1)))
        end = min(n, start + len(g))
        p = rng.uniform(-0.9, 0.9)
        gains = np.array([np.cos((p + 1) * np.pi / 4), np.sin((p + 1) * np.pi / 4)])
        out[start:end] += g[: end - start, None] * gains[None, :] * rng.exponential(0.5)
    return out


def bed(kind: str, n: int, rng: Rng) -> np.ndarray:  # noqa: C901, PLR0915 -- one branch per ambience kind
    """A stereo ambience of ``n`` samples at roughly unit RMS."""
    if kind == "wind":
        base = lowpass(pink(n, rng, 2), 900)
        gust = 0.35 + 0.65 * _slow(n, rng, 0.4, 2)
        whistle = bandpass(rng.standard_normal((n, 2)), 600, 1100) * _slow(n, rng, 0.3, 2) * 0.4
        x = base * gust + whistle
    elif kind == "rain":
        hiss = highpass(pink(n, rng, 2), 1500)

        def drop(r: Rng) -> np.ndarray:
            m = int(0.01 * RATE)
            return highpass(r.standard_normal(m), 2500) * np.exp(-np.arange(m) / (0.002 * RATE))

        x = 0.6 * hiss + 1.5 * _grains(n, rng, 350, drop)
    elif kind == "water":
        body = bandpass(pink(n, rng, 2), 250, 2500) * (0.6 + 0.4 * _slow(n, rng, 3.0, 2))

        def bubble(r: Rng) -> np.ndarray:
            m = int(r.uniform(0.01, 0.04) * RATE)
            t = np.arange(m) / RATE
            f0 = r.uniform(400, 1600)
            return np.sin(2 * np.pi * f0 * t * (1 + 8 * t)) * np.exp(-t / 0.008)

        x = body + 0.8 * _grains(n, rng, 60, bubble)
    elif kind == "fire":
        roar = lowpass(pink(n, rng, 2), 400) * (0.6 + 0.4 * _slow(n, rng, 1.5, 2))

        def crack(r: Rng) -> np.ndarray:
            m = int(r.uniform(0.002, 0.008) * RATE)
            return bandpass(r.standard_normal(m), 1200, 9000) * np.exp(-np.arange(m) / (0.0015 * RATE))

        x = 0.5 * roar + 2.5 * _grains(n, rng, 25, crack)
    elif kind == "crowd":
        voices = np.zeros((n, 2))
        for _ in range(10):
            f = rng.uniform(250, 900)
            v = bandpass(rng.standard_normal(n), f, f * 3.0)
            syll = _slow(n, rng, rng.uniform(3.0, 6.0)) ** 2
            p = rng.uniform(-0.8, 0.8)
            voices += (v * syll)[:, None] * np.array(
                [np.cos((p + 1) * np.pi / 4), np.sin((p + 1) * np.pi / 4)]
            )
        x = voices + 0.3 * bandpass(pink(n, rng, 2), 200, 3000)
    elif kind == "traffic":
        rumble = lowpass(pink(n, rng, 2), 250) * (0.5 + 0.5 * _slow(n, rng, 0.2, 2))
        passes = np.zeros((n, 2))
        for _ in range(max(1, int(n / RATE / 4))):
            c = rng.uniform(0, n / RATE)
            t = np.arange(n) / RATE
            shape = np.exp(-(((t - c) / rng.uniform(0.8, 1.6)) ** 2))
            direction = rng.choice([-1.0, 1.0])
            pan = np.clip(direction * (t - c) / 2.0, -1, 1)
            car = bandpass(rng.standard_normal(n), 80, 1500) * shape
            passes[:, 0] += car * np.cos((pan + 1) * np.pi / 4)
            passes[:, 1] += car * np.sin((pan + 1) * np.pi / 4)
        x = rumble + 1.2 * passes
    elif kind == "birds":

        def chirp(r: Rng) -> np.ndarray:
            m = int(r.uniform(0.05, 0.15) * RATE)
            t = np.arange(m) / RATE
            f0, f1 = r.uniform(2500, 4500), r.uniform(2000, 6000)
            f = f0 + (f1 - f0) * t / t[-1] + 300 * np.sin(2 * np.pi * r.uniform(20, 45) * t)
            return np.sin(2 * np.pi * np.cumsum(f) / RATE) * np.sin(np.pi * t / t[-1]) ** 2

        x = 1.5 * _grains(n, rng, 3.0, chirp) + 0.05 * highpass(pink(n, rng, 2), 2000)
    else:  # room tone: quiet air with a little low-mid body
        air = pink(n, rng, 2)
        x = lowpass(air, 1200) * 0.7 + 0.3 * bandpass(air[::-1], 80, 300)
    x = np.asarray(x, dtype=np.float64)
    x /= np.sqrt(np.mean(x**2)) + 1e-12
    return x.astype(np.float32)
