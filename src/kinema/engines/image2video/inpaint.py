"""Fill what moving layers uncover: holes behind objects, and a margin outside the photo.

Both fills are computed once per clip, never per frame. Holes are filled at low resolution (cost does not
grow with the photo; what is revealed is a band a few percent wide next to a moving edge, where low-frequency
colour continuity matters most), then given back some of the surrounding grain so the fill does not read as a
smear. The outside margin is a mirror of the border that is blurred more the further it gets from the photo,
so a camera move that shows a little beyond the frame reveals quiet colour instead of a hard mirror line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import cv2
import numpy as np

FillFn = Callable[..., np.ndarray]


class FillCache:
    """:func:`fill_holes` with a memory, for the shots of one multi-shot clip: they cut the same objects out
    of the same photo, so each distinct (picture, hole, size, seed) is filled once (and handed out as a
    copy). Lives as long as one clip."""

    def __init__(self) -> None:
        self._done: dict[bytes, np.ndarray] = {}

    def __call__(self, rgb: np.ndarray, hole: np.ndarray, work_side: int = 384, seed: int = 0) -> np.ndarray:
        digest = hashlib.blake2b(digest_size=16)
        for part in (rgb, hole):
            digest.update(str(part.shape).encode())
            digest.update(np.ascontiguousarray(part).view(np.uint8).data)
        digest.update(f"{work_side}:{seed}".encode())
        key = digest.digest()
        if key not in self._done:
            self._done[key] = fill_holes(rgb, hole, work_side=work_side, seed=seed)
        return self._done[key].copy()


def fill_holes(rgb: np.ndarray, hole: np.ndarray, work_side: int = 384, seed: int = 0) -> np.ndarray:
    """Return ``rgb`` with the pixels where ``hole`` > 0 replaced by a fill from the surroundings."""
    if not hole.any():
        return rgb.copy()
    h, w = hole.shape
    scale = min(1.0, work_side / max(h, w))
    sw, sh = max(8, round(w * scale)), max(8, round(h * scale))
    small = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA)
    small_hole = cv2.resize((hole > 0).astype(np.uint8) * 255, (sw, sh), interpolation=cv2.INTER_AREA)
    small_hole = cv2.dilate((small_hole > 0).astype(np.uint8) * 255, np.ones((3, 3), np.uint8))
    filled_small = _push_pull(small, small_hole > 0)
    filled_small = cv2.inpaint(filled_small, small_hole, 3, cv2.INPAINT_TELEA)
    # a light blur hides Telea's radial streaks without losing the colour layout
    filled_small = cv2.GaussianBlur(filled_small, (0, 0), 1.2)
    filled = cv2.resize(filled_small, (w, h), interpolation=cv2.INTER_CUBIC)
    filled = _add_grain(filled, rgb, hole > 0, seed)
    alpha = cv2.GaussianBlur((hole > 0).astype(np.float32), (0, 0), 1.0)
    alpha = np.maximum(alpha, (hole > 0).astype(np.float32))[..., None]
    out = rgb.astype(np.float32) * (1.0 - alpha) + filled.astype(np.float32) * alpha
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _push_pull(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Smooth membrane fill (pyramid normalised convolution): a colour prior for Telea in big holes."""
    img = rgb.astype(np.float32)
    wgt = (~hole).astype(np.float32)
    levels: list[tuple[np.ndarray, np.ndarray]] = []
    cur_i: np.ndarray = img * wgt[..., None]
    cur_w: np.ndarray = wgt
    while min(cur_w.shape) > 4:
        levels.append((cur_i, cur_w))
        cur_i = cv2.pyrDown(cur_i)
        cur_w = cv2.pyrDown(cur_w)
    est = cur_i / np.maximum(cur_w, 1e-6)[..., None]
    for lvl_i, lvl_w in reversed(levels):
        up = cv2.resize(est, (lvl_w.shape[1], lvl_w.shape[0]), interpolation=cv2.INTER_LINEAR)
        known = lvl_i / np.maximum(lvl_w, 1e-6)[..., None]
        a = np.clip(lvl_w * 2.0, 0.0, 1.0)[..., None]
        est = known * a + up * (1.0 - a)
    out = rgb.copy()
    out[hole] = np.clip(est[hole], 0, 255).astype(np.uint8)
    return out


def _add_grain(filled: np.ndarray, rgb: np.ndarray, hole: np.ndarray, seed: int) -> np.ndarray:
    """Give the fill the *local* fine-noise level around it (smooth stays smooth, grain stays grain).

    One global noise level would speckle a fill next to a clean backdrop; instead the local amplitude of the
    photo's high-pass is measured around the hole and carried into it with the same membrane fill.
    """
    known = ~hole
    if known.sum() < 64:
        return filled
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    hp = np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 1.5))
    h, w = hole.shape
    scale = min(1.0, 128 / max(h, w))
    sw, sh = max(8, round(w * scale)), max(8, round(h * scale))
    amp_small = cv2.resize(hp, (sw, sh), interpolation=cv2.INTER_AREA)
    hole_small = cv2.resize(hole.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST) > 0
    amp_small = _push_pull(amp_small[..., None].repeat(3, axis=2).astype(np.float32), hole_small)[..., 0]
    amp = cv2.resize(amp_small.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    amp = np.minimum(amp, 5.0)  # edges inflate the measure; cap it so the fill never speckles
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.normal(0.0, 1.0, size=hole.shape).astype(np.float32), (0, 0), 0.7) * 2.0
    out = filled.astype(np.float32) + (noise * amp * hole)[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def pad_outside(rgb: np.ndarray, mx: int, my: int) -> np.ndarray:
    """Extend the photo by ``mx``/``my`` pixels: mirrored border, blurred with distance from the photo."""
    if mx == 0 and my == 0:
        return rgb.copy()
    padded = cv2.copyMakeBorder(rgb, my, my, mx, mx, cv2.BORDER_REFLECT_101)
    ph, pw = padded.shape[:2]
    sigma = max(2.0, 0.25 * max(mx, my))
    small_scale = 0.25
    small = cv2.resize(padded, None, fx=small_scale, fy=small_scale, interpolation=cv2.INTER_AREA)
    blurred = cv2.resize(
        cv2.GaussianBlur(small, (0, 0), sigma * small_scale), (pw, ph), interpolation=cv2.INTER_LINEAR
    )
    yy = np.arange(ph, dtype=np.float32)[:, None]
    xx = np.arange(pw, dtype=np.float32)[None, :]
    dx = np.maximum(np.maximum(mx - xx, xx - (pw - 1 - mx)), 0.0) / max(mx, 1)
    dy = np.maximum(np.maximum(my - yy, yy - (ph - 1 - my)), 0.0) / max(my, 1)
    wgt = np.clip(np.maximum(dx, dy) * 1.3, 0.0, 1.0)[..., None]
    out = padded.copy()
    # only the four margin strips change (inside the photo the weight is 0): blend just those
    strips = [
        (slice(0, my), slice(0, pw)),
        (slice(ph - my, ph), slice(0, pw)),
        (slice(my, ph - my), slice(0, mx)),
        (slice(my, ph - my), slice(pw - mx, pw)),
    ]
    for sy, sx in strips:
        a = wgt[sy, sx]
        mixed = padded[sy, sx].astype(np.float32) * (1.0 - a) + blurred[sy, sx].astype(np.float32) * a
        out[sy, sx] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    return out
