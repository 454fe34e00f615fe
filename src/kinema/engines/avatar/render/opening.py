"""The opening between the lips in one frame, as a smooth lens with a soft edge.

The mesh gives each inner lip 11 points; the jaw moves the ten between the corners almost as one, while the
corners move half as much, so joining the points drew a box with steep shoulders next to the corners (an
octagon at 3× zoom on a big face). Here the opening is described per column by its centre line and its half
height; the half height is smoothed with an odd reflection about each corner (it stays 0 there, the
shoulders round off into a pointed lens) and the centre line with a point reflection (the corners stay
where they are). The mask is then a coverage computed from the distance to those two smooth edges, so it
has no polygon, no staircase and a feathered rim. Where the smoothed opening is narrower than the warped
one, the warp's lip texture shows: the lips look slightly fuller near the corners, as real ones do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..landmarks import INNER_LOWER, INNER_UPPER
from .geometry import clipped_box, smoothstep

MIN_GAP_PX = 0.6
"""A narrower opening (mean over the middle of the lips) is left as the warp drew it."""

SHOULDER_SIGMA = 0.09
"""Smoothing of the opening's half height along the mouth, as a share of the corner-to-corner width."""

FEATHER_IOD = 0.022
"""Width of the soft rim where the interior fades into the lips, in inter-ocular distances (≥ 1 px)."""


@dataclass(frozen=True)
class Opening:
    """The opening between the lips in one frame, over the pixel box (x0, y0)+(pw, ph) that holds it."""

    x0: int
    y0: int
    alpha: np.ndarray
    """ph×pw float32 coverage in 0..1: 0 from a third of a pixel outside the smooth edge, 1 a rim's width
    inside."""
    inside: np.ndarray
    """ph×pw float32 distance in pixels inside the nearer lip edge (negative outside)."""
    lips_in: np.ndarray
    """ph×pw float32 coverage of the opening the warp drew (the raw inner-lip curves) outside the smooth one:
    there the warp stretched the lip line, and the lips' inner surface is painted instead."""
    depth: np.ndarray
    """ph×pw float32 in 0..1: 0 at the lips' inner edges, 1 half-way between them (the back of the mouth)."""
    gap: float
    """Mean opening in pixels over the middle five columns of the lips."""
    up: np.ndarray
    """The inner upper lip's points, corner to corner."""
    lo: np.ndarray
    """The inner lower lip's points, in the same order as ``up``."""
    xs: np.ndarray
    """(pw,) float32 pixel x of each column."""
    ys: np.ndarray
    """(ph, 1) float32 pixel y of each row."""
    yu: np.ndarray
    """(1, pw) the smoothed upper edge's y in each column."""
    yu_raw: np.ndarray
    """(1, pw) the warped upper lip's inner edge (through the landmarks) in each column."""
    yl_raw: np.ndarray
    """(1, pw) the warped lower lip's inner edge in each column."""
    s: np.ndarray
    """ph×pw depth into the opening: 0 at the upper lip, 1 at the lower lip."""
    xc: float
    """x of the centre between the inner corners."""
    r: np.ndarray
    """(1, pw) signed distance from the centre in half-widths, clipped to ±1.2."""


def find_opening(dst: np.ndarray, w: int, h: int, iod: float) -> Opening | None:
    """The opening of the lips at ``dst`` inside a w×h frame, or None when it is too thin or too small."""
    up = dst[INNER_UPPER]
    lo = dst[INNER_LOWER][::-1]
    gap = float(np.mean(lo[3:8, 1] - up[3:8, 1]))
    if gap < MIN_GAP_PX:
        return None
    x0, y0, x1, y1 = clipped_box(np.concatenate([up, lo]), 3, 4, w, h)
    if x1 - x0 < 3 or y1 - y0 < 2:
        return None
    xs = np.arange(x0, x1, dtype=np.float32)  # pixel centres, as OpenCV places the landmarks
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    curve_u, curve_l = smooth_curve(up), smooth_curve(lo)
    edges = smooth_edges(curve_u, curve_l, xs)
    if edges is None:
        return None
    yu, yl, cos_u, cos_l = edges
    inside = np.minimum((ys - yu) * cos_u, (yl - ys) * cos_l)
    feather = max(1.0, FEATHER_IOD * iod)
    alpha = smoothstep((inside + 0.35) / (feather + 0.35))
    yu_raw = _curve_at(curve_u, xs)[None, :]
    yl_raw = _curve_at(curve_l, xs)[None, :]
    warped = np.minimum(ys - yu_raw, yl_raw - ys)
    # up to 2 px past the warped edge too (inside the box): a closed source's dark lip line is stretched
    # along it
    reach = min(feather, 2.0)
    lips_in = smoothstep((warped + reach) / (reach + 2 * feather)) * (1 - alpha)
    half = np.maximum((yl - yu) / 2, 0.5)
    depth = np.clip(inside / half, 0.0, 1.0)
    s = np.clip((ys - yu) / (2 * half), 0.0, 1.0)
    xc = float(up[0, 0] + up[-1, 0]) / 2
    hw = max(1.0, abs(float(up[-1, 0] - up[0, 0])) / 2)
    r = np.clip((xs[None, :] - xc) / hw, -1.2, 1.2)
    return Opening(x0=x0, y0=y0, alpha=alpha.astype(np.float32), inside=inside.astype(np.float32),
                   lips_in=lips_in.astype(np.float32), depth=depth.astype(np.float32), gap=gap, up=up, lo=lo,
                   xs=xs, ys=ys, yu=yu, yu_raw=yu_raw, yl_raw=yl_raw, s=s.astype(np.float32), xc=xc, r=r)


