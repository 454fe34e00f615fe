"""The portrait's face as the expressions see it: mesh in local coordinates, depth, the source mouth, how
strongly each expression moves each point, and where the jaw and the head rotate.

Computed once per portrait by :func:`build_face_model`; :mod:`.pose` moves it per frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..landmarks import (
    BROW_L,
    BROW_R,
    CHIN,
    EAR_LINE,
    INNER_UPPER,
    LIP_CORNERS,
    LOWER_LIP_CENTRE,
    LOWER_LIP_MID,
    MESH_POINTS,
    MOUTH_CORNER_L,
    MOUTH_CORNER_R,
    MOUTH_CORNERS,
    NOSE_BASE,
    UPPER_LIP_MID,
)
from .geometry import smoothstep
from .lips import lip_membership


@dataclass(frozen=True)
class Weights:
    """Per mesh point (float32, 0..1 unless noted), how much each expression channel moves it."""

    jaw: np.ndarray
    """Follows the jaw: lower lip (middle) and chin 1, upper face 0, the transition widening towards the
    cheeks; along the lower lip it tapers to a half at the corners (:func:`lip_taper`)."""
    upper: np.ndarray
    """Upper-lip raise: falls off with distance above the inner upper lip and towards the corners."""
    mouth: np.ndarray
    """Mouth region, for spreading, rounding and tucking."""
    is_lip: np.ndarray
    """1 on the lips (rounding pushes them out), else 0."""
    corner: np.ndarray
    """Around the mouth corners and cheeks, for the smile."""
    side: np.ndarray
    """−1 / 0 / +1: which side of the mouth centre (the smile pulls outwards)."""
    brow: np.ndarray
    """Brows, fading over the forehead and the upper lids."""


@dataclass(frozen=True)
class Hinges:
    """Where the jaw and the head rotate, in local (u, v, z) with z in inter-ocular distances."""

    jaw_v: float
    """Jaw hinge height: level with the nose base, a little higher."""
    jaw_z: float
    """Jaw hinge depth: behind the face."""
    jaw_lever: float
    """Distance from the hinge to the inner lower lip (≥ 0.4): opening by g rotates the jaw by ≈ g/lever."""
    pivot: np.ndarray
    """(3,) float32 head pivot: in the neck, below the chin and behind the face."""


@dataclass(frozen=True)
class FaceModel:
    """Everything :func:`.pose.deform_local` needs, in local coordinates (:class:`.geometry.LocalFrame`)."""

    local: np.ndarray
    """(478, 2) float32 mesh in local (u, v), with the refined inner lip."""
    z: np.ndarray
    """(478,) float32 depth in inter-ocular distances, 0 at the ear line."""
    gap0: float
    """The source's own inner-lip opening (≥ 0)."""
    mouth_c: np.ndarray
    """(2,) centre of the outer lip corners."""
    mouth_hw: float
    """Half the mouth's width."""
    weights: Weights
    hinges: Hinges
    seal: np.ndarray | None = None
    """(478,) float32 v offsets that, at a full closure, bring every inner-lip point onto one lip line (see
    :func:`.pose.with_seal`); None until computed."""


def depth_in_iod(depth: np.ndarray, iod: float) -> np.ndarray:
    """mediapipe depth (pixels) → inter-ocular distances, 0 at the ear line."""
    z = (depth - depth[list(EAR_LINE)].mean()) / iod
    return z.astype(np.float32)


def build_face_model(local: np.ndarray, z: np.ndarray) -> FaceModel:
    """The face model of a mesh in local coordinates (``local``) with depth ``z``."""
    up_c = local[list(UPPER_LIP_MID)].mean(0)
    lo_c = local[list(LOWER_LIP_MID)].mean(0)
    gap0 = float(max(0.0, lo_c[1] - up_c[1]))
    mouth_c = (local[MOUTH_CORNER_R] + local[MOUTH_CORNER_L]) / 2
    mouth_hw = float(abs(local[MOUTH_CORNER_L, 0] - local[MOUTH_CORNER_R, 0]) / 2)
    return FaceModel(local=local, z=z, gap0=gap0, mouth_c=mouth_c, mouth_hw=mouth_hw,
                     weights=expression_weights(local, mouth_c, mouth_hw), hinges=hinges(local, z))


