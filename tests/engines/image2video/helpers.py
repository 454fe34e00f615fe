"""Shared helpers for the image-to-video tests: small photos, decoding, and motion measurement."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import skimage.data
from skimage.metrics import structural_similarity


def photo(name: str = "astronaut", w: int = 320, h: int = 240) -> np.ndarray:
    """A real photo resized (with a centre crop, no stretch) to ``w``x``h``."""
    src = {
        "astronaut": skimage.data.astronaut,
        "coffee": skimage.data.coffee,
        "chelsea": skimage.data.chelsea,
    }[name]()
    sh, sw = src.shape[:2]
    if sw / sh > w / h:
        cw = round(sh * w / h)
        src = src[:, (sw - cw) // 2 : (sw - cw) // 2 + cw]
    else:
        ch = round(sw * h / w)
        src = src[(sh - ch) // 2 : (sh - ch) // 2 + ch]
    return np.ascontiguousarray(cv2.resize(src, (w, h), interpolation=cv2.INTER_AREA))


def textured(w: int = 320, h: int = 240, seed: int = 0) -> np.ndarray:
    """A synthetic, feature-rich background (smooth noise + grid) for precise motion measurements."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0, 255, (h // 8, w // 8, 3)).astype(np.float32)
    img = cv2.resize(base, (w, h), interpolation=cv2.INTER_CUBIC)
    img[::16, :, :] *= 0.5
    img[:, ::16, :] *= 0.5
    return np.clip(img, 0, 255).astype(np.uint8)


def frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    ga = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)
    gb = cv2.cvtColor(b, cv2.COLOR_RGB2GRAY)
    return float(structural_similarity(ga, gb, data_range=255))


def similarity(
    a: np.ndarray, b: np.ndarray, region: np.ndarray | None = None
) -> tuple[float, float, float, float]:
    """Fit ``b ≈ S(a)`` with a similarity transform from tracked corners: (scale, angle_deg, tx, ty).

    ``region`` restricts the tracked points (bool mask in ``a``). Translation is of the image centre.
    """
    ga, gb = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.cvtColor(b, cv2.COLOR_RGB2GRAY)
    mask = None if region is None else region.astype(np.uint8) * 255
    pts = cv2.goodFeaturesToTrack(ga, 400, 0.01, 5, mask=mask)
    assert pts is not None and len(pts) >= 8
    nxt, st, _ = cv2.calcOpticalFlowPyrLK(ga, gb, pts, None, winSize=(21, 21), maxLevel=4)
    good = st.ravel() == 1
    m, _ = cv2.estimateAffinePartial2D(pts[good], nxt[good], method=cv2.RANSAC, ransacReprojThreshold=2.0)
    assert m is not None
    scale = float(np.hypot(m[0, 0], m[1, 0]))
    angle = float(np.degrees(np.arctan2(m[1, 0], m[0, 0])))
    h, w = ga.shape
    c = np.array([w / 2, h / 2])
    moved = m[:, :2] @ c + m[:, 2]
    return scale, angle, float(moved[0] - c[0]), float(moved[1] - c[1])
