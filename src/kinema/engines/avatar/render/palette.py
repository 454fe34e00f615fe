"""Colours, grain and the source's own teeth, sampled once per portrait for the synthesized parts (mouth
interior, eyelids), so they match the photo's light, white balance and noise."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..landmarks import BROW_L, BROW_R, CHEEK_R, CHEEK_R_CENTRE, EYE_L_UPPER, EYE_R_UPPER, LIPS_OUTER

LASH_RGB = (38, 30, 28)
FALLBACK_RGB = (150, 110, 100)
"""Used for a region too small to sample (a tiny face)."""


@dataclass(frozen=True)
class Palette:
    """RGB colours (float arrays of 3) of the parts the renderer paints."""

    lip_rgb: np.ndarray
    skin_rgb: np.ndarray
    lid_rgb: tuple[np.ndarray, np.ndarray]
    """Closed-lid skin of the subject's right eye (image left), then the left eye."""
    teeth_rgb: np.ndarray
    cavity_rgb: np.ndarray
    tongue_rgb: np.ndarray
    lash_rgb: np.ndarray

    def grey(self) -> Palette:
        """The same palette in grey, for black-and-white photos (synthesized parts must not bring colour)."""

        def g(v: np.ndarray) -> np.ndarray:
            return np.full(3, float(np.mean(v)), np.float32)

        return Palette(
            lip_rgb=g(self.lip_rgb), skin_rgb=g(self.skin_rgb),
            lid_rgb=(g(self.lid_rgb[0]), g(self.lid_rgb[1])),
            teeth_rgb=g(self.teeth_rgb), cavity_rgb=g(self.cavity_rgb), tongue_rgb=g(self.tongue_rgb),
            lash_rgb=g(self.lash_rgb),
        )


@dataclass(frozen=True)
class SourceTeeth:
    """The photo's visible teeth, cut out to move rigidly with the upper jaw (they belong to the skull)."""

    box: tuple[int, int]
    """(x, y) pixel position of the cut-out's top-left corner in the source."""
    patch: np.ndarray
    """h×w×3 float32 RGB."""
    alpha: np.ndarray
    """h×w float32 soft mask."""


