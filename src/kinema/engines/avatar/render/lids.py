"""Blinks: a synthesized upper lid composited over each eye, never a warped lid.

The lid covers the photo's own upper lash line (so there is no double lash line), fades into the real lid
skin at its top, is shaded as a convex surface, and carries a lash line on its moving edge. When fully
closed it overlaps the lower lid slightly, so no sliver of eye white is left.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..landmarks import EYE_L_LOWER, EYE_L_UPPER, EYE_R_LOWER, EYE_R_UPPER
from .geometry import clipped_box, smoothstep
from .pose import Frame
from .rig import Rig

MIN_BLINK = 0.04
"""Lids closed less than this are left as the photo shows them."""


def paint_lids(frame: np.ndarray, dst: np.ndarray, f: Frame, rig: Rig) -> None:
    """Composite both upper lids into ``frame`` (in place), closed by ``f.blink`` (0 open … 1 shut)."""
    if f.blink < MIN_BLINK:
        return
    c = float(min(1.0, f.blink))
    eyes = ((EYE_R_UPPER, EYE_R_LOWER), (EYE_L_UPPER, EYE_L_LOWER))
    for (up_i, lo_i), lid_rgb in zip(eyes, rig.palette.lid_rgb, strict=True):
        _paint_lid(frame, dst[up_i], dst[lo_i], c, lid_rgb, rig)


def _paint_lid(
    frame: np.ndarray, up: np.ndarray, lo: np.ndarray, c: float, lid_rgb: np.ndarray, rig: Rig
) -> None:
    """One upper lid (contour ``up``) slid a fraction ``c`` of the way down to the lower lid ``lo``."""
    iod = rig.iod
    edge = up + c * (lo - up)
    if c > 0.8:
        edge = edge + np.array([0, 0.015 * iod * (c - 0.8) / 0.2], np.float32)
    feather = 0.08 * iod * min(1.0, c / 0.4)
    top = up - np.array([0, feather], np.float32)
    poly = np.concatenate([top, edge[::-1]])
    x0, y0, x1, y1 = clipped_box(poly, 3, 4, rig.w, rig.h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    pw, ph = x1 - x0, y1 - y0
    m = np.zeros((ph, pw), np.uint8)
    cv2.fillPoly(m, [np.round((poly - [x0, y0]) * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
    hard = m.astype(np.float32)[..., None] / 255.0
    xs = np.arange(x0, x1, dtype=np.float32)
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    o = np.argsort(edge[:, 0])
    ye = np.interp(xs, edge[o, 0], edge[o, 1])[None, :]
    ot = np.argsort(up[:, 0])
    yu = np.interp(xs, up[ot, 0], up[ot, 1])[None, :]
    # soft top: transparent at the top of the feather band, opaque from the real lid line down
    fade = smoothstep((ys - (yu - feather)) / max(1.0, 0.45 * feather))[..., None]
    alpha = hard * fade
    t = np.clip((ys - (yu - feather)) / np.maximum(ye - (yu - feather), 1.0), 0, 1)
    ecx = float(up[:, 0].mean())
    ehw = max(1.0, float(np.ptp(up[:, 0])) / 2)
    r = np.clip((xs[None, :] - ecx) / ehw, -1, 1)
    shade = (1.0 - 0.10 * t**2) * (1.0 - 0.12 * r**2) * (1.0 + 0.04 * (1 - t))
    col = lid_rgb[None, None, :] * shade[..., None]
    lash_w = max(0.8, 0.016 * iod)
    lash = (np.exp(-(((ys - ye + 0.3 * lash_w) / lash_w) ** 2)) * (0.2 + 0.45 * c) * (1 - 0.4 * r**2))
    col = col * (1 - lash[..., None]) + rig.palette.lash_rgb * lash[..., None]
    col = col + rig.grain.patch(ph, pw)[..., None] * 0.7
    region = frame[y0:y1, x0:x1].astype(np.float32)
    # above the real lid line, keep dark things (glasses frames, brows, the crease) in front
    # (the photo's own lash line, just above the lid line, is still covered)
    dark = (region.mean(2) < 0.5 * float(lid_rgb.mean())) & (ys < yu - 0.4 * feather)
    keep = cv2.GaussianBlur(dark.astype(np.float32), (3, 3), 0)[..., None]
    alpha = alpha * (1 - 0.85 * keep)
    frame[y0:y1, x0:x1] = np.clip(region * (1 - alpha) + col * alpha, 0, 255).astype(np.uint8)
