"""Synthetic test videos with known events (shared by the V2A tests and bench/v2a_quality.py).

Every clip is drawn frame by frame with numpy on a textured background (optical flow needs texture), so
the ground truth — when the ball hits the floor, which side moves, when the cut happens — is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kinema.media.video_writer import VideoSettings, VideoWriter


@dataclass
class Clip:
    """A written clip and what happens in it (times in seconds)."""

    path: Path
    fps: int
    n_frames: int
    events: list[float] = field(default_factory=list)
    cuts: list[float] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return self.n_frames / self.fps


def _texture(h: int, w: int, seed: int, tint: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> np.ndarray:
    """A mid-grey, softly blotched surface with fine grain: trackable, but not camouflage."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 1, (h // 16 + 3, w // 16 + 3)).astype(np.float32)
    blotch = cv2.resize(coarse, (w + 48, h + 48), interpolation=cv2.INTER_CUBIC)[24 : 24 + h, 24 : 24 + w]
    gray = 60 + 90 * blotch + rng.uniform(-10, 10, (h, w)).astype(np.float32)
    return np.clip(np.stack([gray * t for t in tint], axis=-1), 0, 255).astype(np.uint8)


def _disc(frame: np.ndarray, cx: float, cy: float, r: float, color: tuple[int, int, int]) -> None:
    h, w = frame.shape[:2]
    y0, y1 = max(0, int(cy - r - 1)), min(h, int(cy + r + 2))
    x0, x1 = max(0, int(cx - r - 1)), min(w, int(cx + r + 2))
    if y0 >= y1 or x0 >= x1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1]
    mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    # shaded, with a pattern that moves with the disc (real objects have texture; flow needs it)
    pattern = 0.9 + 0.1 * np.sign(
        np.sin((xx - cx) * 2.2 / max(r / 4, 1)) * np.sin((yy - cy) * 2.2 / max(r / 4, 1))
    )
    shade = pattern * (1.0 - 0.35 * np.hypot(xx - cx + r / 3, yy - cy + r / 3) / (1.5 * r))
    pix = np.clip(np.array(color, np.float32)[None, :] * shade[mask][:, None], 0, 255).astype(np.uint8)
    frame[y0:y1, x0:x1][mask] = pix


def _write(path: Path, frames: list[np.ndarray] | np.ndarray, fps: int) -> None:
    h, w = frames[0].shape[:2]
    with VideoWriter(path, w, h, VideoSettings(fps=fps, preset="ultrafast", crf=18, threads=1)) as vw:
        for f in frames:
            vw.write(f)


def bouncing_ball(
    path: Path,
    size: tuple[int, int] = (320, 180),
    fps: int = 25,
    seconds: float = 3.0,
    x_frac: float = 0.5,
    bounce_frames: tuple[int, ...] = (14, 33, 52),
    shake_px: float = 0.0,
    noise: float = 0.0,
    radius_frac: float = 0.06,
) -> Clip:
    """A ball drops and bounces off the floor exactly at ``bounce_frames`` (parabolic arcs between them)."""
    w, h = size
    n = round(seconds * fps)
    bg = _texture(h, w, 1)
    floor, top = 0.85 * h, 0.15 * h
    r = max(4.0, h * radius_frac)
    # keep bouncing with the last period after the listed bounces, so every floor contact is a bounce
    bounces = list(bounce_frames)
    period = bounces[-1] - bounces[-2] if len(bounces) > 1 else 20
    while bounces[-1] + period < n + period:
        bounces.append(bounces[-1] + period)
    ys = np.empty(n)
    for i in range(n):
        if i <= bounces[0]:  # dropped from the top: y = top + (floor-top) * (i / b0)^2
            ys[i] = top + (floor - top) * (i / bounces[0]) ** 2
            continue
        prev = max(b for b in bounces if b <= i)
        nxt = min(b for b in bounces if b > i)
        u = (i - prev) / (nxt - prev)
        ys[i] = floor - 4 * (floor - top) * 0.8 * u * (1 - u)
    frames = []
    rng = np.random.default_rng(7)
    pad = int(np.ceil(shake_px)) + 1
    big = cv2.copyMakeBorder(bg, pad, pad, pad, pad, cv2.BORDER_REFLECT) if shake_px else bg
    for i in range(n):
        if shake_px:  # a hand-held camera: the whole scene (ball included) jitters by up to shake_px
            dx, dy = (round(v) for v in rng.uniform(-shake_px, shake_px, 2))
            f = np.ascontiguousarray(big[pad + dy : pad + dy + h, pad + dx : pad + dx + w])
            _disc(f, x_frac * w + dx, ys[i] - r + dy, r, (250, 235, 90))
        else:
            f = bg.copy()
            _disc(f, x_frac * w, ys[i] - r, r, (250, 235, 90))
        if noise:
            f = np.clip(f + rng.normal(0, noise, f.shape), 0, 255).astype(np.uint8)
        frames.append(f)
    _write(path, frames, fps)
    return Clip(path, fps, n, events=[b / fps for b in bounces if 0 < b < n - 1])


