"""The mouth interior, painted over the opening between the lips each frame.

A shaded cavity tinted from the lips, upper teeth (the source's own teeth, kept rigid with the upper jaw,
when it shows them), lower teeth with the jaw, a tongue on open vowels, a contact shadow under the lips and
grain matched to the photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..landmarks import INNER_CORNER_L, INNER_CORNER_R, INNER_LOWER, INNER_UPPER, LIPS_INNER, UPPER_LIP_MID
from .geometry import clipped_box, smoothstep
from .pose import Frame
from .rig import Rig

MIN_GAP_PX = 0.6
"""A narrower opening (mean over the middle of the lips) is left as the warp drew it."""


@dataclass(frozen=True)
class Opening:
    """The opening between the lips in one frame, over the pixel box (x0, y0)+(pw, ph) that holds it."""

    x0: int
    y0: int
    mask: np.ndarray
    """ph×pw uint8, 255 inside the inner-lip polygon (anti-aliased)."""
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
    """(1, pw) the inner upper lip's y in each column."""
    s: np.ndarray
    """ph×pw depth into the opening: 0 at the upper lip, 1 at the lower lip."""
    xc: float
    """x of the centre between the inner corners."""
    r: np.ndarray
    """(1, pw) signed distance from the centre in half-widths, clipped to ±1.2."""


def paint_mouth(frame: np.ndarray, dst: np.ndarray, f: Frame, rig: Rig) -> None:
    """Paint the interior into ``frame`` (in place) where the lips at ``dst`` are apart."""
    m = find_opening(dst, rig.w, rig.h)
    if m is None:
        if rig.texture.filled.any():  # a closed source keeps its own lip line
            paint_seam(frame, dst, rig)
        return
    col = _cavity(m, rig)
    if f.tongue > 0.05 and m.gap > 0.08 * rig.iod:
        col = _with_tongue(col, m, f, rig)
    col = _with_teeth(col, m, f, rig)
    if rig.src_teeth is not None:
        _paste_source_teeth(col, dst, m.x0, m.y0, rig)
    # contact shadow: the lips' inner edges occlude the interior (a soft dark rim gives depth)
    rim_w = max(1.0, 0.025 * rig.iod)
    k = int(2 * round(rim_w) + 1)
    inside = cv2.GaussianBlur(m.mask.astype(np.float32) / 255.0, (k, k), rim_w)
    rim = np.clip(1.0 - inside, 0.0, 1.0) * (m.mask > 0)
    col *= (1.0 - 0.45 * rim)[..., None]
    # grain matched to the photo
    ph, pw = m.mask.shape
    col += rig.grain.patch(ph, pw)[..., None]
    # a slit of a pixel or two is a shadow between the lips, not a black line
    alpha = m.mask.astype(np.float32)[..., None] / 255.0 * (0.55 + 0.45 * min(1.0, m.gap / 3.0))
    box = (slice(m.y0, m.y0 + ph), slice(m.x0, m.x0 + pw))
    region = frame[box].astype(np.float32)
    frame[box] = np.clip(region * (1 - alpha) + col * alpha, 0, 255).astype(np.uint8)


def paint_seam(frame: np.ndarray, dst: np.ndarray, rig: Rig) -> None:
    """A closed mouth's lip line: a soft, thin shadow where the lips meet, fading towards the corners.

    Without it a sealed mouth (whose opening the texture filled with lip) reads as one smooth blob.
    """
    up = dst[INNER_UPPER]
    lo = dst[INNER_LOWER][::-1]
    line = (up + lo) / 2
    x0, y0, x1, y1 = clipped_box(line, 3, 4, rig.w, rig.h)
    if x1 - x0 < 4 or y1 - y0 < 1:
        return
    width = max(0.7, 0.012 * rig.iod)
    xs = np.arange(x0, x1, dtype=np.float32)
    order = np.argsort(line[:, 0])
    yl = np.interp(xs, line[order, 0], line[order, 1])[None, :]
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    xc, hw = float(line[:, 0].mean()), max(1.0, float(np.ptp(line[:, 0])) / 2)
    along = smoothstep((1.0 - np.abs(xs - xc) / hw) / 0.25)[None, :]
    a = (np.exp(-(((ys - yl) / width) ** 2)) * along * 0.45)[..., None]
    region = frame[y0:y1, x0:x1].astype(np.float32)
    shade = region * 0.55 + rig.palette.cavity_rgb * 0.2
    frame[y0:y1, x0:x1] = np.clip(region * (1 - a) + shade * a, 0, 255).astype(np.uint8)


