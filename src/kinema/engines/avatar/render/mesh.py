"""The warp mesh: anchor points around the face, and its triangulation.

The portrait is triangulated once: face mesh + two rings of anchors + the image border. Ring 1 (hair, ears,
neck) follows the head partially, ring 2 and the border stay, so hair follows and the background does not.
The triangulation is computed on a *virtually opened* mouth, so no triangle ever bridges the upper and the
lower lip: the mouth opening is its own set of triangles, painted over by a synthesized interior.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import Delaunay

from ..landmarks import FACE_OVAL, LIPS_INNER, MESH_POINTS
from .geometry import LocalFrame, poly_contains, smoothstep


@dataclass(frozen=True)
class Anchors:
    """Points outside the face mesh that the warp needs, with how much of the head's motion each takes."""

    points: np.ndarray
    """(N, 2) float32 pixel positions."""
    local: np.ndarray
    """(N, 2) float32 the same points in local coordinates."""
    weight: np.ndarray
    """(N,) float32 share of the rigid head motion, 0 for fixed anchors (ring 2, border)."""
    z: np.ndarray
    """(N,) float32 depth used for the head's rotation (just behind the face oval)."""
    body: np.ndarray
    """(N,) float32 share of the body's motion (breathing, following the head): 1 on the shoulders."""


def build_anchors(
    pts: np.ndarray, frame: LocalFrame, z: np.ndarray, chin_v: float, size: tuple[int, int],
    shoulders: np.ndarray | None = None, person: np.ndarray | None = None,
) -> Anchors:
    """Ring 1 (1.3 face ovals), the shoulders (when known) with fixed guards outside them, ring 2 (2.1) and
    the image border, minus points that would make slivers."""
    w, h = size
    iod = frame.iod
    oval = pts[FACE_OVAL]
    cen = oval.mean(0)
    ring1 = cen + 1.3 * (oval - cen)
    ring2 = cen + 2.1 * (oval - cen)
    border = []
    for fx in np.linspace(0, 1, 5):
        border += [(fx * (w - 1), 0), (fx * (w - 1), h - 1)]
    for fy in np.linspace(0, 1, 5)[1:-1]:
        border += [(0, fy * (h - 1)), (w - 1, fy * (h - 1))]
    body, guards = _shoulder_points(shoulders, frame)
    parts = [ring1, body, guards, ring2, np.array(border, np.float32).reshape(-1, 2)]
    kinds = np.concatenate([np.full(len(p), k) for k, p in enumerate(parts)])
    candidates = np.clip(np.concatenate(parts), 0, [w - 1, h - 1]).astype(np.float32)
    keep = _spaced(candidates, pts[:MESH_POINTS], 0.06 * iod)
    anchors, kinds = candidates[keep], kinds[keep]
    a_local = frame.to_local(anchors)
    d_face = np.min(np.linalg.norm(anchors[:, None, :] - oval[None, :, :], axis=2), axis=1) / iod
    weight = np.clip(1.0 - d_face / 1.1, 0.0, 1.0) ** 1.2
    weight = weight * (0.3 + 0.7 * smoothstep((chin_v + 0.1 - a_local[:, 1]) / 0.4))
    on_border = (anchors[:, 0] <= 0.5) | (anchors[:, 1] <= 0.5) | (anchors[:, 0] >= w - 1.5) | (
        anchors[:, 1] >= h - 1.5)
    weight[on_border] = 0.0
    weight[(kinds == 1) | (kinds == 2)] = 0.0  # the shoulders move with the body, the guards stay
    if person is not None:
        weight[_on_background(anchors, person, 0.15 * iod)] = 0.0
    body_share = ((kinds == 1) & ~on_border).astype(np.float32)
    depth = np.full(len(anchors), float(np.median(z[FACE_OVAL])) + 0.3, np.float32)
    return Anchors(points=anchors, local=a_local, weight=weight.astype(np.float32), z=depth, body=body_share)


