"""Small geometry shared by the rig and the painters: the face-aligned coordinate frame, smoothstep,
point-in-polygon and clipped pixel boxes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..face import Portrait
from ..landmarks import IRIS_L, IRIS_R


def smoothstep(x: np.ndarray) -> np.ndarray:
    """0 below 0, 1 above 1, a cubic with flat ends in between (soft masks and falloffs)."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def poly_contains(poly: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Point-in-polygon for many points (even-odd rule, vectorised)."""
    x, y = pts[:, 0][:, None], pts[:, 1][:, None]
    x0, y0 = poly[:, 0][None, :], poly[:, 1][None, :]
    x1, y1 = np.roll(poly[:, 0], -1)[None, :], np.roll(poly[:, 1], -1)[None, :]
    cond = (y0 > y) != (y1 > y)
    xint = x0 + (y - y0) * (x1 - x0) / np.where(y1 - y0 == 0, 1e-9, y1 - y0)
    return (np.sum(cond & (x < xint), axis=1) % 2) == 1


def clipped_box(pts: np.ndarray, before: int, after: int, w: int, h: int) -> tuple[int, int, int, int]:
    """Pixel box (x0, y0, x1, y1) around ``pts``, widened by ``before`` / ``after`` pixels, inside w×h.

    ``after`` counts the exclusive end, so ``after = before + 1`` is symmetric around the points.
    """
    x0, y0 = np.floor(pts.min(0)).astype(int) - before
    x1, y1 = np.ceil(pts.max(0)).astype(int) + after
    return max(0, x0), max(0, y0), min(w, x1), min(h, y1)


@dataclass(frozen=True)
class LocalFrame:
    """Face-aligned coordinates: origin between the irises, ``u`` along the eye axis, ``v`` down the face,
    unit = the inter-ocular distance. Expressions are defined here so they do not depend on the photo's
    size or the head's tilt."""

    origin: np.ndarray
    """(2,) float32 pixel position of the origin."""
    ex: np.ndarray
    """(2,) float32 unit vector of ``u`` in pixels (image-left eye → image-right eye)."""
    ey: np.ndarray
    """(2,) float32 unit vector of ``v`` in pixels (image "down" for an upright face)."""
    iod: float
    """Inter-ocular distance in pixels."""

    @classmethod
    def of(cls, portrait: Portrait) -> LocalFrame:
        pts = portrait.points.astype(np.float32)
        ex = portrait.eye_axis
        ey = np.array([-ex[1], ex[0]], np.float32)
        origin = ((pts[IRIS_R] + pts[IRIS_L]) / 2).astype(np.float32)
        return cls(origin=origin, ex=ex, ey=ey, iod=portrait.iod)

    def to_local(self, pts: np.ndarray) -> np.ndarray:
        """Pixels → local (u, v), float32."""
        d = pts - self.origin
        return np.stack([d @ self.ex, d @ self.ey], axis=1).astype(np.float32) / self.iod

    def from_local(self, loc: np.ndarray) -> np.ndarray:
        """Local (u, v) → pixels, float32."""
        return (self.origin + (loc[:, :1] * self.ex + loc[:, 1:2] * self.ey) * self.iod).astype(np.float32)