def find_opening(dst: np.ndarray, w: int, h: int) -> Opening | None:
    """The opening of the lips at ``dst`` inside a w×h frame, or None when it is too thin or too small."""
    inner = dst[LIPS_INNER]
    up = dst[INNER_UPPER]
    lo = dst[INNER_LOWER][::-1]
    gap = float(np.mean(lo[3:8, 1] - up[3:8, 1])) if len(lo) == len(up) else 0.0
    if gap < MIN_GAP_PX:
        return None
    x0, y0, x1, y1 = clipped_box(inner, 2, 3, w, h)
    if x1 - x0 < 3 or y1 - y0 < 2:
        return None
    pw, ph = x1 - x0, y1 - y0
    mask = np.zeros((ph, pw), np.uint8)
    cv2.fillPoly(mask, [np.round((inner - [x0, y0]) * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
    xs = np.arange(x0, x1, dtype=np.float32) + 0.0
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    oux, ouy = up[:, 0], up[:, 1]
    order_u = np.argsort(oux)
    order_l = np.argsort(lo[:, 0])
    yu = np.interp(xs, oux[order_u], ouy[order_u])[None, :]
    yl = np.interp(xs, lo[order_l, 0], lo[order_l, 1])[None, :]
    span = np.maximum(yl - yu, 0.5)
    s = np.clip((ys - yu) / span, 0, 1)
    xc = (dst[INNER_CORNER_R, 0] + dst[INNER_CORNER_L, 0]) / 2
    hw = max(1.0, abs(dst[INNER_CORNER_L, 0] - dst[INNER_CORNER_R, 0]) / 2)
    r = np.clip((xs[None, :] - xc) / hw, -1.2, 1.2)
    return Opening(x0=x0, y0=y0, mask=mask, gap=gap, up=up, lo=lo, xs=xs, ys=ys, yu=yu, s=s, xc=xc, r=r)


def _cavity(m: Opening, rig: Rig) -> np.ndarray:
    """Dark, darker at the back/centre-top (shadow of the upper lip), corners shadowed by the cheeks."""
    ph, pw = m.mask.shape
    shade = (0.55 + 0.45 * m.s) * (1.0 - 0.35 * m.r**2)
    depth = 0.8 + 0.4 * min(1.0, m.gap / (0.2 * rig.iod))
    col = rig.palette.cavity_rgb[None, None, :] * shade[..., None] * depth
    return np.broadcast_to(col, (ph, pw, 3)).astype(np.float32).copy()


def _with_tongue(col: np.ndarray, m: Opening, f: Frame, rig: Rig) -> np.ndarray:
    """A soft mound rising from the lower lip on open vowels."""
    th = f.tongue * 0.45
    tongue = smoothstep((m.s - (1 - th)) / 0.18) * smoothstep((0.75 - np.abs(m.r)) / 0.3)
    tcol = rig.palette.tongue_rgb[None, None, :] * (0.55 + 0.45 * (m.s[..., None]))
    return col * (1 - tongue[..., None]) + tcol * tongue[..., None]


def _with_teeth(col: np.ndarray, m: Opening, f: Frame, rig: Rig) -> np.ndarray:
    """Lower and upper tooth rows on smooth arcs (dental arches), not on the lips' wobbly inner contour:
    a parabola fitted to each lip contour, the rows hung from it."""
    iod, r, ys, teeth_rgb = rig.iod, m.r, m.ys, rig.palette.teeth_rgb
    au = np.polyfit(m.up[:, 0] - m.xc, m.up[:, 1], 2)
    al = np.polyfit(m.lo[:, 0] - m.xc, m.lo[:, 1], 2)
    yu_arc = np.polyval(au, m.xs - m.xc)[None, :]
    yl_arc = np.polyval(al, m.xs - m.xc)[None, :]
    phase_l = (np.abs(r) + 0.1) % 0.2 - 0.1
    # lower teeth: a short row behind the lower lip, visible when the jaw is open
    lt_h = min(0.045 * iod, 0.2 * m.gap - 0.02 * iod) * (1 - 0.3 * r**2)
    if m.gap > 0.14 * iod:
        dist_lo = yl_arc - ys
        lower = smoothstep((lt_h - dist_lo) / 1.2) * smoothstep((0.65 - np.abs(r)) / 0.2)
        lgap = 1.0 - 0.1 * np.exp(-((phase_l / 0.03) ** 2))
        lcol = teeth_rgb[None, None, :] * ((0.7 - 0.25 * r**2) * lgap)[..., None]
        col = col * (1 - lower[..., None]) + lcol * lower[..., None]
    # upper teeth: hang from the upper arch, incisors longest, faint gaps, shadow under the lip
    # rounded lips (oo, w) cover most of the teeth; spread ones show them
    round_hide = 1.0 + 0.55 * min(0.0, f.width)
    ut_h = min(0.12 * iod, 0.5 * m.gap + 0.02 * iod) * (1 - 0.45 * r**2) * round_hide
    dist_up = ys - yu_arc
    upper = smoothstep((ut_h - dist_up) / 1.2) * smoothstep((0.85 - np.abs(r)) / 0.2)
    phase = (np.abs(r) + 0.15) % 0.3 - 0.15  # incisor spacing ≈ 0.3 of the half mouth width
    gaps = 1.0 - 0.12 * np.exp(-((phase / 0.035) ** 2))
    ucol = teeth_rgb[None, None, :] * ((0.88 - 0.35 * r**2) * gaps)[..., None]
    lip_shadow = 0.7 + 0.3 * smoothstep((ys - m.yu) / max(1.5, 0.25 * float(np.mean(ut_h))))
    ucol = ucol * lip_shadow[..., None]
    return col * (1 - upper[..., None]) + ucol * upper[..., None]


def _paste_source_teeth(col: np.ndarray, dst: np.ndarray, x0: int, y0: int, rig: Rig) -> None:
    """The photo's own visible teeth, moved rigidly with the upper lip (they belong to the skull)."""
    teeth = rig.src_teeth
    assert teeth is not None
    shift = dst[list(UPPER_LIP_MID)].mean(0) - rig.points[list(UPPER_LIP_MID)].mean(0)
    bx, by = teeth.box
    tx, ty = bx + shift[0] - x0, by + shift[1] - y0
    ph, pw = col.shape[:2]
    mat = np.array([[1, 0, tx], [0, 1, ty]], np.float32)
    patch = cv2.warpAffine(teeth.patch, mat, (pw, ph), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    a = cv2.warpAffine(teeth.alpha, mat, (pw, ph), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    col *= 1 - a[..., None]
    col += patch * a[..., None]
