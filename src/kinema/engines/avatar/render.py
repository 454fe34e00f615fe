"""Stage 4 — frames: move the mesh, warp the portrait, paint the mouth interior and eyelids, move the camera.

Why it is built this way (see docs/avatar.md and the prototype notes):
* **Exact piecewise-affine inverse warp.** The portrait is triangulated once (face mesh + two rings of
  anchors + the image border). Per frame every moved triangle's inverse affine is applied per pixel
  (vectorised, float32) and the frame is produced by one ``cv2.remap`` limited to the moving bounding box.
* **The triangulation is computed on a virtually opened mouth**, so no triangle ever bridges the upper and
  lower lip: the mouth opening is its own set of triangles, painted over by a synthesized interior.
* **Jaw rotates about the hinge in 3D** using the mesh's depth, cheeks follow with a falloff; head motion is a
  3D rotation of the mesh about a pivot in the neck; hair follows through the anchor ring, background stays.
* **Mouth interior**: shaded cavity tinted from the lips, upper teeth (the source's own teeth, kept rigid with
  the upper jaw, when it shows them), lower teeth with the jaw, a tongue on open vowels, grain matched to the
  photo.
* **Blinks** composite a synthesized lid (skin colour sampled above the eye, lash line), never a warped lid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import Delaunay

from . import face as F
from .face import Portrait

MAX_GAP = 0.32  # widest inner-lip opening, in inter-ocular distances


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _poly_contains(poly: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Point-in-polygon for many points (even-odd rule, vectorised)."""
    x, y = pts[:, 0][:, None], pts[:, 1][:, None]
    x0, y0 = poly[:, 0][None, :], poly[:, 1][None, :]
    x1, y1 = np.roll(poly[:, 0], -1)[None, :], np.roll(poly[:, 1], -1)[None, :]
    cond = (y0 > y) != (y1 > y)
    xint = x0 + (y - y0) * (x1 - x0) / np.where(y1 - y0 == 0, 1e-9, y1 - y0)
    return (np.sum(cond & (x < xint), axis=1) % 2) == 1


@dataclass
class Frame:
    """Per-frame parameters for one render (a row of :class:`motion.Motion`)."""

    open: float = 0.0
    width: float = 0.0
    tongue: float = 0.0
    tuck: float = 0.0
    blink: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    dx: float = 0.0
    dy: float = 0.0
    smile: float = 0.0
    brow: float = 0.0
    zoom: float = 1.0
    pan_x: float = 0.0
    pan_y: float = 0.0