def _on_background(anchors: np.ndarray, person: np.ndarray, margin: float) -> np.ndarray:
    """Anchors farther than ``margin`` pixels from the person: the background, which must not follow the
    head (ring 1 used to drag the wall beside the head along with the hair)."""
    if not person.any():
        return np.zeros(len(anchors), bool)
    dist = cv2.distanceTransform((~person).astype(np.uint8), cv2.DIST_L2, 3)
    h, w = dist.shape
    xs = np.clip(np.round(anchors[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.round(anchors[:, 1]).astype(int), 0, h - 1)
    return dist[ys, xs] > margin


SHOULDER_BAND = 0.8
"""How far below the shoulder line (in eye distances) the body's motion fades out."""


def _shoulder_points(shoulders: np.ndarray | None, frame: LocalFrame) -> tuple[np.ndarray, np.ndarray]:
    """(moving, fixed) anchor candidates: the shoulder line (joints, their tops, the neck's base) moves with
    the body; guards above and outside each shoulder stay, so the background beyond them does not stretch."""
    if shoulders is None:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    loc = frame.to_local(shoulders)
    r, left = loc[0], loc[1]
    line = [r + t * (left - r) for t in (0.0, 0.25, 0.5, 0.75, 1.0)]
    tops = [p + np.array([0.0, -0.35], np.float32) for p in (r, left)]
    out_r, out_l = np.array([-0.75, -0.55], np.float32), np.array([0.75, -0.55], np.float32)
    guards = [r + out_r, left + out_l, r + out_r * [1.6, 0.1], left + out_l * [1.6, 0.1]]
    # and below the shoulder line: the chest stays, so only a band around the shoulders is re-warped
    guards += [p + np.array([0.0, SHOULDER_BAND], np.float32) for p in line]
    body = frame.from_local(np.array(line + tops, np.float32))
    return body, frame.from_local(np.array(guards, np.float32))


def _spaced(candidates: np.ndarray, mesh: np.ndarray, min_gap: float) -> np.ndarray:
    """Indices of the candidates, in order, farther than ``min_gap`` from the mesh and from those kept."""
    d_mesh = np.min(np.linalg.norm(candidates[:, None, :] - mesh[None, :, :], axis=2), axis=1)
    keep: list[int] = []
    for i in np.nonzero(d_mesh > min_gap)[0].tolist():
        if keep and float(np.min(np.linalg.norm(candidates[keep] - candidates[i], axis=1))) <= min_gap:
            continue
        keep.append(i)
    return np.array(keep, np.int64)


@dataclass(frozen=True)
class Triangulation:
    """Triangles over the mesh and anchor vertices (indices into ``Rig.all_src``)."""

    tris: np.ndarray
    """(T, 3) int32 every triangle."""
    hole: np.ndarray
    """(T,) bool: the triangle lies in the mouth opening (all three vertices on the inner lip)."""
    moving: np.ndarray
    """(M, 3) int32 the triangles with a moving vertex, far ones first (the nearer wins where head rotation
    folds the mesh, e.g. the nose over a cheek)."""


def triangulate(opened: np.ndarray, anchors: Anchors, z: np.ndarray) -> Triangulation:
    """Delaunay on the mesh with the mouth opened (``opened``: mesh pixels at open=1) plus the anchors."""
    virt = np.concatenate([opened, anchors.points])
    tri = Delaunay(virt.astype(np.float64)).simplices.astype(np.int32)
    inner = set(LIPS_INNER)
    cent = virt[tri].mean(1)
    in_hole = poly_contains(virt[LIPS_INNER], cent)
    hole = np.array([bool(h_) and all(int(v) in inner for v in t)
                     for t, h_ in zip(tri, in_hole, strict=True)])
    n_mesh = len(opened)
    moving = np.zeros(n_mesh + len(anchors.points), bool)
    moving[:n_mesh] = True
    moving[n_mesh:] = (anchors.weight > 0) | (anchors.body > 0)
    mt = tri[moving[tri].any(1)]
    zall = np.concatenate([z, anchors.z])
    return Triangulation(tris=tri, hole=hole, moving=mt[np.argsort(-zall[mt].mean(1), kind="stable")])
