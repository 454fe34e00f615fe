"""Motion between consecutive small grey frames: camera vs objects, and where moving things are.

For each frame pair :class:`MotionTracker` measures

* **camera motion** — phase correlation (robust to whip pans, where small-frame flow fails); the previous
  frame is warped by it so that what remains is object motion; a zoom term is then fitted to the flow;
* **object motion** — dense optical flow (OpenCV DIS, ultrafast preset, finest scale 1) on the aligned
  pair, minus its remaining uniform bias and the zoom; its energy, centroid and *momentum* (flow summed
  over the frame and over each half);
* **silhouettes** — three-frame differencing: pixels that changed both into and out of a frame are where
  moving things were on that frame. This sees small fast things that move farther than their own size per
  frame, which coarse-to-fine flow loses.

:func:`direction_changes` and :func:`silhouette_turns` turn those series into "something changed course
here" detection functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FLOW_NOISE = 0.35  # px/frame at analysis size below which flow is treated as noise
DIFF_LEVEL = 20  # grey levels: a pixel "changed" between two aligned frames (above grain/compression)


@dataclass(frozen=True)
class PairMotion:
    """Measures of one frame pair (previous → current); speeds in frame widths per second."""

    object_energy: float
    camera_speed: float
    camera_dx: float
    pan: float  # object-motion centroid, −1 … +1
    height: float  # 0 top … 1 bottom
    flicker: float  # share of pixels with small motion (water, leaves)
    area: float  # share of pixels moving
    momentum: np.ndarray  # (3, 2): flow summed over frame, left half, right half (per pixel of the frame)
    aligned_diff: float  # mean |difference| after camera alignment, 0–1
    raw_diff: float  # mean |difference| without alignment, 0–1
    match: float  # phase-correlation response: ~1 same scene shifted, ~0 unrelated frames
    silhouette: np.ndarray | None  # (3, 3) [area, x, y] of the *previous* frame's silhouette, if known


def _moments(sil: np.ndarray, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    """(area, mean x, mean y) of a silhouette mask over the whole frame and its left/right halves."""
    half = sil.shape[1] // 2
    out = np.zeros((3, 3))
    for r, sl in enumerate((slice(None), slice(0, half), slice(half, None))):
        part = sil[:, sl]
        area = float(part.sum())
        if area >= 3:
            out[r] = (area, float((part * xx[:, sl]).sum()) / area, float((part * yy[:, sl]).sum()) / area)
    return out


def _shift(img: np.ndarray, dx: float, dy: float, nearest: bool = False) -> np.ndarray:
    m = np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float32)
    h, w = img.shape[:2]
    if nearest:
        return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_NEAREST)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


class MotionTracker:
    """Feed small grey frames in order with :meth:`step`; each call after the first returns a
    :class:`PairMotion`. Holds only the previous frame and masks, so memory does not grow."""

    def __init__(self, width: int, height: int, fps: float) -> None:
        self.w, self.h, self.fps = width, height, fps
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        self.xx, self.yy = xx, yy
        self.rx = (xx - width / 2) / (width / 2)
        self.ry = yy / height
        # zoom: flow = s · (position − centre), estimated from pixels away from the centre
        self.cx, self.cy = xx - width / 2, yy - height / 2
        self.far = (np.hypot(self.cx, self.cy) > 0.25 * width)[::3, ::3]
        self.cxs, self.cys = self.cx[::3, ::3][self.far], self.cy[::3, ::3][self.far]
        self.r2 = self.cxs**2 + self.cys**2
        self.dis = cv2.DISOpticalFlow_create(  # type: ignore[attr-defined]
            cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST
        )
        self.dis.setFinestScale(1)  # the preset's default (2) loses objects a few pixels wide at this size
        self.prev: np.ndarray | None = None
        self.prev_blur: np.ndarray | None = None
        self.prev_dmask: np.ndarray | None = None

    def step(self, gray: np.ndarray) -> PairMotion | None:
        prev, self.prev = self.prev, gray
        blur = cv2.GaussianBlur(gray, (3, 3), 0).astype(np.int16)
        prev_blur, self.prev_blur = self.prev_blur, blur
        if prev is None or prev_blur is None:
            return None
        w, h, fps = self.w, self.h, self.fps
        (sx, sy), match = cv2.phaseCorrelate(prev.astype(np.float32), gray.astype(np.float32))
        raw_diff = float(np.abs(prev.astype(np.int16) - gray).mean()) / 255.0
        shifted = abs(sx) > 0.3 or abs(sy) > 0.3
        if shifted:
            aligned = _shift(prev, sx, sy)
        else:
            aligned, sx, sy = prev, 0.0, 0.0
        aligned_diff = float(np.abs(aligned.astype(np.int16) - gray).mean()) / 255.0

        res = self.dis.calc(aligned, gray, None)
        # what is left of the camera's motion after the warp is a uniform bias
        res -= np.median(res[::3, ::3].reshape(-1, 2), axis=0)
        sub = res[::3, ::3][self.far]
        zoom = float(np.median((sub[:, 0] * self.cxs + sub[:, 1] * self.cys) / self.r2))
        if abs(zoom) * w / 2 > 0.3:  # more than ~0.3 px/frame at the frame edge
            res[..., 0] -= zoom * self.cx
            res[..., 1] -= zoom * self.cy
        else:
            zoom = 0.0
        cam_px = float(np.hypot(sx, sy)) + abs(zoom) * w  # a zoom reads as dramatic as a pan
        mx, my = int(np.ceil(abs(sx))) + 2, int(np.ceil(abs(sy))) + 2  # newly revealed borders
        for arr in (res,):
            arr[:, :mx] = 0
            arr[:, w - mx :] = 0
            arr[:my] = 0
            arr[h - my :] = 0
        mag = np.sqrt(res[..., 0] ** 2 + res[..., 1] ** 2)
        # warping blurs texture a little: demand more of "object motion" while the camera moves
        moving = mag > FLOW_NOISE + 0.25 * cam_px
        res[~moving] = 0.0
        m = np.where(moving, mag, 0.0)
        total = float(m.sum())
        half = w // 2
        momentum = np.stack(
            [
                res.reshape(-1, 2).sum(0),
                res[:, :half].reshape(-1, 2).sum(0),
                res[:, half:].reshape(-1, 2).sum(0),
            ]
        ) / (w * h)

        # three-frame differencing (blurring commutes with the translation, so the previous blur is reused)
        prev_b = _shift(prev_blur.astype(np.float32), sx, sy).astype(np.int16) if shifted else prev_blur
        dmask = (np.abs(prev_b - blur) > DIFF_LEVEL).astype(np.uint8)
        dmask[:, :mx] = 0
        dmask[:, w - mx :] = 0
        dmask[:my] = 0
        dmask[h - my :] = 0
        if zoom:
            dmask[:] = 0
        back = _shift(dmask, -sx, -sy, nearest=True) if shifted else dmask  # onto the previous frame's grid
        silhouette = (
            _moments(self.prev_dmask & back, self.xx, self.yy) if self.prev_dmask is not None else None
        )
        self.prev_dmask = dmask  # on the current frame's grid, ready for the next pair

        return PairMotion(
            object_energy=total / (w * h) * fps / w * 10.0,
            camera_speed=cam_px * fps / w,
            camera_dx=sx * fps / w,
            pan=float((m * self.rx).sum() / total) if total > 1e-6 else 0.0,
            height=float((m * self.ry).sum() / total) if total > 1e-6 else 0.5,
            flicker=float((moving & (mag < 1.5)).mean()),
            area=float(moving.mean()),
            momentum=momentum,
            aligned_diff=aligned_diff,
            raw_diff=raw_diff,
            match=float(match),
            silhouette=silhouette,
        )


def direction_changes(mom: np.ndarray, fps: float, w: int) -> np.ndarray:
    """How much the motion changes course at each frame: |mean velocity out − mean velocity in|.

    ``mom[k]`` is the momentum (per region) between frames k−1 and k. Two pairs on each side make it robust
    to one bad flow field while keeping the peak on the frame where the change happens.
    """
    n = len(mom)
    out = np.zeros(n)
    for i in range(1, n - 1):
        before = mom[max(1, i - 1) : i + 1].mean(axis=0)
        after = mom[i + 1 : min(n, i + 3)].mean(axis=0)
        out[i] = float(np.sqrt(((after - before) ** 2).sum(axis=-1)).sum())
    return out * fps / w * 100.0


def silhouette_turns(sil: np.ndarray) -> np.ndarray:
    """|second difference of the silhouette centroid| × √area, per region, summed: where things turn."""
    n = len(sil)
    out = np.zeros(n)
    for i in range(1, n - 1):
        trio = sil[i - 1 : i + 2]  # (3 frames, 3 regions, [area, x, y])
        ok = (trio[:, :, 0] > 0).all(axis=0)
        if ok.any():
            a = trio[2, :, 1:] - 2 * trio[1, :, 1:] + trio[0, :, 1:]
            out[i] = float((np.hypot(a[:, 0], a[:, 1]) * np.sqrt(trio[1, :, 0]))[ok].sum())
    return out