class Rig:
    """Everything computed once per portrait: local frame, weights, anchors, triangulation, colours."""

    def __init__(self, portrait: Portrait, seed: int = 0) -> None:
        self.portrait = portrait
        self.image = portrait.image
        h, w = self.image.shape[:2]
        self.h, self.w = h, w
        pts = portrait.points.astype(np.float32)
        self.iod = iod = portrait.iod
        ex = portrait.eye_axis
        ey = np.array([-ex[1], ex[0]], np.float32)  # image "down" for an upright face
        self.ex, self.ey = ex, ey
        self.origin = ((pts[468] + pts[473]) / 2).astype(np.float32)
        local = self.to_local(pts)
        self.local = local
        z = (portrait.depth - portrait.depth[[234, 454]].mean()) / iod  # depth in IOD, 0 at the ear line
        self.z = z.astype(np.float32)

        # --- refine the inner lip from the pixels, then the lip groups and source gap
        self.inner_src = self._refine_inner_lip(pts)
        pts = pts.copy()
        pts[F.LIPS_INNER] = self.inner_src
        self.points = pts
        local = self.to_local(pts)
        self.local = local
        up_c = local[[82, 13, 312]].mean(0)
        lo_c = local[[87, 14, 317]].mean(0)
        self.gap0 = float(max(0.0, lo_c[1] - up_c[1]))
        self.mouth_c = (local[61] + local[291]) / 2
        self.mouth_hw = float(abs(local[291, 0] - local[61, 0]) / 2)
        n = len(pts)
        upper_poly = local[F.OUTER_UPPER + F.INNER_UPPER[::-1]]
        lower_poly = local[F.OUTER_LOWER + F.INNER_LOWER[::-1]]
        in_up = _poly_contains(upper_poly, local)
        in_lo = _poly_contains(lower_poly, local)
        up_idx = [i for i in F.INNER_UPPER + F.OUTER_UPPER if i not in (61, 291, 78, 308)]
        lo_idx = [i for i in F.INNER_LOWER + F.OUTER_LOWER if i not in (61, 291, 78, 308)]
        # on a closed mouth the two polygons touch: the landmark's own label wins over geometry
        in_lo[up_idx] = False
        in_up[lo_idx] = False
        in_up[up_idx] = True
        in_lo[lo_idx] = True
        in_up &= ~in_lo
        corners = [61, 291, 78, 308]
        # --- jaw weights: lower lip/chin 1, upper face 0; the transition widens towards the cheeks
        u = local[:, 0] - self.mouth_c[0]
        mouth_line = self.mouth_c[1] + (local[:, 0] - self.mouth_c[0]) * 0.0
        band = 0.03 + 0.35 * np.clip(np.abs(u) - self.mouth_hw * 0.8, 0, None)
        wj = _smoothstep((local[:, 1] - mouth_line + band) / (2 * band))
        wj[in_up] = 0.0
        wj[in_lo] = 1.0
        wj[corners] = 0.5
        wj[468:] = 0.0
        self.w_jaw = wj.astype(np.float32)
        # upper-lip raise: falls off with distance from the inner upper lip curve (above it only)
        inner_up = local[F.INNER_UPPER]
        d_up = np.min(np.linalg.norm(local[:, None, :] - inner_up[None, :, :], axis=2), axis=1)
        self.w_upper = (np.exp(-((d_up / 0.09) ** 2)) * (1 - wj)).astype(np.float32)
        self.w_upper[corners] *= 0.5
        # mouth region weight for width/round/smile
        du = (local[:, 0] - self.mouth_c[0]) / (self.mouth_hw * 1.9 + 1e-6)
        dv = (local[:, 1] - self.mouth_c[1]) / 0.42
        self.w_mouth = np.exp(-(du**2 + dv**2) * 1.5).astype(np.float32)
        self.w_mouth[468:] = 0
        self.is_lip = (in_up | in_lo).astype(np.float32)
        # smile: corners and cheeks
        wc = np.zeros(n, np.float32)
        for c in (61, 291):
            d = np.linalg.norm(local - local[c], axis=1)
            wc = np.maximum(wc, np.exp(-((d / 0.28) ** 2)))
        self.w_corner = wc
        self.side = np.sign(local[:, 0] - self.mouth_c[0]).astype(np.float32)
        # brows: points above the eyes, strongest on the brows, fading over the forehead and upper lids
        brow_pts = local[F.BROW_L + F.BROW_R]
        d_b = np.min(np.linalg.norm(local[:, None, :] - brow_pts[None, :, :], axis=2), axis=1)
        self.w_brow = (np.exp(-((d_b / 0.3) ** 2)) * (local[:, 1] < -0.05)).astype(np.float32)
        self.w_brow[468:] = 0

        # --- jaw hinge (in local v, z): level with the nose base, behind the face
        self.hinge_v = float(local[[2, 98, 327], 1].mean()) - 0.1
        self.hinge_z = 0.35
        z14 = float(self.z[14])
        self.jaw_lever = max(0.4, self.hinge_z - z14)
        # head pivot: in the neck, below the chin and behind the face
        self.pivot = np.array([0.0, float(local[152, 1]) + 0.2, 0.9], np.float32)

        # --- anchors: ring 1 (hair/ears/neck, follows the head partially), ring 2 (fixed), border (fixed)
        oval = pts[F.FACE_OVAL]
        cen = oval.mean(0)
        ring1 = cen + 1.3 * (oval - cen)
        ring2 = cen + 2.1 * (oval - cen)
        border = []
        for fx in np.linspace(0, 1, 5):
            border += [(fx * (w - 1), 0), (fx * (w - 1), h - 1)]
        for fy in np.linspace(0, 1, 5)[1:-1]:
            border += [(0, fy * (h - 1)), (w - 1, fy * (h - 1))]
        ring1 = np.clip(ring1, 0, [w - 1, h - 1])
        ring2 = np.clip(ring2, 0, [w - 1, h - 1])
        anchors = np.concatenate([ring1, ring2, np.array(border, np.float32)]).astype(np.float32)
        # drop anchors that crowd each other or the mesh (degenerate triangles)
        keep: list[np.ndarray] = []
        allp = list(pts[:468])
        for a in anchors:
            near = min(float(np.min(np.linalg.norm(np.array(allp) - a, axis=1))),
                       min((float(np.linalg.norm(k - a)) for k in keep), default=1e9))
            if near > 0.06 * iod:
                keep.append(a)
        anchors = np.array(keep, np.float32)
        self.n_mesh = n
        self.all_src = np.concatenate([pts, anchors]).astype(np.float32)
        chin_v = float(local[152, 1])
        a_local = self.to_local(anchors)
        d_face = np.min(np.linalg.norm(anchors[:, None, :] - oval[None, :, :], axis=2), axis=1) / iod
        w_anchor = np.clip(1.0 - d_face / 1.1, 0.0, 1.0) ** 1.2
        w_anchor = w_anchor * (0.3 + 0.7 * _smoothstep((chin_v + 0.1 - a_local[:, 1]) / 0.4))
        on_border = (anchors[:, 0] <= 0.5) | (anchors[:, 1] <= 0.5) | (anchors[:, 0] >= w - 1.5) | (
            anchors[:, 1] >= h - 1.5)
        w_anchor[on_border] = 0.0
        self.w_anchor = w_anchor.astype(np.float32)
        self.anchor_z = np.full(len(anchors), float(np.median(self.z[F.FACE_OVAL])) + 0.3, np.float32)

        # --- triangulate on a virtually opened mouth so no triangle bridges the lips
        opened = self._deform_local(Frame(open=1.0))
        virt = np.concatenate([self.from_local(opened), anchors])
        tri = Delaunay(virt.astype(np.float64)).simplices.astype(np.int32)
        inner = set(F.LIPS_INNER)
        inner_poly = self.all_src[F.LIPS_INNER]
        cent = virt[tri].mean(1)
        in_hole = _poly_contains(virt[F.LIPS_INNER], cent)
        self.tris = tri
        self.hole = np.array([bool(h_) and all(int(v) in inner for v in t) for t, h_ in zip(tri, in_hole,
                                                                                             strict=True)])
        self.inner_poly_src = inner_poly
        moving = np.zeros(len(self.all_src), bool)
        moving[: self.n_mesh] = True
        moving[self.n_mesh:] = self.w_anchor > 0
        mt = tri[moving[tri].any(1)]
        # draw far triangles first: where head rotation folds the mesh (nose over cheek), the nearer wins
        zall = np.concatenate([self.z, self.anchor_z])
        self.moving_tris = mt[np.argsort(-zall[mt].mean(1), kind="stable")]

        # --- colours and grain, sampled once
        self._sample_colours(seed)

    # ------------------------------------------------------------------ coordinates
    def to_local(self, pts: np.ndarray) -> np.ndarray:
        d = pts - self.origin
        return np.stack([d @ self.ex, d @ self.ey], axis=1).astype(np.float32) / self.iod

    def from_local(self, loc: np.ndarray) -> np.ndarray:
        return (self.origin + (loc[:, :1] * self.ex + loc[:, 1:2] * self.ey) * self.iod).astype(np.float32)

    # ------------------------------------------------------------------ source analysis
    def _refine_inner_lip(self, pts: np.ndarray) -> np.ndarray:
        """Inner-lip contour from the pixels inside the outer-lip polygon (teeth/cavity are not lip-coloured).

        mediapipe's inner-lip points collapse on toothy smiles; here each inner point moves vertically to the
        edge of the non-lip region (if any) found in its column.
        """
        img = self.image
        # no teeth until they are found: the early returns below (a mouth too small to analyse) keep this
        self.src_teeth_mask = np.zeros((self.h, self.w), np.uint8)
        outer = pts[F.LIPS_OUTER]
        x0, y0 = np.floor(outer.min(0)).astype(int) - 2
        x1, y1 = np.ceil(outer.max(0)).astype(int) + 3
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(self.w, x1), min(self.h, y1)
        patch = img[y0:y1, x0:x1]
        inner = pts[F.LIPS_INNER].copy()
        if patch.size == 0:
            return inner
        mask: np.ndarray = np.zeros(patch.shape[:2], np.uint8)
        cv2.fillPoly(mask, [np.round((outer - [x0, y0]) * 4).astype(np.int32)], 1, cv2.LINE_8, shift=2)
        mask = cv2.erode(mask, np.ones((3, 3), np.uint8))
        lab = cv2.cvtColor(patch, cv2.COLOR_RGB2LAB).astype(np.float32)
        inside = mask > 0
        if inside.sum() < 20:
            return inner
        # lip colour statistics from a band near the outer contour
        ring = inside & (cv2.erode(mask, np.ones((5, 5), np.uint8)) == 0)
        if ring.sum() < 10:
            ring = inside
        a_lip = float(np.median(lab[..., 1][ring]))
        l_lip = float(np.median(lab[..., 0][ring]))
        chroma = lab[..., 1]
        # teeth: bright and much less red than lips; cavity: much darker than lips
        teeth = inside & (chroma < a_lip - 0.45 * max(4.0, a_lip - 128)) & (lab[..., 0] > l_lip + 8)
        cavity = inside & (lab[..., 0] < l_lip * 0.55)
        open_m: np.ndarray = (teeth | cavity).astype(np.uint8)
        open_m = cv2.morphologyEx(open_m, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
        # keep the main opening only: stray specks (a highlight on the lower lip) must not move the contour
        n_cc, labels, stats, _ = cv2.connectedComponentsWithStats(open_m, connectivity=8)
        if n_cc > 1:
            areas = stats[1:, cv2.CC_STAT_AREA]
            keep = 1 + np.nonzero(areas >= max(4, 0.2 * areas.max()))[0]
            open_m = np.isin(labels, keep).astype(np.uint8)
        teeth = teeth & (open_m > 0)
        self.src_teeth_mask[y0:y1, x0:x1] = teeth.astype(np.uint8) * 255
        if open_m.sum() < max(6, 0.02 * inside.sum()):
            return inner
        ys, xs = np.nonzero(open_m)
        outer_lo = pts[F.OUTER_LOWER]
        order = np.argsort(outer_lo[:, 0])
        for k, idx in enumerate(F.LIPS_INNER):
            px, py = inner[k]
            if idx in (78, 308):
                continue
            col = round(px) - x0
            sel = np.abs(xs - col) <= 1
            if not sel.any():
                continue
            top, bot = ys[sel].min() + y0, ys[sel].max() + y0 + 1
            if idx in F.INNER_UPPER:
                inner[k, 1] = min(py, top)
            else:
                # never past 70 % of the way to the outer lower lip (a lower lip keeps some thickness)
                y_out = float(np.interp(px, outer_lo[order, 0], outer_lo[order, 1]))
                inner[k, 1] = min(max(py, bot), py + 0.7 * max(0.0, y_out - py))
        # inner corners: out to the ends of the opening (dark corners of a smile belong to the mouth)
        for idx, side in ((78, -1), (308, 1)):
            k = F.LIPS_INNER.index(idx)
            ext = xs.min() if side < 0 else xs.max()
            if (ext + x0 - inner[k, 0]) * side > 0:
                rows = ys[xs == ext]
                inner[k] = (ext + x0 + 0.5 * side, float(rows.mean()) + y0 + 0.5)
        return inner

    def _sample_colours(self, seed: int) -> None:
        img = self.image.astype(np.float32)
        pts = self.points
        iod = self.iod

        def mean_in(poly: np.ndarray, erode: int = 0) -> np.ndarray:
            m: np.ndarray = np.zeros((self.h, self.w), np.uint8)
            cv2.fillPoly(m, [np.round(poly).astype(np.int32)], 1)
            if erode:
                m = cv2.erode(m, np.ones((erode, erode), np.uint8))
            sel = m > 0
            return img[sel].mean(0) if sel.sum() > 3 else np.array([150, 110, 100], np.float32)

        self.lip_rgb = mean_in(pts[F.LIPS_OUTER])
        cheek = pts[[205, 50, 187, 207, 206]]
        self.skin_rgb = mean_in(cheek)
        # lid skin: band above each upper lid (towards the brow), lashes/crease/brow/glasses excluded by
        # keeping the brighter pixels; the closed lid is the same skin, so its colour comes from there
        self.lid_rgb = []
        for up, brow in ((F.EYE_R_UPPER, F.BROW_R), (F.EYE_L_UPPER, F.BROW_L)):
            u = pts[up]
            b = pts[brow[:5]]
            by = np.interp(u[:, 0], np.sort(b[:, 0]), b[np.argsort(b[:, 0]), 1])
            top = np.stack([u[:, 0], u[:, 1] + 0.6 * (by - u[:, 1])], axis=1)
            band = np.concatenate([u - [0, 0.03 * iod], top[::-1]]).astype(np.float32)
            m = np.zeros((self.h, self.w), np.uint8)
            cv2.fillPoly(m, [np.round(band).astype(np.int32)], 1)
            px = img[m > 0]
            if len(px) > 8:
                lum = px.mean(1)
                sel = px[lum >= np.percentile(lum, 45)]
                self.lid_rgb.append(np.median(sel, axis=0).astype(np.float32))
            else:
                self.lid_rgb.append(self.skin_rgb.astype(np.float32))
        # teeth colour: the source's teeth if visible, else an off-white matched to the skin's brightness
        tm = self.src_teeth_mask > 0
        if tm.sum() > 8:
            self.teeth_rgb = np.percentile(img[tm], 70, axis=0).astype(np.float32)
            self.has_src_teeth = True
        else:
            lum = float(self.skin_rgb.mean())
            white = np.array([0.98, 0.95, 0.88]) * min(250.0, lum * 1.35 + 30)
            self.teeth_rgb = np.clip(white, 0, 255).astype(np.float32)
            self.has_src_teeth = False
        # white balance / light: tint synthesized whites with the photo's skin hue
        tint = self.skin_rgb / max(1.0, float(self.skin_rgb.mean()))
        self.teeth_rgb = (self.teeth_rgb * (0.8 + 0.2 * tint)).astype(np.float32)
        self.cavity_rgb = np.clip(self.lip_rgb * 0.3 + np.array([10, 3, 3]), 0, 255)
        self.tongue_rgb = np.clip(self.lip_rgb * 0.85 + np.array([18, 0, 4]), 0, 255)
        self.lash_rgb = np.array([38, 30, 28], np.float32)
        # black-and-white (or sepia-free grey) photos: synthesized parts must not bring colour in
        sample = img[:: max(1, self.h // 64), :: max(1, self.w // 64)]
        if float(np.abs(sample - sample.mean(2, keepdims=True)).mean()) < 1.5:
            for name in ("teeth_rgb", "cavity_rgb", "tongue_rgb", "lip_rgb", "skin_rgb", "lash_rgb"):
                v = getattr(self, name)
                setattr(self, name, np.full(3, float(np.mean(v)), np.float32))
            self.lid_rgb = [np.full(3, float(np.mean(v)), np.float32) for v in self.lid_rgb]
        # grain: high-pass std on the cheek
        gray = cv2.cvtColor(self.image, cv2.COLOR_RGB2GRAY).astype(np.float32)
        hp = gray - cv2.GaussianBlur(gray, (0, 0), 1.5)
        c = pts[205]
        r = max(3, int(0.08 * iod))
        y, x = int(c[1]), int(c[0])
        patch = hp[max(0, y - r):y + r, max(0, x - r):x + r]
        self.grain = float(np.clip(patch.std() if patch.size else 2.0, 0.8, 6.0))
        rng = np.random.default_rng(seed + 17)
        self.noise = rng.normal(0, 1, (256, 256)).astype(np.float32)
        # source teeth cut-out (rigid with the upper jaw): bbox + RGBA patch
        if self.has_src_teeth:
            ys, xs = np.nonzero(tm)
            by0, by1, bx0, bx1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            self.teeth_box = (int(bx0), int(by0))
            self.teeth_patch = self.image[by0:by1, bx0:bx1].astype(np.float32)
            self.teeth_alpha = cv2.GaussianBlur(tm[by0:by1, bx0:bx1].astype(np.float32), (3, 3), 0)

    def grain_patch(self, ph: int, pw: int) -> np.ndarray:
        """Static noise (like the photo's own grain) for synthesized areas."""
        n = self.noise
        if ph > n.shape[0] or pw > n.shape[1]:
            n = np.tile(n, (ph // n.shape[0] + 1, pw // n.shape[1] + 1))
        return n[:ph, :pw] * self.grain

    # ------------------------------------------------------------------ geometry per frame
    def _deform_local(self, f: Frame) -> np.ndarray:
        """Expression + mouth in local (IOD) coordinates for the mesh points (no head motion)."""
        loc = self.local.copy()
        target = MAX_GAP * max(0.0, f.open)
        delta = target - self.gap0
        # upper lip takes a quarter of the opening, the jaw the rest (rotation about the hinge in v–z)
        up_share = 0.25 if delta > 0 else 0.5
        loc[:, 1] -= up_share * delta * self.w_upper
        s = (1 - up_share) * delta / self.jaw_lever
        theta = math.asin(max(-0.5, min(0.5, s)))
        if theta != 0.0:
            v = self.local[:, 1] - self.hinge_v
            zz = self.z - self.hinge_z
            dv = v * (math.cos(theta) - 1) - zz * math.sin(theta)
            loc[:, 1] += dv * self.w_jaw
        # spread / round: horizontal scaling about the mouth centre; rounding also pushes lips out
        u = self.local[:, 0] - self.mouth_c[0]
        k = 0.14 * f.width if f.width > 0 else 0.36 * f.width
        loc[:, 0] += k * u * self.w_mouth
        if f.width < 0:
            vv = self.local[:, 1] - self.mouth_c[1]
            loc[:, 1] += -0.10 * f.width * vv * self.w_mouth * self.is_lip
        # f/v: lower lip tucks up under the upper teeth
        if f.tuck > 0:
            loc[:, 1] -= 0.035 * f.tuck * self.w_jaw * self.w_mouth
        # smile: corners up and out, cheeks lift
        if f.smile != 0:
            loc[:, 0] += 0.06 * f.smile * self.side * self.w_corner
            loc[:, 1] -= 0.055 * f.smile * self.w_corner * (1 - 0.5 * self.w_jaw)
        if f.brow != 0:
            loc[:, 1] -= 0.05 * f.brow * self.w_brow
        return loc

    def dest_points(self, f: Frame) -> np.ndarray:
        """All vertex positions (mesh + anchors) in output pixels for one frame, before the camera."""
        loc = self._deform_local(f)
        # head: rotate (u, v, z) about the neck pivot, then translate
        cy, sy = math.cos(f.yaw), math.sin(f.yaw)
        cp, sp = math.cos(f.pitch), math.sin(f.pitch)
        cr, sr = math.cos(f.roll), math.sin(f.roll)
        ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]], np.float32)
        rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]], np.float32)
        rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]], np.float32)
        rot = rz @ rx @ ry
        p3 = np.concatenate([loc, self.z[:, None]], axis=1) - self.pivot
        moved = (p3 @ rot.T + self.pivot)[:, :2] + np.array([f.dx, f.dy], np.float32)
        mesh = self.from_local(moved)
        # anchors: the same rigid head motion, scaled by their weight
        anc_src = self.all_src[self.n_mesh:]
        a_loc = self.to_local(anc_src)
        a3 = np.concatenate([a_loc, self.anchor_z[:, None]], axis=1) - self.pivot
        a_mov = (a3 @ rot.T + self.pivot)[:, :2] + np.array([f.dx, f.dy], np.float32)
        a_dst = anc_src + (self.from_local(a_mov) - anc_src) * self.w_anchor[:, None]
        return np.concatenate([mesh, a_dst]).astype(np.float32)


