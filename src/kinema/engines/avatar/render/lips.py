"""The source's lips, read from its pixels: where the mouth really opens, which pixels are teeth, and which
mesh points belong to the upper and to the lower lip."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..landmarks import (
    INNER_CORNER_L,
    INNER_CORNER_R,
    INNER_CORNERS,
    INNER_LOWER,
    INNER_UPPER,
    LIP_CORNERS,
    LIPS_INNER,
    LIPS_OUTER,
    OUTER_LOWER,
    OUTER_UPPER,
)
from .geometry import clipped_box, poly_contains


@dataclass(frozen=True)
class InnerLip:
    """The inner-lip contour as the pixels show it, and the source's visible teeth."""

    points: np.ndarray
    """(20, 2) float32 pixel positions, in :data:`~kinema.engines.avatar.landmarks.LIPS_INNER` order."""
    teeth_mask: np.ndarray
    """H×W uint8, 255 on the source's visible teeth. Empty when the mouth is too small to analyse."""
    opening_mask: np.ndarray
    """H×W uint8, 255 on the source's opening between the lips (teeth and dark cavity, main component).
    Empty when the mouth is too small to analyse."""


def refine_inner_lip(image: np.ndarray, pts: np.ndarray) -> InnerLip:
    """Inner-lip contour from the pixels inside the outer-lip polygon (teeth/cavity are not lip-coloured).

    mediapipe's inner-lip points collapse on toothy smiles; here each inner point moves vertically to the
    edge of the non-lip region (if any) found in its column. A mouth too small to analyse keeps the mesh's
    points and gets an empty teeth mask (the rig must be total: tiny faces render too).
    """
    h, w = image.shape[:2]
    teeth_mask = np.zeros((h, w), np.uint8)
    opening_mask = np.zeros((h, w), np.uint8)
    inner = pts[LIPS_INNER].copy()
    outer = pts[LIPS_OUTER]
    x0, y0, x1, y1 = clipped_box(outer, 2, 3, w, h)
    patch = image[y0:y1, x0:x1]
    if patch.size == 0:
        return InnerLip(inner, teeth_mask, opening_mask)
    found = _opening(patch, outer - [x0, y0])
    if found is None:
        return InnerLip(inner, teeth_mask, opening_mask)
    teeth, open_m, inside_px = found
    teeth_mask[y0:y1, x0:x1] = teeth.astype(np.uint8) * 255
    opening_mask[y0:y1, x0:x1] = open_m * 255
    if open_m.sum() < max(6, 0.02 * inside_px):
        return InnerLip(inner, teeth_mask, opening_mask)
    return InnerLip(_follow_opening(inner, pts, open_m, x0, y0), teeth_mask, opening_mask)