def expression_weights(local: np.ndarray, mouth_c: np.ndarray, mouth_hw: float) -> Weights:
    """The per-point weights of every expression channel (see :class:`Weights`)."""
    in_up, in_lo = lip_membership(local)
    jaw = _jaw_weights(local, mouth_c, mouth_hw, in_up, in_lo)
    corners = list(LIP_CORNERS)
    # upper-lip raise: falls off with distance from the inner upper lip curve (above it only)
    inner_up = local[INNER_UPPER]
    d_up = np.min(np.linalg.norm(local[:, None, :] - inner_up[None, :, :], axis=2), axis=1)
    near_up = np.exp(-((d_up / 0.09) ** 2)) * (1 - jaw)
    upper = (near_up * lip_taper(local, mouth_c, mouth_hw)).astype(np.float32)
    upper[corners] = 0.5 * near_up[corners]
    # mouth region weight for width/round/smile
    du = (local[:, 0] - mouth_c[0]) / (mouth_hw * 1.9 + 1e-6)
    dv = (local[:, 1] - mouth_c[1]) / 0.42
    mouth = np.exp(-(du**2 + dv**2) * 1.5).astype(np.float32)
    mouth[MESH_POINTS:] = 0
    # smile: corners and cheeks
    corner = np.zeros(len(local), np.float32)
    for c in MOUTH_CORNERS:
        d = np.linalg.norm(local - local[c], axis=1)
        corner = np.maximum(corner, np.exp(-((d / 0.28) ** 2)))
    # brows: points above the eyes, strongest on the brows, fading over the forehead and upper lids
    brow_pts = local[BROW_L + BROW_R]
    d_b = np.min(np.linalg.norm(local[:, None, :] - brow_pts[None, :, :], axis=2), axis=1)
    brow = (np.exp(-((d_b / 0.3) ** 2)) * (local[:, 1] < -0.05)).astype(np.float32)
    brow[MESH_POINTS:] = 0
    return Weights(
        jaw=jaw, upper=upper, mouth=mouth, is_lip=(in_up | in_lo).astype(np.float32), corner=corner,
        side=np.sign(local[:, 0] - mouth_c[0]).astype(np.float32), brow=brow,
    )


def _jaw_weights(
    local: np.ndarray, mouth_c: np.ndarray, mouth_hw: float, in_up: np.ndarray, in_lo: np.ndarray
) -> np.ndarray:
    """Lower lip/chin 1, upper face 0; the transition band widens towards the cheeks; lip corners half."""
    u = local[:, 0] - mouth_c[0]
    band = 0.03 + 0.35 * np.clip(np.abs(u) - mouth_hw * 0.8, 0, None)
    wj = smoothstep((local[:, 1] - mouth_c[1] + band) / (2 * band))
    wj[in_up] = 0.0
    wj[in_lo] = lip_taper(local, mouth_c, mouth_hw)[in_lo]
    wj[list(LIP_CORNERS)] = 0.5
    wj[MESH_POINTS:] = 0.0
    return wj.astype(np.float32)


TAPER_FULL = 0.45
"""Lip points within this share of the mouth's half width from its centre open fully with the jaw."""


def lip_taper(local: np.ndarray, mouth_c: np.ndarray, mouth_hw: float) -> np.ndarray:
    """1 in the middle of the mouth, easing down to a half at the corners, per point.

    A lip opens less towards its corners, where it is tied to the other: with the whole lower lip on the
    jaw (and the whole upper lip raised) the opening was a box with steep sides next to the corners, an
    octagon on a big face, and the smooth interior (:mod:`.opening`) could not hide it.
    """
    a = np.abs(local[:, 0] - mouth_c[0]) / max(mouth_hw, 1e-6)
    return (0.5 + 0.5 * smoothstep((1.0 - a) / (1.0 - TAPER_FULL))).astype(np.float32)


def hinges(local: np.ndarray, z: np.ndarray) -> Hinges:
    """Jaw hinge (level with the nose base, behind the face) and head pivot (in the neck)."""
    jaw_v = float(local[list(NOSE_BASE), 1].mean()) - 0.1
    jaw_z = 0.35
    jaw_lever = max(0.4, jaw_z - float(z[LOWER_LIP_CENTRE]))
    pivot = np.array([0.0, float(local[CHIN, 1]) + 0.2, 0.9], np.float32)
    return Hinges(jaw_v=jaw_v, jaw_z=jaw_z, jaw_lever=jaw_lever, pivot=pivot)
