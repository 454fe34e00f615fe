"""Motion brush: static and dynamic masks, checked and turned into per-frame offsets.

Upstream fails the *task* (not the request) when a mask's aspect ratio differs from the image's or when the
masks disagree in resolution, so those checks live here and raise :class:`EngineInputError` with the sizes in
the message. Trajectory points are pixel positions in the image with the origin at the **bottom-left**; they
are timed evenly over the clip and joined by straight segments, as upstream documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kinema.engines.base import EngineInputError

MAX_DYNAMIC_MASKS = 6
ASPECT_TOLERANCE = 0.02


def read_mask(src: Path | np.ndarray, name: str) -> np.ndarray:
    """Load a mask as a 2-D uint8 array (grey, or the alpha channel when it carries the drawing)."""
    arr: np.ndarray
    if isinstance(src, np.ndarray):
        arr = src
    else:
        loaded = cv2.imread(str(src), cv2.IMREAD_UNCHANGED)
        if loaded is None:
            raise EngineInputError(f"{name} is not a readable jpg/png image")
        arr = np.asarray(loaded)
    if arr.dtype != np.uint8:
        arr = np.clip(arr.astype(np.float32) / max(float(arr.max()), 1.0) * 255.0, 0, 255).astype(np.uint8)
    if arr.ndim == 3 and arr.shape[2] == 4 and int(arr[..., 3].min()) < 250:
        return np.ascontiguousarray(arr[..., 3])
    if arr.ndim == 3:
        return np.ascontiguousarray(arr[..., :3].max(axis=2))
    return np.ascontiguousarray(arr)


def region(mask: np.ndarray) -> np.ndarray:
    """White (non-zero) marks the region; half the mask's maximum is the cut, robust to JPEG noise."""
    top = int(mask.max())
    if top == 0:
        return np.zeros(mask.shape, bool)
    return mask > max(top // 2, 0)


def check_masks(image_wh: tuple[int, int], masks: dict[str, np.ndarray]) -> None:
    """Raise EngineInputError when a mask's aspect differs from the image or masks differ in size."""
    iw, ih = image_wh
    aspect = iw / ih
    sizes = {name: (m.shape[1], m.shape[0]) for name, m in masks.items()}
    for name, (mw, mh) in sizes.items():
        if abs(mw / mh - aspect) / aspect > ASPECT_TOLERANCE:
            raise EngineInputError(
                f"{name} aspect ratio {mw / mh:.3f} ({mw}x{mh}) does not match the image's "
                f"{aspect:.3f} ({iw}x{ih}); masks must have the image's aspect ratio"
            )
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{n} {w}x{h}" for n, (w, h) in sizes.items())
        raise EngineInputError(f"static_mask and dynamic_masks must all have the same resolution ({listed})")


@dataclass(frozen=True)
class Trajectory:
    """A polyline in output pixel coordinates (origin top-left), traversed evenly from t=0 to t=1."""

    points: np.ndarray  # (n, 2) float64

    def at(self, t: float) -> tuple[float, float]:
        n = len(self.points)
        s = min(max(t, 0.0), 1.0) * (n - 1)
        i = min(int(s), n - 2)
        f = s - i
        p = self.points[i] * (1.0 - f) + self.points[i + 1] * f
        return float(p[0]), float(p[1])

    def offset(self, t: float) -> tuple[float, float]:
        """Displacement from the start point at time ``t``."""
        x, y = self.at(t)
        return x - float(self.points[0, 0]), y - float(self.points[0, 1])


def trajectory_to_output(
    points: tuple[tuple[float, float], ...], image_wh: tuple[int, int], out_wh: tuple[int, int], name: str
) -> Trajectory:
    """Convert wire coordinates (image pixels, origin bottom-left) to output pixels (origin top-left)."""
    if len(points) < 2:
        raise EngineInputError(f"{name}.trajectories needs at least 2 points, got {len(points)}")
    iw, ih = image_wh
    ow, oh = out_wh
    pts = np.array([[float(x) * ow / iw, (ih - float(y)) * oh / ih] for x, y in points], dtype=np.float64)
    return Trajectory(pts)


def feathered(hard: np.ndarray, sigma: float) -> np.ndarray:
    """Soft alpha (float32) whose 0.5 level sits on the mask's outline."""
    return cv2.GaussianBlur(hard.astype(np.float32), (0, 0), sigma)


def frozen_alpha(hard: np.ndarray, sigma: float) -> np.ndarray:
    """Alpha for a static region: fully opaque inside the mask, feathered outward only."""
    soft = np.clip(cv2.GaussianBlur(hard.astype(np.float32), (0, 0), sigma) * 2.0, 0.0, 1.0)
    return np.maximum(soft, hard.astype(np.float32))
