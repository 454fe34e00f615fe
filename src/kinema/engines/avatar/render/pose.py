"""One frame's pose: the per-frame parameters, how they deform the face model, and the head's rotation.

The jaw rotates about its hinge in 3D using the mesh's depth, cheeks follow with a falloff; the head is a
3D rotation of the mesh about a pivot in the neck.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..landmarks import INNER_LOWER, INNER_UPPER
from .face_model import FaceModel

MAX_GAP = 0.32  # widest inner-lip opening, in inter-ocular distances


@dataclass
class Frame:
    """Per-frame parameters for one render (a row of :class:`..motion.Motion`)."""

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


def deform_local(face: FaceModel, f: Frame) -> np.ndarray:
    """Expression + mouth in local (IOD) coordinates for the mesh points (no head motion)."""
    w, hinge, base = face.weights, face.hinges, face.local
    loc = base.copy()
    target = MAX_GAP * max(0.0, f.open)
    delta = target - face.gap0
    # upper lip takes a quarter of the opening, the jaw the rest (rotation about the hinge in v–z)
    up_share = 0.25 if delta > 0 else 0.5
    loc[:, 1] -= up_share * delta * w.upper
    if face.seal is not None and delta < 0 and face.gap0 > 1e-4:
        loc[:, 1] += min(1.0, -delta / face.gap0) * face.seal
    s = (1 - up_share) * delta / hinge.jaw_lever
    theta = math.asin(max(-0.5, min(0.5, s)))
    if theta != 0.0:
        v = base[:, 1] - hinge.jaw_v
        zz = face.z - hinge.jaw_z
        dv = v * (math.cos(theta) - 1) - zz * math.sin(theta)
        loc[:, 1] += dv * w.jaw
    # spread / round: horizontal scaling about the mouth centre; rounding also pushes lips out
    u = base[:, 0] - face.mouth_c[0]
    k = 0.14 * f.width if f.width > 0 else 0.36 * f.width
    loc[:, 0] += k * u * w.mouth
    if f.width < 0:
        vv = base[:, 1] - face.mouth_c[1]
        loc[:, 1] += -0.10 * f.width * vv * w.mouth * w.is_lip
    # f/v: lower lip tucks up under the upper teeth
    if f.tuck > 0:
        loc[:, 1] -= 0.035 * f.tuck * w.jaw * w.mouth
    # smile: corners up and out, cheeks lift
    if f.smile != 0:
        loc[:, 0] += 0.06 * f.smile * w.side * w.corner
        loc[:, 1] -= 0.055 * f.smile * w.corner * (1 - 0.5 * w.jaw)
    if f.brow != 0:
        loc[:, 1] -= 0.05 * f.brow * w.brow
    return loc


def with_seal(face: FaceModel) -> FaceModel:
    """``face`` with the offsets that seal the lips along their whole width when the mouth closes.

    Closing moves the lips by the source's opening *at the centre*; on a smile the opening is a crescent,
    so towards the corners the lips stayed apart (or crossed) and the squashed opening showed as dark notches.
    The seal puts each inner-lip point, at a full closure, on the line midway between the two inner lips
    (scaled down with the opening in between). Corners stay where they are.
    """
    closed = deform_local(replace(face, seal=None), Frame(open=0.0))
    up, lo = INNER_UPPER[1:-1], INNER_LOWER[::-1][1:-1]
    mid_u = (closed[up, 0] + closed[lo, 0]) / 2
    mid_v = (closed[up, 1] + closed[lo, 1]) / 2
    corners = [INNER_UPPER[0], INNER_UPPER[-1]]
    line_u = np.concatenate([closed[corners[:1], 0], mid_u, closed[corners[1:], 0]])
    line_v = np.concatenate([closed[corners[:1], 1], mid_v, closed[corners[1:], 1]])
    order = np.argsort(line_u)
    seal = np.zeros(len(face.local), np.float32)
    for idx in (up, lo):
        seal[idx] = np.interp(closed[idx, 0], line_u[order], line_v[order]) - closed[idx, 1]
    return replace(face, seal=seal)


BREATH_RISE = 1.5
"""The shoulders rise this many times the head's breathing lift (the head rides on them)."""


def body_shift(f: Frame) -> np.ndarray:
    """(2,) float32 local (u, v) shift of the shoulders: breathing lifts them (``dy`` is the breathing
    term of the head's motion), and they follow a fraction of the head's sway, turn and tilt."""
    du = 0.35 * f.dx + 0.25 * f.yaw + 0.12 * f.roll
    dv = BREATH_RISE * f.dy
    return np.array([du, dv], np.float32)


def head_rotation(f: Frame) -> np.ndarray:
    """3×3 float32 rotation of (u, v, z): yaw about v, then pitch about u, then roll about z."""
    cy, sy = math.cos(f.yaw), math.sin(f.yaw)
    cp, sp = math.cos(f.pitch), math.sin(f.pitch)
    cr, sr = math.cos(f.roll), math.sin(f.roll)
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]], np.float32)
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]], np.float32)
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]], np.float32)
    return rz @ rx @ ry


def move_head(loc: np.ndarray, z: np.ndarray, pivot: np.ndarray, rot: np.ndarray, f: Frame) -> np.ndarray:
    """Local (u, v) points at depth ``z``, rotated by ``rot`` about ``pivot`` and shifted by (dx, dy)."""
    p3 = np.concatenate([loc, z[:, None]], axis=1) - pivot
    return (p3 @ rot.T + pivot)[:, :2] + np.array([f.dx, f.dy], np.float32)