def smooth_edges(up: np.ndarray, lo: np.ndarray,
                 xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(upper y, lower y, cos of each edge's slope), each (1, len(xs)), of the opening's smooth edges.

    ``up`` and ``lo`` are the inner lips' curves (:func:`smooth_curve`), between the same two corners.
    Beyond the corners the half height goes negative, so a column past a corner is outside. None when the
    corners are less than two pixels apart.
    """
    left, right = (0, -1) if up[0, 0] <= up[-1, 0] else (-1, 0)
    xa, xb = float(up[left, 0]), float(up[right, 0])
    span = xb - xa
    if span < 2.0:
        return None
    n = max(16, int(np.ceil(span)) + 1)
    grid = np.linspace(xa, xb, n, dtype=np.float32)
    yu = _curve_at(up, grid)
    yl = _curve_at(lo, grid)
    centre = (yu + yl) / 2
    half = np.maximum((yl - yu) / 2, 0.0)
    half[[0, -1]] = 0.0
    step = span / (n - 1)
    sigma = SHOULDER_SIGMA * span / step
    pad = min(n - 1, int(np.ceil(3 * sigma)) + 1)
    kernel = np.exp(-0.5 * (np.arange(-pad, pad + 1) / max(sigma, 1e-3)) ** 2)
    kernel /= kernel.sum()
    half_s = np.convolve(_reflect(half, pad), kernel, mode="same")
    centre_s = np.convolve(_reflect(centre, pad), kernel, mode="same")
    gx = xa + step * np.arange(-pad, n + pad, dtype=np.float32)
    top, bot = centre_s - half_s, centre_s + half_s
    cos_u = 1.0 / np.sqrt(1.0 + np.gradient(top, step) ** 2)
    cos_l = 1.0 / np.sqrt(1.0 + np.gradient(bot, step) ** 2)

    def at_columns(v: np.ndarray) -> np.ndarray:
        return np.interp(xs, gx, v).astype(np.float32)[None, :]

    return at_columns(top), at_columns(bot), at_columns(cos_u), at_columns(cos_l)


def _reflect(v: np.ndarray, pad: int) -> np.ndarray:
    """``v`` extended by ``pad`` samples at each end by a point reflection about the end values.

    For the half height (0 at the corners) this is a sign flip, for the centre line it continues the
    line's direction; either way a Gaussian over the extended samples keeps the end values.
    """
    if pad == 0:
        return v
    before = 2 * v[0] - v[pad:0:-1]
    after = 2 * v[-1] - v[-2:-pad - 2:-1]
    return np.concatenate([before, v, after])


def _curve_at(curve: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """y of a (roughly x-monotonic) curve at the grid's x, the curve's points taken in x order."""
    order = np.argsort(curve[:, 0], kind="stable")
    return np.interp(grid, curve[order, 0], curve[order, 1]).astype(np.float32)


def smooth_curve(pts: np.ndarray, per_segment: int = 4) -> np.ndarray:
    """A Catmull-Rom curve through ``pts`` (open, end points kept), ``per_segment`` points per segment."""
    p = np.concatenate([pts[:1] * 2 - pts[1:2], pts, pts[-1:] * 2 - pts[-2:-1]]).astype(np.float32)
    p0, p1, p2, p3 = p[:-3, None], p[1:-2, None], p[2:-1, None], p[3:, None]  # (segments, 1, 2)
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False, dtype=np.float32)[None, :, None]
    curve = 0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                   + (3 * p1 - p0 - 3 * p2 + p3) * t**3)
    return np.concatenate([curve.reshape(-1, 2), pts[-1:]]).astype(np.float32)
