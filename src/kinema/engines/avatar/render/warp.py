"""Exact piecewise-affine inverse warp of the portrait.

Per frame every moved triangle's inverse affine is applied per pixel (vectorised, float32) and the frame is
produced by one ``cv2.remap`` limited to the moving bounding box.
"""

from __future__ import annotations

import cv2
import numpy as np

GRID_STEP = 16
"""The moving box is rounded out to multiples of this many pixels so its coordinate grid is reused."""


SLIVER = 0.03
"""A destination triangle with less than this share of its source area is left undrawn."""


class PiecewiseAffineWarp:
    """Warps one source image so that its triangles' source vertices land on new positions."""

    def __init__(self, src: np.ndarray, src_points: np.ndarray, tris: np.ndarray, interp: int) -> None:
        self.src = src
        self.src_points = src_points
        self.tris = tris
        self.interp = interp
        self._grid_cache: dict[tuple[int, int, int, int], tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, dst: np.ndarray) -> np.ndarray:
        """The warped image (a new array): vertex ``i`` of the source moves to ``dst[i]``."""
        out = self.src.copy()
        d = dst[self.tris]  # (T, 3, 2)
        s = self.src_points[self.tris]
        h, w = self.src.shape[:2]
        x0, y0, x1, y1 = _moving_box(d, w, h)
        coef, ok = _inverse_affines(d, s)
        ids = np.full((y1 - y0, x1 - x0), len(self.tris), np.int32)
        dq = np.round((d - [x0, y0]) * 16).astype(np.int32)
        fill = cv2.fillConvexPoly
        line8 = cv2.LINE_8
        # (iterating a list of small arrays is ~40 % cheaper than indexing the big array per triangle)
        for i, (poly, good) in enumerate(zip(list(dq), ok.tolist(), strict=True)):
            if good:
                fill(ids, poly, i, line8, 4)
        mapx, mapy = _maps(coef, ids, *self._grid(x0, y0, x1, y1))
        out[y0:y1, x0:x1] = cv2.remap(self.src, mapx, mapy, self.interp, borderMode=cv2.BORDER_REFLECT)
        return out

    def _grid(self, x0: int, y0: int, x1: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
        """Pixel x and y coordinates of a box (read-only broadcast views, cached for a few boxes)."""
        key = (x0, y0, x1, y1)
        g = self._grid_cache.get(key)
        if g is None:
            xs = np.arange(x0, x1, dtype=np.float32)
            ys = np.arange(y0, y1, dtype=np.float32)
            shape = (y1 - y0, x1 - x0)
            g = (np.broadcast_to(xs[None, :], shape), np.broadcast_to(ys[:, None], shape))
            if len(self._grid_cache) > 4:
                self._grid_cache.clear()
            self._grid_cache[key] = g
        return g


def _moving_box(d: np.ndarray, w: int, h: int) -> tuple[int, int, int, int]:
    """Box around the destination triangles, inside the image, rounded out to :data:`GRID_STEP`."""
    lo = np.floor(d.reshape(-1, 2).min(0)).astype(int)
    hi = np.ceil(d.reshape(-1, 2).max(0)).astype(int) + 1
    x0, y0 = max(0, int(lo[0])), max(0, int(lo[1]))
    x1, y1 = min(w, int(hi[0])), min(h, int(hi[1]))
    g = GRID_STEP
    x0, y0 = (x0 // g) * g, (y0 // g) * g
    x1, y1 = min(w, -(-x1 // g) * g), min(h, -(-y1 // g) * g)
    return x0, y0, x1, y1


def _inverse_affines(d: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per triangle, [sx, sy] = M @ [dx, dy, 1] as (T + 1, 6) float32 rows, and which triangles are usable.

    Closed form, vectorised over triangles, in float64: L = [f1 f2] · [e1 e2]⁻¹, t = s0 − L·p0. The extra
    last row is the identity, for pixels no triangle covers (and those of undrawn slivers).
    """
    d64, s64 = d.astype(np.float64), s.astype(np.float64)
    e1, e2 = d64[:, 1] - d64[:, 0], d64[:, 2] - d64[:, 0]
    f1, f2 = s64[:, 1] - s64[:, 0], s64[:, 2] - s64[:, 0]
    det = e1[:, 0] * e2[:, 1] - e2[:, 0] * e1[:, 1]
    det_src = f1[:, 0] * f2[:, 1] - f2[:, 0] * f1[:, 1]
    # a triangle squashed to a sliver (the mouth opening of a sealed mouth) is not drawn: its inverse map
    # would fetch pixels from far across the photo into single stray dots on the lip line
    ok = np.abs(det) > np.maximum(1e-6, SLIVER * np.abs(det_src))
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    a = (f1[:, 0] * e2[:, 1] - f2[:, 0] * e1[:, 1]) * inv
    b = (f2[:, 0] * e1[:, 0] - f1[:, 0] * e2[:, 0]) * inv
    c = (f1[:, 1] * e2[:, 1] - f2[:, 1] * e1[:, 1]) * inv
    e = (f2[:, 1] * e1[:, 0] - f1[:, 1] * e2[:, 0]) * inv
    tx = s64[:, 0, 0] - a * d64[:, 0, 0] - b * d64[:, 0, 1]
    ty = s64[:, 0, 1] - c * d64[:, 0, 0] - e * d64[:, 0, 1]
    coef = np.empty((len(d) + 1, 6), np.float32)
    coef[:-1] = np.stack([a, b, tx, c, e, ty], axis=1)
    coef[-1] = (1, 0, 0, 0, 1, 0)
    return coef, ok


def _maps(coef: np.ndarray, ids: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel source coordinates (map x, map y) from each pixel's triangle id.

    Gathered coefficient by coefficient into preallocated float32 buffers (2× faster than gathering
    (h, w, 6) at once and building temporaries).
    """
    ct = np.ascontiguousarray(coef.T)
    mapx = np.empty(ids.shape, np.float32)
    mapy = np.empty(ids.shape, np.float32)
    tmp = np.empty(ids.shape, np.float32)
    for out_map, k in ((mapx, 0), (mapy, 3)):
        np.take(ct[k], ids, out=out_map)
        out_map *= gx
        np.take(ct[k + 1], ids, out=tmp)
        tmp *= gy
        out_map += tmp
        np.take(ct[k + 2], ids, out=tmp)
        out_map += tmp
    return mapx, mapy