def side_mover(
    path: Path, side: str, size: tuple[int, int] = (320, 180), fps: int = 25, seconds: float = 3.0
) -> Clip:
    """A disc shakes back and forth on one side of the frame only (``side`` = ``"left"``/``"right"``)."""
    w, h = size
    n = round(seconds * fps)
    bg = _texture(h, w, 2)
    cx0 = (0.18 if side == "left" else 0.82) * w
    frames = []
    events = []
    period = 12
    for i in range(n):
        phase = (i % period) / period
        dx = (0.12 * w) * (2 * abs(2 * phase - 1) - 1)  # triangle wave: sharp turns at phase 0 and 0.5
        if i % (period // 2) == 0 and 0 < i < n - 1:
            events.append(i / fps)
        f = bg.copy()
        _disc(f, cx0 + dx, 0.5 * h, 0.09 * h, (235, 245, 250))
        frames.append(f)
    _write(path, frames, fps)
    return Clip(path, fps, n, events=events)


def camera_pan(
    path: Path,
    size: tuple[int, int] = (320, 180),
    fps: int = 25,
    seconds: float = 3.0,
    start: float = 1.0,
    end: float = 2.0,
    speed_px: float = 14.0,
) -> Clip:
    """A static scene, then a fast whip pan between ``start`` and ``end`` seconds, then static again."""
    w, h = size
    n = round(seconds * fps)
    world = _texture(h, w * 3, 3)
    x = 0.0
    frames = []
    for i in range(n):
        t = i / fps
        if start <= t < end:
            x += speed_px * np.sin(np.pi * (t - start) / (end - start)) ** 2 * 2
        xi = int(min(x, world.shape[1] - w))
        frames.append(np.ascontiguousarray(world[:, xi : xi + w]))
    _write(path, frames, fps)
    return Clip(path, fps, n)


def scene_cut(
    path: Path, size: tuple[int, int] = (320, 180), fps: int = 25, seconds: float = 3.0, cut_at: float = 1.4
) -> Clip:
    """Two different still scenes (a warm one, then a cool one) with a hard cut at ``cut_at``."""
    w, h = size
    n = round(seconds * fps)
    a = _texture(h, w, 4, (1.0, 0.75, 0.5))
    b = _texture(h, w, 5, (0.5, 0.7, 1.0))
    frames = [a if i / fps < cut_at else b for i in range(n)]
    _write(path, frames, fps)
    return Clip(path, fps, n, cuts=[round(cut_at * fps) / fps])


def camera_zoom(
    path: Path,
    size: tuple[int, int] = (320, 180),
    fps: int = 25,
    seconds: float = 3.0,
    start: float = 1.0,
    end: float = 2.0,
    factor: float = 1.8,
) -> Clip:
    """A static scene, then a fast zoom-in (×``factor``) between ``start`` and ``end``, then static."""
    w, h = size
    n = round(seconds * fps)
    world = _texture(h, w, 6)
    frames = []
    for i in range(n):
        u = float(np.clip((i / fps - start) / (end - start), 0, 1))
        z = 1.0 + (factor - 1.0) * (0.5 - 0.5 * np.cos(np.pi * u))
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, z)
        frames.append(cv2.warpAffine(world, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT))
    _write(path, frames, fps)
    return Clip(path, fps, n)
