"""First-frame → last-frame interpolation with dense optical flow and occlusion-aware blending.

A cross-fade ghosts every moving edge. Instead we estimate flow both ways (DIS, at a reduced resolution: its
cost would otherwise dominate), warp both images to the intermediate time and blend them with weights that
drop where a pixel is *occluded* in the other image (forward–backward consistency). The intermediate flows
use the quadratic approximation F_t→0 = −(1−t)t·F01 + t²·F10, F_t→1 = (1−t)²·F01 − t(1−t)·F10, which needs
no per-frame flow estimation: a frame is four ``scaleAdd``s, four remaps and one ``blendLinear``.
"""

from __future__ import annotations

import cv2
import numpy as np

VISIBILITY_FLOOR = 0.02


def _flow(a: np.ndarray, b: np.ndarray, fine: bool) -> np.ndarray:
    """DIS flow; ``fine`` refines down to full working resolution with more variational iterations."""
    dis = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    if fine:
        dis.setFinestScale(0)
        dis.setVariationalRefinementIterations(10)
    return np.asarray(dis.calc(a, b, None))  # type: ignore[call-overload]


class TailInterpolator:
    """Precompute flows between ``first`` and ``last`` (same size, RGB uint8); render any ``t`` in [0, 1]."""

    def __init__(self, first: np.ndarray, last: np.ndarray, work_short_side: int = 360, fine: bool = False):
        if first.shape != last.shape:
            raise ValueError("first and last frames must have the same size")
        self.first, self.last = first, last
        h, w = first.shape[:2]
        s = min(1.0, work_short_side / min(h, w))
        sw, sh = max(16, round(w * s)), max(16, round(h * s))
        g0 = cv2.cvtColor(cv2.resize(first, (sw, sh), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
        g1 = cv2.cvtColor(cv2.resize(last, (sw, sh), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
        f01 = _flow(g0, g1, fine)
        f10 = _flow(g1, g0, fine)
        v0 = _visibility(f01, f10)
        v1 = _visibility(f10, f01)
        sx, sy = w / sw, h / sh

        def up(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            big = cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR)
            return np.ascontiguousarray(big[..., 0] * sx), np.ascontiguousarray(big[..., 1] * sy)

        self.f01x, self.f01y = up(f01)
        self.f10x, self.f10y = up(f10)
        # visibility rides in the alpha channel: one 4-channel remap is cheaper than a 3- plus a 1-channel one
        self.rgba0 = _with_alpha(first, cv2.resize(v0, (w, h), interpolation=cv2.INTER_LINEAR))
        self.rgba1 = _with_alpha(last, cv2.resize(v1, (w, h), interpolation=cv2.INTER_LINEAR))
        self.gx, self.gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        self.interp = cv2.INTER_LINEAR
        self.mean_flow = float(np.mean(np.hypot(self.f01x, self.f01y)))

    def frame(self, t: float) -> np.ndarray:
        t = min(max(t, 0.0), 1.0)
        if t <= 0.0:
            return self.first.copy()
        if t >= 1.0:
            return self.last.copy()
        a, b = -(1.0 - t) * t, t * t
        c, d = (1.0 - t) ** 2, -t * (1.0 - t)
        m0x = cv2.scaleAdd(self.f01x, a, cv2.scaleAdd(self.f10x, b, self.gx))
        m0y = cv2.scaleAdd(self.f01y, a, cv2.scaleAdd(self.f10y, b, self.gy))
        m1x = cv2.scaleAdd(self.f01x, c, cv2.scaleAdd(self.f10x, d, self.gx))
        m1y = cv2.scaleAdd(self.f01y, c, cv2.scaleAdd(self.f10y, d, self.gy))
        i0 = cv2.remap(self.rgba0, m0x, m0y, self.interp, borderMode=cv2.BORDER_REPLICATE)
        i1 = cv2.remap(self.rgba1, m1x, m1y, self.interp, borderMode=cv2.BORDER_REPLICATE)
        w0 = i0[..., 3].astype(np.float32)
        w1 = i1[..., 3].astype(np.float32)
        # weight = time share x (visibility + floor); the floor keeps occluded-in-both pixels defined
        w0 *= (1.0 - t) / 255.0
        w0 += (1.0 - t) * VISIBILITY_FLOOR
        w1 *= t / 255.0
        w1 += t * VISIBILITY_FLOOR
        return cv2.cvtColor(cv2.blendLinear(i0, i1, w0, w1), cv2.COLOR_RGBA2RGB)


def _with_alpha(rgb: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """RGB + visibility as alpha; the outer ring gets zero visibility, so samples that fall outside the
    image (edge-replicated) carry no weight and the other image fills them instead of edge streaks."""
    a = np.clip(vis * 255.0 + 0.5, 0, 255).astype(np.uint8)
    a[0, :] = 0
    a[-1, :] = 0
    a[:, 0] = 0
    a[:, -1] = 0
    return cv2.merge([*cv2.split(rgb), a])


def _visibility(fab: np.ndarray, fba: np.ndarray) -> np.ndarray:
    """1 where a pixel of A reappears in B (forward–backward flows agree), falling to 0 where occluded."""
    h, w = fab.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    back = cv2.remap(
        fba, gx + fab[..., 0], gy + fab[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    err = np.hypot(fab[..., 0] + back[..., 0], fab[..., 1] + back[..., 1])
    mag = np.hypot(fab[..., 0], fab[..., 1]) + np.hypot(back[..., 0], back[..., 1])
    tol = 0.5 + 0.05 * mag
    vis = np.exp(-((err / tol) ** 2)).astype(np.float32)
    outside = (
        (gx + fab[..., 0] < 0)
        | (gx + fab[..., 0] > w - 1)
        | (gy + fab[..., 1] < 0)
        | (gy + fab[..., 1] > h - 1)
    )
    vis[outside] = 0.0
    return cv2.GaussianBlur(vis, (0, 0), 1.0)
