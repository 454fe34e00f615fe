"""The parent's global motion at its end: how the whole picture moved, frame to frame, over its last second.

Why: a continuation that starts with a different camera speed than its parent ended with shows a jolt at the
seam even when the pictures match. Per pair of consecutive frames, corners found by ``goodFeaturesToTrack``
are tracked with pyramidal Lucas–Kanade and a similarity transform (shift, scale, rotation about the frame
centre) is fitted with RANSAC; the series gives the motion's mean over the window (where the continuation
should keep going) and, by a straight-line fit, its speed at the very last frame (where it must start).
Frames are analysed at :data:`WORK_WIDTH` pixels wide; shifts are reported in full-resolution pixels.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from kinema.engines.image2video import CameraMove, CameraPath
from kinema.engines.image2video.camera import FOCAL_FRACTION

WORK_WIDTH = 320
#: Below this many pixels a second (at the frame corner for scale and rotation) a motion is noise.
DEAD_ZONE_PX_S = 2.0
#: Fewer tracked corners than this and the pair says nothing about the motion.
MIN_TRACKS = 12
#: The share of tracks one similarity transform must explain for a pair to count.
MIN_INLIERS = 0.5


@dataclass(frozen=True)
class Motion:
    """A global motion rate: content shift (px/s, full resolution; +x right, +y down), log-scale per second
    (> 0: content grows) and rotation (rad/s, image coordinates: + is clockwise on screen)."""

    dx: float = 0.0
    dy: float = 0.0
    log_scale: float = 0.0
    rotation: float = 0.0

    def vector(self, radius: float) -> np.ndarray:
        """The rate as pixel speeds: scale and rotation measured at ``radius`` (the half diagonal)."""
        return np.array([self.dx, self.dy, self.log_scale * radius, self.rotation * radius])


@dataclass(frozen=True)
class ParentMotion:
    """What the last second of the parent did: ``mean`` over the window, ``end`` at its last frame."""

    mean: Motion
    end: Motion
    pairs: int
    width: int
    height: int

    @property
    def radius(self) -> float:
        return 0.5 * math.hypot(self.width, self.height)

    def speed_px_s(self, which: str = "mean") -> float:
        """The rate's size in pixels a second (scale and rotation at the frame corner)."""
        motion = self.mean if which == "mean" else self.end
        return float(np.linalg.norm(motion.vector(self.radius)))

    def camera_path(self, seconds: float) -> CameraPath:
        """The camera that continues this motion for ``seconds``: it keeps the window's mean rate, starting
        at the speed (along that rate) the parent ended with, and ends still moving at the mean rate."""
        mean = self.mean.vector(self.radius)
        norm2 = float(mean @ mean)
        if norm2 <= DEAD_ZONE_PX_S**2:
            return CameraPath(CameraMove())
        start = float(self.end.vector(self.radius) @ mean) / norm2
        f = FOCAL_FRACTION * max(self.width, self.height)
        m = self.mean
        # content shift right = camera yaw left; content down = camera pitch up; content growing = a longer
        # focal length; content turning clockwise = camera rolling anticlockwise (see camera.source_coords)
        move = CameraMove(
            yaw=-m.dx * seconds / f,
            pitch=m.dy * seconds / f,
            roll=-m.rotation * seconds,
            focal=math.exp(m.log_scale * seconds),
        )
        return CameraPath(move, start_speed=start, end_speed=1.0)


def work_gray(rgb: np.ndarray) -> np.ndarray:
    """The frame as the motion analysis sees it: grey, at most :data:`WORK_WIDTH` pixels wide."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_WIDTH / w)
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    return cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)


def pair_motion(prev: np.ndarray, nxt: np.ndarray) -> tuple[float, float, float, float] | None:
    """(dx, dy, log scale, rotation) from ``prev`` to ``nxt`` (grey, working size), about the frame centre;
    ``None`` when too few corners could be tracked to say."""
    pts = cv2.goodFeaturesToTrack(prev, maxCorners=300, qualityLevel=0.01, minDistance=5, blockSize=5)
    if pts is None or len(pts) < MIN_TRACKS:
        return None
    moved, status, _err = cv2.calcOpticalFlowPyrLK(
        prev,
        nxt,
        pts,
        None,
        winSize=(21, 21),
        maxLevel=3,  # type: ignore[call-overload]
    )
    ok = status.reshape(-1) == 1
    if int(ok.sum()) < MIN_TRACKS:
        return None
    m, inliers = cv2.estimateAffinePartial2D(pts[ok], moved[ok], method=cv2.RANSAC, ransacReprojThreshold=1.0)
    if m is None or inliers is None or float(inliers.mean()) < MIN_INLIERS:
        return None  # no one motion explains the picture: a cut, or things moving every which way
    a, b = float(m[0, 0]), float(m[1, 0])
    h, w = prev.shape
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    tx = m[0, 0] * cx + m[0, 1] * cy + m[0, 2] - cx
    ty = m[1, 0] * cx + m[1, 1] * cy + m[1, 2] - cy
    return float(tx), float(ty), math.log(max(math.hypot(a, b), 1e-6)), math.atan2(b, a)


def _dead_zone(motion: Motion, radius: float) -> Motion:
    """Zero each component slower than :data:`DEAD_ZONE_PX_S` (tracking noise on a still camera)."""
    keep = [abs(v) >= DEAD_ZONE_PX_S for v in motion.vector(radius)]
    return Motion(
        motion.dx if keep[0] else 0.0,
        motion.dy if keep[1] else 0.0,
        motion.log_scale if keep[2] else 0.0,
        motion.rotation if keep[3] else 0.0,
    )


def estimate_motion(grays: list[np.ndarray], fps: float, width: int, height: int) -> ParentMotion:
    """The global motion of consecutive frames (:func:`work_gray` of the parent's last ~second, oldest
    first) of a ``width`` x ``height`` video at ``fps``."""
    w, h = width, height
    to_full = w / grays[-1].shape[1] if grays else 1.0
    rows, times = [], []
    for i, (prev, nxt) in enumerate(itertools.pairwise(grays)):
        pm = pair_motion(prev, nxt)
        if pm is not None:  # pairs that say nothing (flat picture, a cut) are left out
            rows.append(pm)
            times.append(float(i))
    if not rows:
        return ParentMotion(Motion(), Motion(), 0, w, h)
    series = np.array(rows, dtype=np.float64) * fps  # per second
    series[:, :2] *= to_full
    mean = series.mean(axis=0)
    if len(series) >= 3:
        slope, icpt = np.polyfit(np.array(times), series, 1)
        end = icpt + slope * (len(grays) - 2)  # the last pair's place, measured or not
        # a line through noisy rates can overshoot: the end speed stays between 0 and twice the mean rate
        end = np.where(np.sign(end) == np.sign(mean), np.minimum(np.abs(end), 2 * np.abs(mean)), 0.0)
        end = end * np.sign(mean)
    else:
        end = mean
    radius = 0.5 * math.hypot(w, h)
    return ParentMotion(
        _dead_zone(Motion(*map(float, mean)), radius),
        _dead_zone(Motion(*map(float, end)), radius),
        len(rows),
        w,
        h,
    )
