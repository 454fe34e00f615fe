"""The per-frame compositor: precompute layers once, then one remap per layer and cheap blends per frame.

Layer order, back to front:

1. the *plate*: the photo with near objects and brush regions inpainted away and an outpainted margin; it is
   warped by a continuous-depth camera field plus ambient fields (one remap);
2. near objects (people, a sharp subject) as premultiplied RGBA, warped by their own (nearer) camera field
   plus breathing/hair fields, inside a precomputed region of interest (one remap each);
3. light flicker (a gain map) and falling particles;
4. the static-mask region pasted from the photo (minus the brush regions' starting places);
5. motion-brush regions translated along their trajectories (one ``warpAffine`` of their bounding box
   each), last, so a region the user asked to move may cross a frozen area.

Premultiplied alpha is what makes warped soft edges correct: interpolating straight RGBA would bleed the
cut-out's surroundings into its edge.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from kinema.engines.image2video.ambient import AmbientPlan, ParticleCanvas, draw_particles
from kinema.engines.image2video.brush import Trajectory
from kinema.engines.image2video.camera import CameraMove, coverage_zoom, ease, source_coords
from kinema.engines.image2video.depth import DepthLayers
from kinema.engines.image2video.inpaint import FillFn, fill_holes, pad_outside

PARTICLE_FADE_S = 0.6
MARGIN = 0.07
"""Outpainted margin around the photo, as a fraction of its size; beyond it the camera zooms in instead."""


Term = tuple[np.ndarray, np.ndarray, Callable[[float], float]]

TERM_STEP = 4
"""Ambient fields are smooth, so their per-frame weighted sum is formed 4x coarser and upsampled once."""


class _TermSum:
    """``sum_k coef_k(t) * field_k`` for one layer, computed on a coarse grid: two resizes per frame instead
    of two full-resolution ``scaleAdd``s per term."""

    def __init__(self, terms: list[Term], shape: tuple[int, int]) -> None:
        h, w = shape
        self.size = (w, h)
        cw, ch = max(2, -(-w // TERM_STEP)), max(2, -(-h // TERM_STEP))
        self.fx = [cv2.resize(fx, (cw, ch), interpolation=cv2.INTER_AREA) for fx, _, _ in terms]
        self.fy = [cv2.resize(fy, (cw, ch), interpolation=cv2.INTER_AREA) for _, fy, _ in terms]
        self.coefs = [c for _, _, c in terms]

    def __bool__(self) -> bool:
        return bool(self.coefs)

    def add_to(self, mx: np.ndarray, my: np.ndarray, secs: float) -> tuple[np.ndarray, np.ndarray]:
        cs = [float(c(secs)) for c in self.coefs]
        sx = sum(c * f for c, f in zip(cs, self.fx, strict=True))
        sy = sum(c * f for c, f in zip(cs, self.fy, strict=True))
        dx = cv2.resize(np.asarray(sx, np.float32), self.size, interpolation=cv2.INTER_LINEAR)
        dy = cv2.resize(np.asarray(sy, np.float32), self.size, interpolation=cv2.INTER_LINEAR)
        return cv2.add(mx, dx), cv2.add(my, dy)


@dataclass
class _Sprite:
    """A premultiplied RGBA cut-out with its per-frame motion."""

    rgba: np.ndarray
    roi: tuple[int, int, int, int]  # y0, y1, x0, x1 in the frame
    cam: tuple[np.ndarray, np.ndarray] | None = None
    terms: list[Term] = field(default_factory=list)
    trajectory: Trajectory | None = None
    src_box: tuple[int, int, int, int] | None = None
    grid: tuple[np.ndarray, np.ndarray] | None = None
    term_sum: _TermSum | None = None

    def crop_to_roi(self) -> None:
        """Keep only the ROI of every per-pixel field (contiguous): less memory, no per-frame slicing."""
        y0, y1, x0, x1 = self.roi
        gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
        self.grid = (gx, gy)
        if self.cam is not None:
            self.cam = (
                np.ascontiguousarray(self.cam[0][y0:y1, x0:x1]),
                np.ascontiguousarray(self.cam[1][y0:y1, x0:x1]),
            )
        self.term_sum = _TermSum(
            [(fx[y0:y1, x0:x1], fy[y0:y1, x0:x1], c) for fx, fy, c in self.terms], (y1 - y0, x1 - x0)
        )
        self.terms = []


@dataclass
class BrushRegion:
    """A dynamic-mask region in output pixels with its trajectory."""

    hard: np.ndarray
    trajectory: Trajectory


def _premultiply(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = np.clip(alpha * 255.0 + 0.5, 0, 255).astype(np.uint8)
    pm = cv2.multiply(rgb, cv2.merge([a, a, a]), scale=1.0 / 255.0)
    return cv2.merge([*cv2.split(pm), a])


def _over(dst: np.ndarray, rgba: np.ndarray) -> None:
    """``dst = rgb + dst * (1 - a)`` in place (premultiplied 'over'), all uint8."""
    inv = cv2.bitwise_not(cv2.extractChannel(rgba, 3))
    under = cv2.multiply(dst, cv2.cvtColor(inv, cv2.COLOR_GRAY2RGB), scale=1.0 / 255.0)
    cv2.add(under, cv2.cvtColor(rgba, cv2.COLOR_RGBA2RGB), dst=dst)


def _bbox(mask: np.ndarray, pad: int, h: int, w: int) -> tuple[int, int, int, int] | None:
    ys, xs = np.where(mask)
    if len(ys) == 0:
        return None
    return (
        max(0, int(ys.min()) - pad),
        min(h, int(ys.max()) + 1 + pad),
        max(0, int(xs.min()) - pad),
        min(w, int(xs.max()) + 1 + pad),
    )


FIELD_STEP = 4
"""Camera fields are smooth (a homography per depth, depth itself smooth), so they are evaluated on a grid
4x coarser and upsampled: ~16x less closed-form work per clip for sub-pixel differences."""


def camera_field(camera: CameraMove, q: np.ndarray | float, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Backward displacement (dx, dy) of every output pixel at the end pose, for inverse depth ``q``."""
    sw, sh = -(-w // FIELD_STEP) + 1, -(-h // FIELD_STEP) + 1
    xs = np.arange(sw, dtype=np.float64) * FIELD_STEP  # the last node may lie just outside: that is fine,
    ys = np.arange(sh, dtype=np.float64) * FIELD_STEP  # the camera model is analytic there too
    gx, gy = np.meshgrid(xs, ys)
    if isinstance(q, np.ndarray):
        qi = np.minimum(gy.astype(int), h - 1), np.minimum(gx.astype(int), w - 1)
        qs: np.ndarray | float = q[qi].astype(np.float64)
    else:
        qs = q
    sx, sy = source_coords(camera, gx, gy, qs, w, h)
    dx_small = (sx - gx).astype(np.float32)
    dy_small = (sy - gy).astype(np.float32)
    # grid node k sits at pixel k*STEP: map that lattice back onto full resolution
    mx = np.arange(w, dtype=np.float32) / FIELD_STEP
    my = np.arange(h, dtype=np.float32) / FIELD_STEP
    mapx, mapy = np.meshgrid(mx, my)
    dx = cv2.remap(dx_small, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    dy = cv2.remap(dy_small, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(dx, np.float32), np.asarray(dy, np.float32)


def _pin_to_borders(dx: np.ndarray, dy: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep an object that is cut by the frame edge attached to that edge.

    A person cut by the bottom of the photo continues below it; moving the camera so that the cut would rise
    into view has nothing real to show, and edge replication smears it into streaks. Where the backward map
    at a touched border samples beyond the photo, we subtract that overshoot with a ramp that is zero at the
    far side of the object: it stretches a little instead of tearing off the edge.
    """
    h, w = alpha.shape
    solid = alpha > 0.5
    dx, dy = dx.copy(), dy.copy()
    rows, cols = np.where(solid.any(axis=1))[0], np.where(solid.any(axis=0))[0]
    if len(rows) == 0:
        return dx, dy
    top, bottom, left, right = int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])
    yy = np.arange(h, dtype=np.float32)[:, None]
    xx = np.arange(w, dtype=np.float32)[None, :]
    if solid[-1].mean() > 0.02:  # bottom: sampled row must not go below h-1
        over = np.maximum(dy[-1], 0.0)[None, :]
        ramp = np.clip((yy - top) / max(h - 1 - top, 1), 0.0, 1.0)
        dy -= over * ramp
    if solid[0].mean() > 0.02:  # top: sampled row must not go above 0
        over = np.minimum(dy[0], 0.0)[None, :]
        ramp = np.clip((bottom - yy) / max(bottom, 1), 0.0, 1.0)
        dy -= over * ramp
    if solid[:, -1].mean() > 0.02:
        over = np.maximum(dx[:, -1], 0.0)[:, None]
        ramp = np.clip((xx - left) / max(w - 1 - left, 1), 0.0, 1.0)
        dx -= over * ramp
    if solid[:, 0].mean() > 0.02:
        over = np.minimum(dx[:, 0], 0.0)[:, None]
        ramp = np.clip((right - xx) / max(right, 1), 0.0, 1.0)
        dx -= over * ramp
    return dx.astype(np.float32), dy.astype(np.float32)


class SceneRenderer:
    """Everything precomputed for one clip; :meth:`frame` renders frame ``i`` of ``n``."""

    def __init__(  # noqa: C901, PLR0915 -- builds sprites, plate, brushes, static region; to split into steps (review §4.5)
        self,
        rgb: np.ndarray,
        layers: DepthLayers,
        camera: CameraMove | None,
        ambient: AmbientPlan,
        brushes: list[BrushRegion],
        static_alpha: np.ndarray | None,
        n_frames: int,
        fps: int,
        reverse: bool = False,
        cubic: bool = False,
        seed: int = 0,
        inpaint_side: int = 384,
        fill: FillFn = fill_holes,
        easing: Callable[[float], float] = ease,
    ) -> None:
        h, w = rgb.shape[:2]
        self.h, self.w, self.n, self.fps = h, w, n_frames, fps
        self.rgb = rgb
        self.reverse = reverse
        #: How far along its move the camera is at a clip fraction (smoothstep unless a path says otherwise).
        self.easing = easing
        self.interp = cv2.INTER_CUBIC if cubic else cv2.INTER_LINEAR
        self.ambient = ambient
        # particle coverage is drawn here, one frame at a time (frames are rendered in order, one thread)
        self.canvas = ParticleCanvas(h, w) if ambient.particles else None
        diag = math.hypot(w, h)
        feather = max(1.0, 0.004 * diag)

        person_terms = [t for t in ambient.terms if t.target == "person"]
        moving_camera = camera is not None and not camera.is_static()
        gx, gy = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
        if moving_camera:
            assert camera is not None
            self.mx, self.my = max(2, round(MARGIN * w)), max(2, round(MARGIN * h))
            camera = coverage_zoom(camera, layers.plate_q, w, h, 0.9 * self.mx, 0.9 * self.my)
        else:
            self.mx = self.my = 0
        self.camera = camera

        # --- near objects that move (brush regions are taken out of them so a moved arm is not doubled)
        brush_soft = [
            np.clip(cv2.GaussianBlur(b.hard.astype(np.float32), (0, 0), feather), 0, 1) for b in brushes
        ]
        brush_union = np.maximum.reduce(brush_soft) if brush_soft else None
        self.sprites: list[_Sprite] = []
        cut: list[np.ndarray] = []
        for alpha, q, kind in zip(layers.objects, layers.object_q, layers.object_kind, strict=True):
            terms = [(t.fx, t.fy, t.coef) for t in person_terms] if kind == "person" else []
            if not moving_camera and not terms:
                continue
            a = alpha * (1.0 - brush_union) if brush_union is not None else alpha
            cam = None
            reach = 2.0
            for fx, fy, _ in terms:
                reach += 2.0 * float(max(np.abs(fx).max(), np.abs(fy).max()))
            roi = _bbox(a > 0.01, math.ceil(reach), h, w)
            if roi is None:
                continue
            if moving_camera and camera is not None:
                cam = _pin_to_borders(*camera_field(camera, float(q), w, h), a)
                # where the object can be at the end: output pixels whose sample lands in its box; moves are
                # monotone in e(t), so start box U end box bounds every frame
                y0, y1, x0, x1 = roi
                sx, sy = gx + cam[0], gy + cam[1]
                land = (sx >= x0 - 1) & (sx <= x1) & (sy >= y0 - 1) & (sy <= y1)
                end = _bbox(land, math.ceil(reach), h, w)
                if end is not None:
                    roi = (min(y0, end[0]), max(y1, end[1]), min(x0, end[2]), max(x1, end[3]))
            sprite = _Sprite(_premultiply(rgb, a), roi, cam, terms)
            sprite.crop_to_roi()
            self.sprites.append(sprite)
            cut.append(a)

        # --- the plate: photo minus moving objects and brush regions, inpainted once, plus an outside margin
        # Only the confident core (alpha > 0.5, grown over the feather) is inpainted: faint fringe pixels
        # stay in the plate too, so at rest ``a*rgb + (1-a)*plate`` is exactly the photo.
        hole = np.zeros((h, w), bool)
        for a in cut:
            hole |= a > 0.5
        for b in brushes:
            hole |= b.hard
        if hole.any():
            grow = max(2, round(0.004 * diag))
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
            hole = cv2.dilate(hole.astype(np.uint8), kernel) > 0
            plate = fill(rgb, hole, work_side=inpaint_side, seed=seed)
        else:
            plate = rgb
        # kept as RGBA: OpenCV's 4-channel remap is ~30 % faster than the 3-channel one, even with the
        # conversion back
        padded = pad_outside(plate, self.mx, self.my)
        self.sky: np.ndarray | None = None
        self.sky_speed = ambient.sky_speed
        if ambient.sky_alpha is not None:
            # drifting sky: the plate becomes a foreground matte (premultiplied by 1 - sky) over a sky layer
            # whose hidden part is inpainted and which is padded far enough for the whole drift
            sky_a = ambient.sky_alpha
            self.sky_mx = self.mx + math.ceil(abs(self.sky_speed) * n_frames / fps) + 2
            sky_fill = fill(plate, sky_a < 0.3, work_side=inpaint_side, seed=seed + 1)
            self.sky = cv2.cvtColor(pad_outside(sky_fill, self.sky_mx, self.my), cv2.COLOR_RGB2RGBA)
            pad_a = cv2.copyMakeBorder(sky_a, self.my, self.my, self.mx, self.mx, cv2.BORDER_REPLICATE)
            self.plate = _premultiply(padded, 1.0 - pad_a)
        else:
            self.plate = cv2.cvtColor(padded, cv2.COLOR_RGB2RGBA)
        self.idx = (gx + self.mx).astype(np.float32)
        self.idy = (gy + self.my).astype(np.float32)
        self.plate_cam: tuple[np.ndarray, np.ndarray] | None = None
        if moving_camera and camera is not None:
            self.plate_cam = camera_field(camera, layers.plate_q, w, h)
        self.plate_terms = _TermSum(
            [(t.fx, t.fy, t.coef) for t in ambient.terms if t.target == "plate"], (h, w)
        )

        # --- brush sprites: cut from the photo, translated along the trajectory
        for b, soft in zip(brushes, brush_soft, strict=True):
            box = _bbox(soft > 0.004, 2, h, w)
            if box is None:
                continue
            y0, y1, x0, x1 = box
            rgba = _premultiply(rgb[y0:y1, x0:x1], soft[y0:y1, x0:x1])
            self.sprites.append(_Sprite(rgba, box, trajectory=b.trajectory, src_box=box))

        self.gain3: np.ndarray | None = None
        if ambient.gain_map is not None and ambient.gain_roi is not None:
            y0, y1, x0, x1 = ambient.gain_roi
            m = np.clip(ambient.gain_map[y0:y1, x0:x1] * 255.0 + 0.5, 0, 255).astype(np.uint8)
            self.gain3 = cv2.merge([m, m, m])

        # --- static region, pasted from the photo last
        if static_alpha is not None and brush_union is not None:
            # a moving region's own starting place is not frozen, or the object would stay behind as a copy
            static_alpha = static_alpha * (1.0 - np.clip(brush_union * 2.0, 0.0, 1.0))
        self.static_rgba = _premultiply(rgb, static_alpha) if static_alpha is not None else None
        self.static_box = _bbox(static_alpha > 0.002, 0, h, w) if static_alpha is not None else None

    # ------------------------------------------------------------------ per frame
    def _time(self, i: int) -> tuple[float, float]:
        """(clip fraction, seconds) of frame ``i``."""
        frac = i / max(self.n - 1, 1)
        return frac, i / self.fps

    def frame(self, i: int) -> np.ndarray:  # noqa: C901 -- plate, sprites, brushes and particles composited in order
        frac, secs = self._time(i)
        e = self.easing(1.0 - frac) if self.reverse else self.easing(frac)
        # plate
        if self.plate_cam is None and not self.plate_terms and self.sky is None:
            out = cv2.cvtColor(
                self.plate[self.my : self.my + self.h, self.mx : self.mx + self.w], cv2.COLOR_RGBA2RGB
            )
        else:
            mx, my = self.idx, self.idy
            if self.plate_cam is not None:
                mx = cv2.scaleAdd(self.plate_cam[0], e, mx)
                my = cv2.scaleAdd(self.plate_cam[1], e, my)
            if self.plate_terms:
                mx, my = self.plate_terms.add_to(mx, my, secs)
            fg = cv2.remap(self.plate, mx, my, self.interp, borderMode=cv2.BORDER_REPLICATE)
            if self.sky is not None:
                sx = mx + np.float32(self.sky_mx - self.mx - self.sky_speed * secs)
                out = cv2.cvtColor(
                    cv2.remap(self.sky, sx, my, self.interp, borderMode=cv2.BORDER_REPLICATE),
                    cv2.COLOR_RGBA2RGB,
                )
                _over(out, fg)
            else:
                out = cv2.cvtColor(fg, cv2.COLOR_RGBA2RGB)
        # near objects
        for sp in self.sprites:
            if sp.trajectory is None:
                self._paste_warped(out, sp, e, secs)
        # flicker
        if self.gain3 is not None and self.ambient.gain_coef is not None and self.ambient.gain_roi:
            y0, y1, x0, x1 = self.ambient.gain_roi
            # out += coef * out * M, in uint8 (no per-frame float images): ~4x cheaper than a float gain
            roi = out[y0:y1, x0:x1]
            lit = cv2.multiply(roi, self.gain3, scale=1.0 / 255.0)
            cv2.addWeighted(roi, 1.0, lit, float(self.ambient.gain_coef(secs)), 0.0, dst=roi)
        for parts in self.ambient.particles:
            assert self.canvas is not None
            draw_particles(out, parts, secs, min(1.0, secs / PARTICLE_FADE_S), self.canvas)
        if self.static_rgba is not None and self.static_box is not None:
            y0, y1, x0, x1 = self.static_box
            _over(out[y0:y1, x0:x1], self.static_rgba[y0:y1, x0:x1])
        # brush regions last: a region the user asked to move may cross a frozen area
        for sp in self.sprites:
            if sp.trajectory is not None:
                self._paste_translated(out, sp, frac)
        return out

    def _paste_warped(self, out: np.ndarray, sp: _Sprite, e: float, secs: float) -> None:
        assert sp.grid is not None
        y0, y1, x0, x1 = sp.roi
        mx, my = sp.grid
        if sp.cam is not None:
            mx = cv2.scaleAdd(sp.cam[0], e, mx)
            my = cv2.scaleAdd(sp.cam[1], e, my)
        if sp.term_sum:
            mx, my = sp.term_sum.add_to(mx, my, secs)
        warped = cv2.remap(sp.rgba, mx, my, self.interp, borderMode=cv2.BORDER_REPLICATE)
        _over(out[y0:y1, x0:x1], warped)

    def _paste_translated(self, out: np.ndarray, sp: _Sprite, frac: float) -> None:
        assert sp.trajectory is not None and sp.src_box is not None
        dx, dy = sp.trajectory.offset(frac)
        sy0, sy1, sx0, sx1 = sp.src_box
        bh, bw = sy1 - sy0, sx1 - sx0
        ix, iy = math.floor(dx), math.floor(dy)
        fx, fy = dx - ix, dy - iy
        # destination box (one extra pixel for the sub-pixel shift), clipped to the frame
        dy0, dx0 = sy0 + iy, sx0 + ix
        cy0, cy1 = max(0, dy0), min(self.h, dy0 + bh + 1)
        cx0, cx1 = max(0, dx0), min(self.w, dx0 + bw + 1)
        if cy0 >= cy1 or cx0 >= cx1:
            return
        m = np.array([[1, 0, fx + (dx0 - cx0)], [0, 1, fy + (dy0 - cy0)]], dtype=np.float32)
        warped = cv2.warpAffine(
            sp.rgba,
            m,
            (cx1 - cx0, cy1 - cy0),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0,
        )
        _over(out[cy0:cy1, cx0:cx1], warped)
