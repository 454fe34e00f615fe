"""A closed-mouth texture: the source with its opening between the lips filled with lip.

Why: when the photo shows an open or toothy smile, closing the mouth squashes the opening's triangles, but
the pixels just outside the inner-lip contour (dark mouth corners, the edge of the teeth, the dark line
where a lip meets the teeth) are not lips; squashed together they showed as dark jagged notches at the
mouth corners and a smear along the lip line. The warp samples this texture instead of the photo, so
whatever of the opening survives a closure is lip-coloured; the mouth interior (with the photo's own
teeth) is painted over the opening whenever the lips are apart, so nothing of the photo is lost there.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..landmarks import LIPS_INNER, LIPS_OUTER
from .geometry import clipped_box

DARK_CORNER = 0.72
"""Pixels inside the outer lips and next to the opening darker than this share of the lips' median
luminance are mouth (shadowed corners, cavity edges), not lip."""


@dataclass(frozen=True)
class ClosedLipTexture:
    """The warp's source image and where it differs from the photo."""

    image: np.ndarray
    """H×W×3 uint8: the photo with the opening filled."""
    filled: np.ndarray
    """H×W bool: the pixels that were replaced (empty for a closed mouth or one too small to analyse)."""


OPEN_SOURCE = 0.03
"""A source whose lips are apart by less than this (inter-ocular distances) is a closed mouth: its own lip
line is kept as it is."""


def closed_lip_texture(
    image: np.ndarray, pts: np.ndarray, opening: np.ndarray, iod: float, gap0: float
) -> ClosedLipTexture:
    """Fill the opening (``opening`` mask, the inner-lip polygon of ``pts``, dark corners) with lip colour,
    interpolated column by column between the upper and the lower lip, when the source's lips are apart by
    ``gap0`` ≥ :data:`OPEN_SOURCE`."""
    h, w = image.shape[:2]
    filled = np.zeros((h, w), bool)
    if gap0 < OPEN_SOURCE:
        return ClosedLipTexture(image, filled)
    pad = 3 + round(0.06 * iod)
    x0, y0, x1, y1 = clipped_box(pts[LIPS_OUTER], pad, pad + 1, w, h)
    if x1 - x0 < 4 or y1 - y0 < 4 or not opening[y0:y1, x0:x1].any():
        return ClosedLipTexture(image, filled)
    patch = image[y0:y1, x0:x1]
    off = np.array([x0, y0], np.float32)
    lips: np.ndarray = np.zeros(patch.shape[:2], np.uint8)
    cv2.fillPoly(lips, [np.round((pts[LIPS_OUTER] - off) * 4).astype(np.int32)], 1, cv2.LINE_8, shift=2)
    mask: np.ndarray = np.zeros_like(lips)
    cv2.fillPoly(mask, [np.round((pts[LIPS_INNER] - off) * 4).astype(np.int32)], 1, cv2.LINE_8, shift=2)
    mask |= (opening[y0:y1, x0:x1] > 0).astype(np.uint8)
    # the corners' shadow reaches a little past the outer-lip contour
    r = max(1, round(0.04 * iod))
    lips = cv2.dilate(lips, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    mask = _with_dark_corners(patch, mask, lips, iod)
    mask = np.bitwise_and(cv2.dilate(mask, np.ones((3, 3), np.uint8)), lips)
    if mask.sum() == mask.size or not mask.any():
        return ClosedLipTexture(image, filled)
    out = image.copy()
    out[y0:y1, x0:x1] = _fill_columns(patch, mask > 0)
    filled[y0:y1, x0:x1] = mask > 0
    return ClosedLipTexture(out, filled)


def _with_dark_corners(patch: np.ndarray, mask: np.ndarray, lips: np.ndarray, iod: float) -> np.ndarray:
    """``mask`` plus the dark pixels inside the lips within a few pixels of it (shadowed corners)."""
    lum = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lip_only = (lips > 0) & (mask == 0)
    if lip_only.sum() < 8:
        return mask
    l_lip = float(np.median(lum[lip_only]))
    r = max(1, round(0.05 * iod))
    near = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    dark = (lum < DARK_CORNER * l_lip) & (near > 0) & (lips > 0)
    return mask | dark.astype(np.uint8)


def _fill_columns(patch: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Each hole pixel blended between the nearest kept pixels above and below in its column, read from a
    hole-excluding blur (so one noisy boundary pixel does not streak down the column)."""
    keep = (~hole).astype(np.float32)
    src = patch.astype(np.float32)
    num = cv2.GaussianBlur(src * keep[..., None], (0, 0), 1.5)
    den = cv2.GaussianBlur(keep, (0, 0), 1.5)[..., None]
    smooth = np.where(den > 1e-3, num / np.maximum(den, 1e-3), src)
    hh = hole.shape[0]
    rows = np.broadcast_to(np.arange(hh)[:, None], hole.shape)
    above = np.maximum.accumulate(np.where(hole, -1, rows), axis=0)
    below = np.minimum.accumulate(np.where(hole, hh, rows)[::-1], axis=0)[::-1]
    a = np.where(above < 0, below, above).clip(0, hh - 1)
    b = np.where(below >= hh, above, below).clip(0, hh - 1)
    t = np.where(b > a, (rows - a) / np.maximum(b - a, 1), 0.5).astype(np.float32)[..., None]
    cols = np.broadcast_to(np.arange(hole.shape[1])[None, :], hole.shape)
    fill = smooth[a, cols] * (1 - t) + smooth[b, cols] * t
    out = np.where(hole[..., None], fill, src)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
