"""Reading the source's lips: the inner contour follows the real opening, teeth are found, and a mouth that
cannot be analysed keeps the mesh's points with no teeth (never a missing result)."""

from __future__ import annotations

import numpy as np

from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.landmarks import (
    INNER_LOWER,
    INNER_UPPER,
    LIPS_INNER,
    LIPS_OUTER,
    LOWER_LIP_MID,
    OUTER_LOWER,
    OUTER_UPPER,
    UPPER_LIP_MID,
)
from kinema.engines.avatar.render.geometry import poly_contains
from kinema.engines.avatar.render.lips import lip_membership, refine_inner_lip


def test_teeth_lie_inside_the_outer_lips_and_the_contour_opens_around_them(astronaut: Portrait) -> None:
    pts = astronaut.points.astype(np.float32)
    lip = refine_inner_lip(astronaut.image, pts)
    assert lip.points.shape == (len(LIPS_INNER), 2) and lip.points.dtype == np.float32
    ys, xs = np.nonzero(lip.teeth_mask)
    assert len(xs) > 50  # the astronaut smiles with her teeth
    inside = poly_contains(pts[LIPS_OUTER], np.stack([xs, ys], axis=1).astype(np.float32))
    assert inside.mean() > 0.95
    # the refined opening is at least as tall as the mesh's (mediapipe's inner lips collapse on smiles)
    k_up = [LIPS_INNER.index(i) for i in UPPER_LIP_MID]
    k_lo = [LIPS_INNER.index(i) for i in LOWER_LIP_MID]
    before = pts[list(LOWER_LIP_MID), 1].mean() - pts[list(UPPER_LIP_MID), 1].mean()
    after = lip.points[k_lo, 1].mean() - lip.points[k_up, 1].mean()
    assert after >= before


def test_a_mouth_too_small_to_analyse_keeps_the_mesh_points_and_has_no_teeth(astronaut: Portrait) -> None:
    """Both early exits (under 20 pixels inside the lips; the mouth outside the picture) are total."""
    pts = astronaut.points.astype(np.float32)
    centre = pts[LIPS_OUTER].mean(0)
    tiny = centre + (pts - centre) * 0.08  # the lips a few pixels across
    lip = refine_inner_lip(astronaut.image, tiny)
    assert np.array_equal(lip.points, tiny[LIPS_INNER])
    assert lip.teeth_mask.shape == astronaut.image.shape[:2] and not lip.teeth_mask.any()
    off = pts + np.array([5000.0, 0.0], np.float32)
    lip = refine_inner_lip(astronaut.image, off)
    assert np.array_equal(lip.points, off[LIPS_INNER]) and not lip.teeth_mask.any()


def test_lip_landmarks_belong_to_their_own_lip_even_where_the_lips_touch(astronaut: Portrait) -> None:
    """Labels win over geometry for every lip landmark but the four shared corners; no point is in both."""
    pts = astronaut.points.astype(np.float32)
    closed = pts.copy()
    closed[INNER_LOWER[1:-1], 1] = closed[INNER_UPPER[1:-1], 1]  # a sealed mouth: the polygons touch
    for mesh in (pts, closed):
        in_up, in_lo = lip_membership(mesh)
        assert not (in_up & in_lo).any()
        assert in_up[INNER_UPPER[1:-1]].all() and not in_lo[INNER_UPPER[1:-1]].any()
        assert in_lo[INNER_LOWER[1:-1]].all() and not in_up[INNER_LOWER[1:-1]].any()
        assert in_up[OUTER_UPPER[1:-1]].all() and in_lo[OUTER_LOWER[1:-1]].all()


def test_side_light_does_not_move_the_inner_lip_onto_the_lower_lip(astronaut: Portrait) -> None:
    """A strong left-to-right light falloff: the shadowed half of a lip is still lip, not cavity."""
    pts = astronaut.points.astype(np.float32)
    w = astronaut.image.shape[1]
    ramp = np.linspace(1.25, 0.35, w, dtype=np.float32)[None, :, None]
    side_lit = np.clip(astronaut.image * ramp, 0, 255).astype(np.uint8)
    even = refine_inner_lip(astronaut.image, pts)
    lit = refine_inner_lip(side_lit, pts)
    iod = astronaut.iod
    assert np.abs(lit.points - even.points).max() < 0.01 * iod  # (against the global lip lightness: 0.023)
    assert lit.opening_mask.any() and lit.teeth_mask.any()
