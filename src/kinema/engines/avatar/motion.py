"""Stage 3 — per-frame parameters: mouth (from the speech track), blinks, head motion, expression, camera.

Everything is computed up front as small arrays (a few floats per frame), so the renderer can stream frames
while memory stays flat. Randomness (blink times, sway phases) comes from one seeded generator: the same
inputs and seed give the same video.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

from .prompt import Style
from .speech import MouthTrack


@dataclass
class Motion:
    """Per-frame parameters (all arrays of length ``n``). Angles in radians, offsets in IOD units."""

    fps: int
    open: np.ndarray
    width: np.ndarray
    tongue: np.ndarray
    tuck: np.ndarray
    closure: np.ndarray
    blink: np.ndarray  # 0 open … 1 closed
    yaw: np.ndarray
    pitch: np.ndarray  # positive: chin down (nod)
    roll: np.ndarray  # positive: clockwise in the image
    dx: np.ndarray
    dy: np.ndarray
    smile: np.ndarray
    brow: np.ndarray  # −1 lowered … +1 raised
    zoom: np.ndarray  # camera scale ≥ 1
    pan_x: np.ndarray  # camera centre offset, fraction of width
    pan_y: np.ndarray

    @property
    def n(self) -> int:
        return len(self.open)


def blink_schedule(n: int, fps: int, seed: int, rate_scale: float = 1.0) -> np.ndarray:
    """Natural blinks: gamma-distributed intervals (mean ~3.6 s, never < 1.3 s), ~10 % double blinks,
    fast close (~80 ms) and slower open (~150 ms). Deterministic for a given seed."""
    rng = np.random.default_rng(seed + 7919)
    out = np.zeros(n, np.float32)
    t = float(rng.uniform(0.6, 2.2))
    dur_s = n / fps
    while t < dur_s:
        times = [t]
        if rng.random() < 0.1:
            times.append(t + rng.uniform(0.28, 0.4))
        for t0 in times:
            close_s, hold_s, open_s = rng.uniform(0.06, 0.1), rng.uniform(0.02, 0.05), rng.uniform(0.12, 0.2)
            i0 = int(t0 * fps)
            for i in range(max(0, i0 - 1), min(n, i0 + int((close_s + hold_s + open_s) * fps) + 2)):
                s = (i + 0.5) / fps - t0
                if s < 0:
                    v = 0.0
                elif s < close_s:
                    v = s / close_s
                elif s < close_s + hold_s:
                    v = 1.0
                else:
                    v = max(0.0, 1.0 - (s - close_s - hold_s) / open_s)
                out[i] = max(out[i], v)
        t = times[-1] + max(1.3, float(rng.gamma(4.0, 0.9)) / rate_scale)
    return np.clip(out, 0.0, 1.0) ** 0.8


def _smooth_noise(n: int, fps: int, rng: np.random.Generator, period_s: tuple[float, float]) -> np.ndarray:
    """Sum of three slow sines with random periods/phases: a cheap, smooth, bounded sway (≈ unit std)."""
    t = np.arange(n) / fps
    out = np.zeros(n)
    for _ in range(3):
        p = rng.uniform(*period_s)
        out += np.sin(2 * np.pi * t / p + rng.uniform(0, 2 * np.pi))
    return (out / math.sqrt(1.5)).astype(np.float32)


def _ease(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


def build_motion(track: MouthTrack, n: int, fps: int, style: Style, seed: int = 0) -> Motion:  # noqa: C901, PLR0915 -- adds each gesture layer in turn; to split per gesture
    """Combine the mouth track with blinks, head motion and the prompt's style into per-frame arrays."""
    rng = np.random.default_rng(seed)
    times = (np.arange(n) + 0.5) / fps  # a frame shows the middle of its interval
    m = track.at(times)
    speaking = gaussian_filter1d(m["speaking"], 3)
    loud = m["loudness"]
    e = style.energy
    t = np.arange(n) / fps

    # Stress: prominent loudness peaks while talking → short nods (chin dips then returns, ~0.35 s).
    stress = np.zeros(n, np.float32)
    env = gaussian_filter1d(loud * m["speaking"], 1.5)
    if n > 3:
        peaks, props = find_peaks(env, prominence=0.12, distance=max(1, int(0.35 * fps)))
        for p, prom in zip(peaks, props["prominences"], strict=False):
            stress[p] = min(1.0, prom * 2.5)
    nod_kernel = np.sin(np.linspace(0, np.pi, max(3, int(0.36 * fps)))) ** 2
    stress_nods = np.convolve(stress, nod_kernel, mode="full")[:n]

    deg = math.pi / 180
    sway = 0.35 + 0.65 * speaking  # move more while talking, a little while listening/pausing
    yaw = 1.6 * deg * e * sway * _smooth_noise(n, fps, rng, (2.5, 6.0))
    roll = 1.0 * deg * e * sway * _smooth_noise(n, fps, rng, (3.0, 7.0))
    pitch = (0.8 * deg * e * sway * _smooth_noise(n, fps, rng, (2.0, 5.0))
             + 2.2 * deg * e * stress_nods)
    # Breathing / idle: a slow rise and fall, visible mostly in pauses.
    breath = np.sin(2 * np.pi * t / rng.uniform(3.4, 4.4) + rng.uniform(0, 6.28)).astype(np.float32)
    dy = (0.012 * breath * (1.0 - 0.6 * speaking)).astype(np.float32)
    pitch = pitch + 0.4 * deg * breath * (1.0 - speaking)
    dx = (0.01 * e * _smooth_noise(n, fps, rng, (4.0, 9.0))).astype(np.float32)

    if style.nod:
        pitch = pitch + 4.0 * deg * style.nod * np.maximum(0, np.sin(2 * np.pi * t / 1.6)) ** 2 * np.minimum(
            1, t / 0.5)
    if style.shake:
        burst = _ease((np.sin(2 * np.pi * t / 3.0) + 0.2) * 2)  # shake in bursts, rest between
        yaw = yaw + 6.0 * deg * style.shake * np.sin(2 * np.pi * t * 2.2) * burst
    if style.tilt:
        roll = roll + 5.0 * deg * style.tilt * _ease(t / 0.8)

    # Brows lift a little on stressed syllables (more when excited); the prompt sets their baseline.
    brow = (0.25 * min(e, 1.8) * gaussian_filter1d(stress_nods, 1.5)
            + 0.9 * style.surprise - 0.45 * style.serious)
    smile = np.full(n, 0.9 * style.smile - 0.35 * style.serious, np.float32)
    blink = blink_schedule(n, fps, seed, rate_scale=1.0 + 0.3 * (e - 1))
    if style.surprise:
        blink = blink * 0.9

    zoom: np.ndarray = np.ones(n, np.float32)
    pan_x: np.ndarray = np.zeros(n, np.float32)
    pan_y: np.ndarray = np.zeros(n, np.float32)
    prog = _ease(np.arange(n) / max(1, n - 1))
    if style.camera == "push_in":
        zoom = 1.0 + 0.14 * prog
    elif style.camera == "zoom_out":
        zoom = 1.16 - 0.16 * prog
    elif style.camera.startswith("pan"):
        zoom = np.full(n, 1.12, np.float32)
        span = 0.045  # fraction of width/height (inside the 12 % zoom margin)
        if style.camera == "pan_left":
            pan_x = span * (1 - 2 * prog)
        elif style.camera == "pan_right":
            pan_x = -span * (1 - 2 * prog)
        elif style.camera == "pan_up":
            pan_y = span * (1 - 2 * prog)
        else:
            pan_y = -span * (1 - 2 * prog)

    f32 = np.float32
    return Motion(
        fps=fps,
        open=m["open"], width=m["width"], tongue=m["tongue"], tuck=m["tuck"], closure=m["closure"],
        blink=blink.astype(f32), yaw=yaw.astype(f32), pitch=pitch.astype(f32), roll=roll.astype(f32),
        dx=dx.astype(f32), dy=dy.astype(f32), smile=smile.astype(f32), brow=brow.astype(f32),
        zoom=np.asarray(zoom, f32), pan_x=np.asarray(pan_x, f32), pan_y=np.asarray(pan_y, f32),
    )
