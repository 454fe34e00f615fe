"""Camera moves as a pinhole camera over a layered scene, turned into backward sampling maps.

Why a real camera model: parallax only looks right when near things move more than far things *in the way a
camera would move them*. Each pixel gets an inverse depth ``q`` (0 = infinitely far, 1 = nearest plane); a
camera at centre ``C`` with rotation ``R`` and focal scale ``s`` maps a source pixel ``x`` to
``x' ~ K_s R^T (I - q C e3^T) K^-1 x``. We need the inverse (for ``cv2.remap``); the bracket is a rank-one
update of the identity, so Sherman–Morrison gives it in closed form per pixel, once, for the end pose. Frames
in between use ``x + e(t) * D_end`` with an eased ``e``: one ``scaleAdd`` per axis and one remap per frame.

Axis meanings follow the official (newer) Kling docs word for word, each signed as the camera moves:
``horizontal``/``vertical`` translate the camera (positive = right/up, so content moves left/down), ``pan``
yaws (positive = turn right), ``tilt`` pitches (positive = look up), ``roll`` rotates about the lens axis
(positive = camera clockwise, so content turns anticlockwise). ``zoom`` is the docs' focal-length axis:
negative = longer focal length, smaller field of view (content grows); positive = shorter focal length,
larger field of view (content shrinks). We render it as a focal change plus a dolly along the lens axis in
the same sense, so near things change size more than far ones (parallax), as a real push-in/pull-back does.
A widening view needs picture outside the photo: it comes from the outpainted margin, so positive zoom is
bounded by that margin (see ``coverage_zoom``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from kinema.engines.image2video.options import CAMERA_AXES, CAMERA_PRESETS, CameraControl

FOCAL_FRACTION = 1.0
"""Focal length as a fraction of the long image side (about a 53° horizontal field of view)."""


@dataclass(frozen=True)
class CameraMove:
    """The camera pose at the *end* of the clip, relative to the start (start = identity)."""

    tx: float = 0.0
    ty: float = 0.0
    tz: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    focal: float = 1.0

    def is_static(self) -> bool:
        return (
            max(abs(self.tx), abs(self.ty), abs(self.tz), abs(self.yaw), abs(self.pitch), abs(self.roll))
            < 1e-6
            and abs(self.focal - 1.0) < 1e-6
        )

    def scaled(self, k: float) -> CameraMove:
        """The same move with ``k`` times the amplitude (focal scales in log space)."""
        return CameraMove(
            self.tx * k,
            self.ty * k,
            self.tz * k,
            self.yaw * k,
            self.pitch * k,
            self.roll * k,
            float(self.focal**k),
        )

    def plus(self, other: CameraMove) -> CameraMove:
        """Compose two small moves (adding parameters; exact enough for the amplitudes we use)."""
        return CameraMove(
            self.tx + other.tx,
            self.ty + other.ty,
            self.tz + other.tz,
            self.yaw + other.yaw,
            self.pitch + other.pitch,
            self.roll + other.roll,
            self.focal * other.focal,
        )


# Amplitude of each axis at |value| = 10 over a 5 s clip.
_AXIS_FULL = {
    "horizontal": CameraMove(tx=0.13),
    "vertical": CameraMove(ty=-0.11),  # up = -y in image coordinates
    "pan": CameraMove(yaw=math.radians(6.0), tx=0.03),
    "tilt": CameraMove(pitch=math.radians(4.5), ty=-0.025),
    "roll": CameraMove(roll=math.radians(9.0)),
    # positive = shorter focal length, larger field of view (Kling docs): pull back and widen
    "zoom": CameraMove(tz=-0.24, focal=1.0 / 1.08),
}

_PRESETS = {
    # camera descends and pulls back ("pan down and zoom out"): content rises and shrinks. Both use the
    # outpainted margin, so the descent is kept small and a wider focal length helps the pull-back; with a
    # larger descent the coverage zoom outgrew the pull-back and the content *grew* (measured in the tests)
    "down_back": CameraMove(ty=0.02, tz=-0.2, pitch=math.radians(-0.3), focal=0.96),
    # camera pushes in and rises: content grows and sinks
    "forward_up": CameraMove(ty=-0.05, tz=0.22, pitch=math.radians(1.5)),
    "right_turn_forward": CameraMove(yaw=math.radians(6.0), tz=0.18, tx=0.03),
    "left_turn_forward": CameraMove(yaw=math.radians(-6.0), tz=0.18, tx=-0.03),
}


def validate_camera(control: CameraControl) -> None:
    """Raise ``ValueError`` for a camera_control that the contract rejects (wrong type, not one axis)."""
    if control.type == "simple":
        cfg = control.config or {}
        unknown = set(cfg) - set(CAMERA_AXES)
        if unknown:
            raise ValueError(f"camera_control.config has unknown keys: {sorted(unknown)}")
        nonzero = [k for k in CAMERA_AXES if float(cfg.get(k) or 0.0) != 0.0]
        if len(nonzero) != 1:
            raise ValueError("camera_control.config must have exactly one non-zero value for type 'simple'")
        value = float(cfg[nonzero[0]])
        if not -10.0 <= value <= 10.0:
            raise ValueError(f"camera_control.config.{nonzero[0]} must be in [-10, 10], got {value}")
    elif control.type not in CAMERA_PRESETS:
        raise ValueError(
            f"camera_control.type must be 'simple' or one of {', '.join(CAMERA_PRESETS)}, "
            f"got {control.type!r}"
        )


def move_from_control(control: CameraControl) -> CameraMove:
    """Translate a Kling ``camera_control`` into a camera pose; amplitude is linear in the axis value."""
    validate_camera(control)
    if control.type != "simple":
        return _PRESETS[control.type]
    cfg = control.config or {}
    axis = next(k for k in CAMERA_AXES if float(cfg.get(k) or 0.0) != 0.0)
    return _AXIS_FULL[axis].scaled(float(cfg[axis]) / 10.0)


def axis_move(axis: str, value: float) -> CameraMove:
    """A single-axis move with a Kling-style value in [-10, 10] (used by the prompt vocabulary)."""
    return _AXIS_FULL[axis].scaled(value / 10.0)


def preset_move(name: str) -> CameraMove:
    return _PRESETS[name]


def _rotation(move: CameraMove) -> np.ndarray:
    cy, sy = math.cos(move.yaw), math.sin(move.yaw)
    cp, sp = math.cos(move.pitch), math.sin(move.pitch)
    cr, sr = math.cos(move.roll), math.sin(move.roll)
    r_yaw = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    r_pitch = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    r_roll = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return r_yaw @ r_pitch @ r_roll


def source_coords(
    move: CameraMove, xd: np.ndarray, yd: np.ndarray, q: np.ndarray | float, width: int, height: int
) -> tuple[np.ndarray, np.ndarray]:
    """Where in the source image the destination pixels ``(xd, yd)`` come from at the end pose.

    ``q`` is the inverse depth of each destination pixel (an array of the same shape, or one number for a
    flat layer). All arrays are float64 on entry and the result is float32.
    """
    f = FOCAL_FRACTION * max(width, height)
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    fd = f * move.focal
    # ray in the moved camera, rotated into the source camera's frame
    rx, ry = (xd - cx) / fd, (yd - cy) / fd
    rot = _rotation(move)
    sx = rot[0, 0] * rx + rot[0, 1] * ry + rot[0, 2]
    sy = rot[1, 0] * rx + rot[1, 1] * ry + rot[1, 2]
    sz = rot[2, 0] * rx + rot[2, 1] * ry + rot[2, 2]
    # (I - q C e3^T)^-1 r = r + q C r_z / (1 - q C_z)
    k = np.asarray(q) * sz / (1.0 - np.asarray(q) * move.tz)
    sx = sx + k * move.tx
    sy = sy + k * move.ty
    sz = sz + k * move.tz
    sz = np.where(np.abs(sz) < 1e-6, 1e-6, sz)
    return (f * sx / sz + cx).astype(np.float32), (f * sy / sz + cy).astype(np.float32)


def coverage_zoom(
    move: CameraMove,
    q: np.ndarray,
    width: int,
    height: int,
    margin_x: float,
    margin_y: float,
) -> CameraMove:
    """Add the least focal zoom that keeps every sampled source point inside the (padded) plate.

    Translating or rotating a camera reveals what lies outside the photo; the plate carries an outpainted
    margin of ``margin_*`` pixels, and beyond that we zoom in just enough (checked on the frame border, where
    the overflow is largest), so no frame ever shows an empty or smeared border.
    """
    ys = np.concatenate([np.zeros(width), np.full(width, height - 1), np.arange(height), np.arange(height)])
    xs = np.concatenate([np.arange(width), np.arange(width), np.zeros(height), np.full(height, width - 1)])
    qb = q[ys.astype(int), xs.astype(int)].astype(np.float64)
    xs, ys = xs.astype(np.float64), ys.astype(np.float64)

    def fits(m: CameraMove) -> bool:
        sx, sy = source_coords(m, xs, ys, qb, width, height)
        return bool(
            sx.min() >= -margin_x
            and sx.max() <= width - 1 + margin_x
            and sy.min() >= -margin_y
            and sy.max() <= height - 1 + margin_y
        )

    if fits(move):
        return move
    lo, hi = 1.0, 2.5
    for _ in range(18):
        mid = (lo + hi) / 2
        if fits(replace(move, focal=move.focal * mid)):
            hi = mid
        else:
            lo = mid
    return replace(move, focal=move.focal * hi)


def ease(t: float) -> float:
    """Smoothstep: zero speed at both ends, so moves start and stop without a jolt."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


@dataclass(frozen=True)
class CameraPath:
    """An exact camera move with its speed at both ends, for a clip that must join another one smoothly.

    ``move`` is the end pose, rendered as given (no prompt reading, no model or duration scaling, only the
    coverage zoom every move gets). ``start_speed`` and ``end_speed`` are the path's speeds at its ends
    relative to its mean speed (1 = the mean): a video extension starts at the speed its parent ended with,
    so the seam has no jolt. The profile is a cubic Hermite curve; it stays monotone (never backs up) for
    speeds in [0, 3], to which they are clipped.
    """

    move: CameraMove
    start_speed: float = 0.0
    end_speed: float = 0.0

    def profile(self) -> Callable[[float], float]:
        """``e(t)`` for t in [0, 1]: e(0) = 0, e(1) = 1, e'(0) = start_speed, e'(1) = end_speed."""
        a = min(max(self.start_speed, 0.0), 3.0)
        b = min(max(self.end_speed, 0.0), 3.0)

        def e(t: float) -> float:
            t = min(max(t, 0.0), 1.0)
            t2, t3 = t * t, t * t * t
            return (t3 - 2 * t2 + t) * a + (3 * t2 - 2 * t3) + (t3 - t2) * b

        return e