class Renderer:
    """Renders frames for one portrait; holds the reusable buffers."""

    def __init__(self, rig: Rig, high_quality: bool = False) -> None:
        self.rig = rig
        self.src = rig.image
        # pro mode samples bicubically (sharper skin texture under the warp), std bilinearly (faster)
        self.interp = cv2.INTER_CUBIC if high_quality else cv2.INTER_LINEAR
        self._grid_cache: dict[tuple[int, int, int, int], tuple[np.ndarray, np.ndarray]] = {}
        self.last_bbox: tuple[int, int, int, int] = (0, 0, 0, 0)

    def _grid(self, x0: int, y0: int, x1: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
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

    def warp(self, dst: np.ndarray) -> np.ndarray:
        """Exact piecewise-affine warp of the portrait so that source vertices land on ``dst``."""
        rig = self.rig
        out = self.src.copy()
        tris = rig.moving_tris
        d = dst[tris]  # (T, 3, 2)
        s = rig.all_src[tris]
        lo = np.floor(d.reshape(-1, 2).min(0)).astype(int)
        hi = np.ceil(d.reshape(-1, 2).max(0)).astype(int) + 1
        x0, y0 = max(0, int(lo[0])), max(0, int(lo[1]))
        x1, y1 = min(rig.w, int(hi[0])), min(rig.h, int(hi[1]))
        # round the box to multiples of 16 px so the coordinate grid is reused across frames
        x0, y0 = (x0 // 16) * 16, (y0 // 16) * 16
        x1, y1 = min(rig.w, -(-x1 // 16) * 16), min(rig.h, -(-y1 // 16) * 16)
        self.last_bbox = (x0, y0, x1, y1)
        # inverse affine per triangle: [sx, sy] = M @ [dx, dy, 1]
        # (closed form, vectorised over triangles, in float64: L = [f1 f2] · [e1 e2]⁻¹, t = s0 − L·p0)
        d64, s64 = d.astype(np.float64), s.astype(np.float64)
        e1, e2 = d64[:, 1] - d64[:, 0], d64[:, 2] - d64[:, 0]
        f1, f2 = s64[:, 1] - s64[:, 0], s64[:, 2] - s64[:, 0]
        det = e1[:, 0] * e2[:, 1] - e2[:, 0] * e1[:, 1]
        ok = np.abs(det) > 1e-6
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        a = (f1[:, 0] * e2[:, 1] - f2[:, 0] * e1[:, 1]) * inv
        b = (f2[:, 0] * e1[:, 0] - f1[:, 0] * e2[:, 0]) * inv
        c = (f1[:, 1] * e2[:, 1] - f2[:, 1] * e1[:, 1]) * inv
        e = (f2[:, 1] * e1[:, 0] - f1[:, 1] * e2[:, 0]) * inv
        coef = np.empty((len(tris) + 1, 6), np.float32)
        coef[:-1, 0], coef[:-1, 1] = a, b
        coef[:-1, 2] = s64[:, 0, 0] - a * d64[:, 0, 0] - b * d64[:, 0, 1]
        coef[:-1, 3], coef[:-1, 4] = c, e
        coef[:-1, 5] = s64[:, 0, 1] - c * d64[:, 0, 0] - e * d64[:, 0, 1]
        coef[-1] = (1, 0, 0, 0, 1, 0)  # uncovered pixels: identity
        ids = np.full((y1 - y0, x1 - x0), len(tris), np.int32)
        dq = np.round((d - [x0, y0]) * 16).astype(np.int32)
        fill = cv2.fillConvexPoly
        line8 = cv2.LINE_8
        # (iterating a list of small arrays is ~40 % cheaper than indexing the big array per triangle)
        for i, (poly, good) in enumerate(zip(list(dq), ok.tolist(), strict=True)):
            if good:
                fill(ids, poly, i, line8, 4)
        gx, gy = self._grid(x0, y0, x1, y1)
        # per-pixel affine, gathered coefficient by coefficient into preallocated float32 buffers
        # (2× faster than gathering (h, w, 6) at once and building temporaries)
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
        out[y0:y1, x0:x1] = cv2.remap(self.src, mapx, mapy, self.interp, borderMode=cv2.BORDER_REFLECT)
        return out

    # ------------------------------------------------------------------ mouth interior
    def paint_mouth(self, frame: np.ndarray, dst: np.ndarray, f: Frame) -> None:
        rig = self.rig
        iod = rig.iod
        inner = dst[F.LIPS_INNER]
        up = dst[F.INNER_UPPER]
        lo = dst[F.INNER_LOWER][::-1]
        gap = float(np.mean(lo[3:8, 1] - up[3:8, 1])) if len(lo) == len(up) else 0.0
        if gap < 0.6:
            return
        x0, y0 = np.floor(inner.min(0)).astype(int) - 2
        x1, y1 = np.ceil(inner.max(0)).astype(int) + 3
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(rig.w, x1), min(rig.h, y1)
        if x1 - x0 < 3 or y1 - y0 < 2:
            return
        pw, ph = x1 - x0, y1 - y0
        mask = np.zeros((ph, pw), np.uint8)
        cv2.fillPoly(mask, [np.round((inner - [x0, y0]) * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
        alpha = mask.astype(np.float32)[..., None] / 255.0
        xs = np.arange(x0, x1, dtype=np.float32) + 0.0
        ys = np.arange(y0, y1, dtype=np.float32)[:, None]
        oux, ouy = up[:, 0], up[:, 1]
        order_u = np.argsort(oux)
        order_l = np.argsort(lo[:, 0])
        yu = np.interp(xs, oux[order_u], ouy[order_u])[None, :]
        yl = np.interp(xs, lo[order_l, 0], lo[order_l, 1])[None, :]
        span = np.maximum(yl - yu, 0.5)
        s = np.clip((ys - yu) / span, 0, 1)  # 0 at upper lip, 1 at lower lip
        xc = (dst[78, 0] + dst[308, 0]) / 2
        hw = max(1.0, abs(dst[308, 0] - dst[78, 0]) / 2)
        r = np.clip((xs[None, :] - xc) / hw, -1.2, 1.2)
        # cavity: dark, darker at the back/centre-top (shadow of the upper lip), corners shadowed by cheeks
        shade = (0.55 + 0.45 * s) * (1.0 - 0.35 * r**2)
        col = rig.cavity_rgb[None, None, :] * shade[..., None] * (0.8 + 0.4 * min(1.0, gap / (0.2 * iod)))
        col = np.broadcast_to(col, (ph, pw, 3)).astype(np.float32).copy()
        # tongue: a soft mound rising from the lower lip on open vowels
        if f.tongue > 0.05 and gap > 0.08 * iod:
            th = f.tongue * 0.45
            tongue = _smoothstep((s - (1 - th)) / 0.18) * _smoothstep((0.75 - np.abs(r)) / 0.3)
            tcol = rig.tongue_rgb[None, None, :] * (0.55 + 0.45 * (s[..., None]))
            col = col * (1 - tongue[..., None]) + tcol * tongue[..., None]
        # Teeth sit on smooth arcs (dental arches), not on the lips' wobbly inner contour: fit a parabola to
        # each lip contour and hang the rows from it.
        au = np.polyfit(up[:, 0] - xc, up[:, 1], 2)
        al = np.polyfit(lo[:, 0] - xc, lo[:, 1], 2)
        yu_arc = np.polyval(au, xs - xc)[None, :]
        yl_arc = np.polyval(al, xs - xc)[None, :]
        phase_l = (np.abs(r) + 0.1) % 0.2 - 0.1
        # lower teeth: a short row behind the lower lip, visible when the jaw is open
        lt_h = min(0.045 * iod, 0.2 * gap - 0.02 * iod) * (1 - 0.3 * r**2)
        if gap > 0.14 * iod:
            dist_lo = yl_arc - ys
            lower = _smoothstep((lt_h - dist_lo) / 1.2) * _smoothstep((0.65 - np.abs(r)) / 0.2)
            lgap = 1.0 - 0.1 * np.exp(-((phase_l / 0.03) ** 2))
            lcol = rig.teeth_rgb[None, None, :] * ((0.7 - 0.25 * r**2) * lgap)[..., None]
            col = col * (1 - lower[..., None]) + lcol * lower[..., None]
        # upper teeth: hang from the upper arch, incisors longest, faint gaps, shadow under the lip
        # rounded lips (oo, w) cover most of the teeth; spread ones show them
        round_hide = 1.0 + 0.55 * min(0.0, f.width)
        ut_h = min(0.12 * iod, 0.5 * gap + 0.02 * iod) * (1 - 0.45 * r**2) * round_hide
        dist_up = ys - yu_arc
        upper = _smoothstep((ut_h - dist_up) / 1.2) * _smoothstep((0.85 - np.abs(r)) / 0.2)
        phase = (np.abs(r) + 0.15) % 0.3 - 0.15  # incisor spacing ≈ 0.3 of the half mouth width
        gaps = 1.0 - 0.12 * np.exp(-((phase / 0.035) ** 2))
        ucol = rig.teeth_rgb[None, None, :] * ((0.88 - 0.35 * r**2) * gaps)[..., None]
        lip_shadow = 0.7 + 0.3 * _smoothstep((ys - yu) / max(1.5, 0.25 * float(np.mean(ut_h))))
        ucol = ucol * lip_shadow[..., None]
        col = col * (1 - upper[..., None]) + ucol * upper[..., None]
        if rig.has_src_teeth:
            self._paste_source_teeth(col, dst, x0, y0)
        # contact shadow: the lips' inner edges occlude the interior (a soft dark rim gives depth)
        rim_w = max(1.0, 0.025 * iod)
        k = int(2 * round(rim_w) + 1)
        inside = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (k, k), rim_w)
        rim = np.clip(1.0 - inside, 0.0, 1.0) * (mask > 0)
        col *= (1.0 - 0.45 * rim)[..., None]
        # grain matched to the photo
        col += rig.grain_patch(ph, pw)[..., None]
        region = frame[y0:y1, x0:x1].astype(np.float32)
        frame[y0:y1, x0:x1] = np.clip(region * (1 - alpha) + col * alpha, 0, 255).astype(np.uint8)

    def _paste_source_teeth(self, col: np.ndarray, dst: np.ndarray, x0: int, y0: int) -> None:
        """The photo's own visible teeth, moved rigidly with the upper lip (they belong to the skull)."""
        rig = self.rig
        shift = dst[[82, 13, 312]].mean(0) - rig.points[[82, 13, 312]].mean(0)
        bx, by = rig.teeth_box
        tx, ty = bx + shift[0] - x0, by + shift[1] - y0
        ph, pw = col.shape[:2]
        th, tw = rig.teeth_patch.shape[:2]
        mat = np.array([[1, 0, tx], [0, 1, ty]], np.float32)
        patch = cv2.warpAffine(rig.teeth_patch, mat, (pw, ph), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT)
        a = cv2.warpAffine(rig.teeth_alpha, mat, (pw, ph), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT)
        col *= 1 - a[..., None]
        col += patch * a[..., None]
        del th, tw

    # ------------------------------------------------------------------ eyelids
    def paint_lids(self, frame: np.ndarray, dst: np.ndarray, f: Frame) -> None:
        """Composite a synthesized upper lid that slides down to the lower lid.

        The lid covers the photo's own upper lash line (so there is no double lash line), fades into the real
        lid skin at its top, is shaded as a convex surface, and carries a lash line on its moving edge. When
        fully closed it overlaps the lower lid slightly, so no sliver of eye white is left.
        """
        if f.blink < 0.04:
            return
        rig = self.rig
        iod = rig.iod
        c = float(min(1.0, f.blink))
        for (up_i, lo_i), lid_rgb in zip(((F.EYE_R_UPPER, F.EYE_R_LOWER), (F.EYE_L_UPPER, F.EYE_L_LOWER)),
                                         rig.lid_rgb, strict=True):
            up = dst[up_i]
            lo = dst[lo_i]
            edge = up + c * (lo - up)
            if c > 0.8:
                edge = edge + np.array([0, 0.015 * iod * (c - 0.8) / 0.2], np.float32)
            feather = 0.08 * iod * min(1.0, c / 0.4)
            top = up - np.array([0, feather], np.float32)
            poly = np.concatenate([top, edge[::-1]])
            x0, y0 = np.floor(poly.min(0)).astype(int) - 3
            x1, y1 = np.ceil(poly.max(0)).astype(int) + 4
            x0, y0 = max(0, x0), max(0, y0)
            x1, y1 = min(rig.w, x1), min(rig.h, y1)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
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
            fade = _smoothstep((ys - (yu - feather)) / max(1.0, 0.45 * feather))[..., None]
            alpha = hard * fade
            t = np.clip((ys - (yu - feather)) / np.maximum(ye - (yu - feather), 1.0), 0, 1)
            ecx = float(up[:, 0].mean())
            ehw = max(1.0, float(np.ptp(up[:, 0])) / 2)
            r = np.clip((xs[None, :] - ecx) / ehw, -1, 1)
            shade = (1.0 - 0.10 * t**2) * (1.0 - 0.12 * r**2) * (1.0 + 0.04 * (1 - t))
            col = lid_rgb[None, None, :] * shade[..., None]
            lash_w = max(0.8, 0.016 * iod)
            lash = (np.exp(-(((ys - ye + 0.3 * lash_w) / lash_w) ** 2)) * (0.2 + 0.45 * c) * (1 - 0.4 * r**2))
            col = col * (1 - lash[..., None]) + rig.lash_rgb * lash[..., None]
            col = col + rig.grain_patch(ph, pw)[..., None] * 0.7
            region = frame[y0:y1, x0:x1].astype(np.float32)
            # above the real lid line, keep dark things (glasses frames, brows, the crease) in front
            # (the photo's own lash line, just above the lid line, is still covered)
            dark = (region.mean(2) < 0.5 * float(lid_rgb.mean())) & (ys < yu - 0.4 * feather)
            keep = cv2.GaussianBlur(dark.astype(np.float32), (3, 3), 0)[..., None]
            alpha = alpha * (1 - 0.85 * keep)
            frame[y0:y1, x0:x1] = np.clip(region * (1 - alpha) + col * alpha, 0, 255).astype(np.uint8)

    # ------------------------------------------------------------------ camera
    @staticmethod
    def camera(frame: np.ndarray, f: Frame) -> np.ndarray:
        if abs(f.zoom - 1.0) < 1e-4 and abs(f.pan_x) < 1e-5 and abs(f.pan_y) < 1e-5:
            return frame
        h, w = frame.shape[:2]
        cx, cy = w / 2, h / 2
        z = f.zoom
        # output q = z * (p - c) + c + pan
        mat = np.array([[z, 0, (1 - z) * cx + f.pan_x * w], [0, z, (1 - z) * cy + f.pan_y * h]], np.float32)
        return cv2.warpAffine(frame, mat, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    def render(self, f: Frame) -> np.ndarray:
        """One output frame (RGB uint8, portrait size)."""
        dst = self.rig.dest_points(f)
        frame = self.warp(dst)
        self.paint_mouth(frame, dst, f)
        self.paint_lids(frame, dst, f)
        return self.camera(frame, f)