def _opening(patch: np.ndarray, outer: np.ndarray) -> tuple[np.ndarray, np.ndarray, int] | None:
    """(teeth, opening, pixels inside the lips) in the patch, or None when under 20 pixels are inside.

    Teeth are bright and much less red than the lips; the cavity is much darker. Only the main opening is
    kept: stray specks (a highlight on the lower lip) must not move the contour.
    """
    mask: np.ndarray = np.zeros(patch.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(outer * 4).astype(np.int32)], 1, cv2.LINE_8, shift=2)
    mask = cv2.erode(mask, np.ones((3, 3), np.uint8))
    lab = cv2.cvtColor(patch, cv2.COLOR_RGB2LAB).astype(np.float32)
    inside = mask > 0
    if inside.sum() < 20:
        return None
    # lip colour statistics from a band near the outer contour
    ring = inside & (cv2.erode(mask, np.ones((5, 5), np.uint8)) == 0)
    if ring.sum() < 10:
        ring = inside
    a_lip = float(np.median(lab[..., 1][ring]))
    l_lip = float(np.median(lab[..., 0][ring]))
    chroma = lab[..., 1]
    l_ref = _local_lip_lightness(lab[..., 0], ring, l_lip)
    teeth = inside & (chroma < a_lip - 0.45 * max(4.0, a_lip - 128)) & (lab[..., 0] > l_ref + 8)
    cavity = inside & (lab[..., 0] < l_ref * 0.55)
    open_m: np.ndarray = (teeth | cavity).astype(np.uint8)
    open_m = cv2.morphologyEx(open_m, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    n_cc, labels, stats, _ = cv2.connectedComponentsWithStats(open_m, connectivity=8)
    if n_cc > 1:
        areas = stats[1:, cv2.CC_STAT_AREA]
        keep = 1 + np.nonzero(areas >= max(4, 0.2 * areas.max()))[0]
        open_m = np.isin(labels, keep).astype(np.uint8)
    return teeth & (open_m > 0), open_m, int(inside.sum())


def _local_lip_lightness(lightness: np.ndarray, ring: np.ndarray, l_lip: float) -> np.ndarray:
    """The lips' lightness near each pixel, from the band along the outer contour (a hole-excluding blur).

    Under side light one half of the mouth is much darker than the other; against the global median the
    shadowed half of a lip read as "cavity" and the inner contour jumped onto the lower lip.
    """
    ringf = ring.astype(np.float32)
    sigma = max(2.0, 0.15 * lightness.shape[1])
    num = cv2.GaussianBlur(lightness * ringf, (0, 0), sigma)
    den = cv2.GaussianBlur(ringf, (0, 0), sigma)
    return np.where(den > 1e-3, num / np.maximum(den, 1e-3), l_lip).astype(np.float32)


def _follow_opening(inner: np.ndarray, pts: np.ndarray, open_m: np.ndarray, x0: int, y0: int) -> np.ndarray:
    """Move each inner-lip point vertically to the edge of the opening in its column (patch at x0, y0)."""
    ys, xs = np.nonzero(open_m)
    outer_lo = pts[OUTER_LOWER]
    order = np.argsort(outer_lo[:, 0])
    for k, idx in enumerate(LIPS_INNER):
        px, py = inner[k]
        if idx in INNER_CORNERS:
            continue
        col = round(px) - x0
        sel = np.abs(xs - col) <= 1
        if not sel.any():
            continue
        top, bot = ys[sel].min() + y0, ys[sel].max() + y0 + 1
        if idx in INNER_UPPER:
            inner[k, 1] = min(py, top)
        else:
            # never past 70 % of the way to the outer lower lip (a lower lip keeps some thickness)
            y_out = float(np.interp(px, outer_lo[order, 0], outer_lo[order, 1]))
            inner[k, 1] = min(max(py, bot), py + 0.7 * max(0.0, y_out - py))
    # inner corners: out to the ends of the opening (dark corners of a smile belong to the mouth)
    for idx, side in ((INNER_CORNER_R, -1), (INNER_CORNER_L, 1)):
        k = LIPS_INNER.index(idx)
        ext = xs.min() if side < 0 else xs.max()
        if (ext + x0 - inner[k, 0]) * side > 0:
            rows = ys[xs == ext]
            inner[k] = (ext + x0 + 0.5 * side, float(rows.mean()) + y0 + 0.5)
    return inner



def lip_membership(local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(in upper lip, in lower lip) per mesh point, from the lip polygons in local coordinates.

    On a closed mouth the two polygons touch, so a lip landmark's own label wins over geometry; the four
    corners are shared, so geometry decides them (the jaw weights then set them to one half anyway).
    """
    upper_poly = local[OUTER_UPPER + INNER_UPPER[::-1]]
    lower_poly = local[OUTER_LOWER + INNER_LOWER[::-1]]
    in_up = poly_contains(upper_poly, local)
    in_lo = poly_contains(lower_poly, local)
    up_idx = [i for i in INNER_UPPER + OUTER_UPPER if i not in LIP_CORNERS]
    lo_idx = [i for i in INNER_LOWER + OUTER_LOWER if i not in LIP_CORNERS]
    in_lo[up_idx] = False
    in_up[lo_idx] = False
    in_up[up_idx] = True
    in_lo[lo_idx] = True
    in_up &= ~in_lo
    return in_up, in_lo