@dataclass(frozen=True)
class Grain:
    """Static noise at the photo's own grain level, for synthesized areas."""

    level: float
    """High-pass standard deviation measured on the cheek (0.8..6 grey levels)."""
    noise: np.ndarray
    """256×256 float32 unit normal noise (tiled for bigger areas)."""

    def patch(self, ph: int, pw: int) -> np.ndarray:
        n = self.noise
        if ph > n.shape[0] or pw > n.shape[1]:
            n = np.tile(n, (ph // n.shape[0] + 1, pw // n.shape[1] + 1))
        return n[:ph, :pw] * self.level


def sample_palette(image: np.ndarray, pts: np.ndarray, iod: float, teeth_mask: np.ndarray) -> Palette:
    """Lips, cheek, lid skin and teeth from the photo; cavity and tongue derived from the lips."""
    img = image.astype(np.float32)
    lip_rgb = _mean_in(img, pts[LIPS_OUTER])
    skin_rgb = _mean_in(img, pts[list(CHEEK_R)])
    lids = (_lid_rgb(img, pts, EYE_R_UPPER, BROW_R, iod, skin_rgb),
            _lid_rgb(img, pts, EYE_L_UPPER, BROW_L, iod, skin_rgb))
    # teeth colour: the source's teeth if visible, else an off-white matched to the skin's brightness
    tm = teeth_mask > 0
    if has_teeth(teeth_mask):
        teeth_rgb = np.percentile(img[tm], 70, axis=0).astype(np.float32)
    else:
        lum = float(skin_rgb.mean())
        white = np.array([0.98, 0.95, 0.88]) * min(250.0, lum * 1.35 + 30)
        teeth_rgb = np.clip(white, 0, 255).astype(np.float32)
    # white balance / light: tint synthesized whites with the photo's skin hue
    tint = skin_rgb / max(1.0, float(skin_rgb.mean()))
    palette = Palette(
        lip_rgb=lip_rgb, skin_rgb=skin_rgb, lid_rgb=lids,
        teeth_rgb=(teeth_rgb * (0.8 + 0.2 * tint)).astype(np.float32),
        cavity_rgb=np.clip(lip_rgb * 0.3 + np.array([10, 3, 3]), 0, 255),
        tongue_rgb=np.clip(lip_rgb * 0.85 + np.array([18, 0, 4]), 0, 255),
        lash_rgb=np.array(LASH_RGB, np.float32),
    )
    return palette.grey() if is_grey(img) else palette


def has_teeth(teeth_mask: np.ndarray) -> bool:
    """Enough teeth pixels to sample their colour and cut them out (more than 8)."""
    return bool((teeth_mask > 0).sum() > 8)


def is_grey(img: np.ndarray) -> bool:
    """A black-and-white (or sepia-free grey) photo, judged on a 64×64 sample of the float image."""
    h, w = img.shape[:2]
    sample = img[:: max(1, h // 64), :: max(1, w // 64)]
    return float(np.abs(sample - sample.mean(2, keepdims=True)).mean()) < 1.5


def _mean_in(img: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Mean colour inside a polygon, or :data:`FALLBACK_RGB` when it covers three pixels or fewer."""
    m: np.ndarray = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(poly).astype(np.int32)], 1)
    sel = m > 0
    return img[sel].mean(0) if sel.sum() > 3 else np.array(FALLBACK_RGB, np.float32)


def _lid_rgb(img: np.ndarray, pts: np.ndarray, lid: list[int], brow: list[int], iod: float,
             skin_rgb: np.ndarray) -> np.ndarray:
    """Lid skin: a band above the upper lid (towards the brow), lashes/crease/brow/glasses excluded by
    keeping the brighter pixels; the closed lid is the same skin, so its colour comes from there."""
    u = pts[lid]
    b = pts[brow[:5]]
    by = np.interp(u[:, 0], np.sort(b[:, 0]), b[np.argsort(b[:, 0]), 1])
    top = np.stack([u[:, 0], u[:, 1] + 0.6 * (by - u[:, 1])], axis=1)
    band = np.concatenate([u - [0, 0.03 * iod], top[::-1]]).astype(np.float32)
    m = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(band).astype(np.int32)], 1)
    px = img[m > 0]
    if len(px) > 8:
        lum = px.mean(1)
        sel = px[lum >= np.percentile(lum, 45)]
        return _not_darker_than_skin(np.median(sel, axis=0), skin_rgb)
    return skin_rgb.astype(np.float32)


LID_MIN_LIGHTNESS = 0.85
"""A closed lid is at least this share of the cheek's lightness: under a deep brow the band above the eye
is in shadow, and a lid painted in that colour read as a grey patch over the eye."""


def _not_darker_than_skin(lid: np.ndarray, skin_rgb: np.ndarray) -> np.ndarray:
    """``lid`` mixed with the skin colour just enough to reach :data:`LID_MIN_LIGHTNESS`."""
    l_lid, l_skin = float(np.mean(lid)), float(np.mean(skin_rgb))
    floor = LID_MIN_LIGHTNESS * l_skin
    if l_lid >= floor or l_skin <= l_lid:
        return np.asarray(lid, np.float32)
    w = (l_skin - floor) / (l_skin - l_lid)
    return (w * lid + (1 - w) * skin_rgb).astype(np.float32)


def measure_grain(image: np.ndarray, pts: np.ndarray, iod: float, seed: int) -> Grain:
    """The photo's grain: high-pass standard deviation on the cheek, and a fixed noise field for ``seed``."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    hp = gray - cv2.GaussianBlur(gray, (0, 0), 1.5)
    c = pts[CHEEK_R_CENTRE]
    r = max(3, int(0.08 * iod))
    y, x = int(c[1]), int(c[0])
    patch = hp[max(0, y - r):y + r, max(0, x - r):x + r]
    level = float(np.clip(patch.std() if patch.size else 2.0, 0.8, 6.0))
    rng = np.random.default_rng(seed + 17)
    return Grain(level=level, noise=rng.normal(0, 1, (256, 256)).astype(np.float32))


def cut_out_teeth(image: np.ndarray, teeth_mask: np.ndarray) -> SourceTeeth | None:
    """The source's teeth as a soft-edged patch, or None when it shows too few (see :func:`has_teeth`)."""
    if not has_teeth(teeth_mask):
        return None
    tm = teeth_mask > 0
    ys, xs = np.nonzero(tm)
    by0, by1, bx0, bx1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    return SourceTeeth(
        box=(int(bx0), int(by0)),
        patch=image[by0:by1, bx0:bx1].astype(np.float32),
        alpha=cv2.GaussianBlur(tm[by0:by1, bx0:bx1].astype(np.float32), (3, 3), 0),
    )

