"""The mouth interior, painted over the opening between the lips each frame.

Over the smooth, feathered opening of :mod:`.opening`: a cavity lit near the lips and dark at the back,
upper teeth (the source's own teeth, kept rigid with the upper jaw, when it shows them), lower teeth with the
jaw, a tongue on open vowels, a shadow of the upper lip on the teeth and grain matched to the photo.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..landmarks import INNER_LOWER, INNER_UPPER, UPPER_LIP_MID
from .geometry import clipped_box, smoothstep
from .opening import Opening, find_opening
from .pose import Frame
from .rig import Rig

LIP_SAMPLE_R = 0.6
"""The lips' colour is read over this share of the half mouth width, either side of the centre."""


def paint_mouth(frame: np.ndarray, dst: np.ndarray, f: Frame, rig: Rig) -> None:
    """Paint the interior into ``frame`` (in place) where the lips at ``dst`` are apart."""
    m = find_opening(dst, rig.w, rig.h, rig.iod)
    if m is None:
        if rig.texture.filled.any():  # a closed source keeps its own lip line
            paint_seam(frame, dst, rig)
        return
    lips = _lip_colour(frame, m, rig.iod)
    col = _cavity(m, rig, lips)
    if f.tongue > 0.05 and m.gap > 0.08 * rig.iod:
        col = _with_tongue(col, m, f, rig)
    col = _with_teeth(col, m, f, rig)
    if rig.src_teeth is not None:
        _paste_source_teeth(col, dst, m.x0, m.y0, rig)
    ph, pw = m.alpha.shape
    grain = rig.grain.patch(ph, pw)[..., None]
    # the lips' inner surface where the warp stretched the lip line beyond the smooth opening: the lips'
    # own colour, turning darker towards the opening
    surface = lips * (0.62 + 0.3 * smoothstep(-m.inside / max(1.5, 0.05 * rig.iod)))[..., None] + grain
    # the interior's rim is feathered into the lips (no outline); a slit of a pixel or two is a shadow
    # between the lips, not a black line
    alpha = m.alpha[..., None] * (0.55 + 0.45 * min(1.0, m.gap / 3.0))
    box = (slice(m.y0, m.y0 + ph), slice(m.x0, m.x0 + pw))
    region = frame[box].astype(np.float32)
    region += (surface - region) * m.lips_in[..., None]
    region += (col + grain - region) * alpha
    frame[box] = np.clip(region, 0, 255).astype(np.uint8)


def _lip_colour(frame: np.ndarray, m: Opening, iod: float) -> np.ndarray:
    """ph×pw×3 float32: the lips' own colour in each column, read from the frame just above and below the
    warped opening (so side light and black-and-white photos keep theirs), upper to lower lip by depth.

    Only the middle of the mouth is read (|r| ≤ 0.6) and carried out to the corners: next to a corner the
    pixel above the opening can be moustache or a shadowed fold, not lip.
    """
    h, w = frame.shape[:2]
    off = max(1.0, 0.03 * iod)
    j = np.arange(len(m.xs))
    r = m.r[0]
    inner = np.nonzero(np.abs(r) <= LIP_SAMPLE_R)[0]
    if len(inner):
        j = np.clip(j, inner[0], inner[-1])
    cols = np.clip(np.round(m.xs[j]).astype(int), 0, w - 1)
    rows_u = np.clip(np.round(m.yu_raw[0, j] - off).astype(int), 0, h - 1)
    rows_l = np.clip(np.round(m.yl_raw[0, j] + off).astype(int), 0, h - 1)
    both = frame[np.stack([rows_u, rows_l]), np.stack([cols, cols])].astype(np.float32)
    sigma = max(1.0, 0.06 * iod)
    both = cv2.GaussianBlur(both, (0, 0), sigmaX=sigma, sigmaY=1e-3, borderType=cv2.BORDER_REPLICATE)
    s = m.s[..., None]
    return both[0][None] * (1 - s) + both[1][None] * s


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


def _cavity(m: Opening, rig: Rig, lips: np.ndarray) -> np.ndarray:
    """The lips' moist inner surface near the edges, the dark back of the mouth towards the middle.

    The back is darker at the top (the upper lip shades it) and towards the corners (the cheeks); a narrow
    opening shows little of it (light falls on the inner lips), a wide one a lot.
    """
    reach = 0.45 + 0.55 * min(1.0, m.gap / (0.12 * rig.iod))
    # the back shows half-way between the lips and a few pixels away from them (the tips of the corners
    # stay the colour of the lips' inner surface, not black)
    t = smoothstep(m.depth * 1.7) * smoothstep(m.inside / max(1.0, 0.05 * rig.iod)) * reach
    edge = (0.5 + 0.18 * m.s) * (1 - t)
    back = (0.7 + 0.4 * m.s) * (1.0 - 0.3 * m.r**2) * t
    cavity_rgb = rig.palette.cavity_rgb.astype(np.float32)
    return (lips * edge[..., None] + cavity_rgb * back[..., None]).astype(np.float32)


def _with_tongue(col: np.ndarray, m: Opening, f: Frame, rig: Rig) -> np.ndarray:
    """A soft mound rising from the lower lip on open vowels."""
    th = f.tongue * 0.45
    tongue = smoothstep((m.s - (1 - th)) / 0.18) * smoothstep((0.75 - np.abs(m.r)) / 0.3)
    tcol = rig.palette.tongue_rgb.astype(np.float32) * (0.55 + 0.45 * m.s)[..., None]
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
    lip_shadow = 0.7 + 0.3 * smoothstep((ys - m.yu) / max(0.6, 0.25 * float(np.mean(ut_h))))
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
    # the cut-out is tight around the teeth: fade its edges, or it shows as a lighter block on the band
    # (on a small face its edges are under a pixel already, and fading them would grey the teeth)
    if rig.iod > 50:
        a = a * cv2.GaussianBlur(a, (0, 0), 0.012 * rig.iod)
    col *= 1 - a[..., None]
    col += patch * a[..., None]
