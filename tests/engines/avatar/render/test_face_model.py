"""The face model: which points each expression moves, and where the jaw and head rotate."""

from __future__ import annotations

import numpy as np
import pytest

from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.landmarks import (
    BROW_L,
    BROW_R,
    CHIN,
    INNER_LOWER,
    INNER_UPPER,
    LIP_CORNERS,
    MESH_POINTS,
    NOSE_BASE,
    OUTER_LOWER,
)
from kinema.engines.avatar.render import Rig
from kinema.engines.avatar.render.face_model import FaceModel


@pytest.fixture(scope="module")
def face(astronaut: Portrait) -> FaceModel:
    return Rig(astronaut).face


def test_the_jaw_carries_the_lower_lip_not_the_upper_and_the_corners_half(face: FaceModel) -> None:
    jaw = face.weights.jaw
    for lip in (INNER_LOWER, OUTER_LOWER):
        w = jaw[lip[1:-1]]
        assert w.max() == 1 and (w > 0.5).all()
        # the middle of the lower lip goes with the jaw, next to the corners less (a lens, not a box)
        assert w[len(w) // 2] == 1 and w[0] < 0.9 and w[-1] < 0.9
    assert (jaw[INNER_UPPER[1:-1]] == 0).all()
    assert (jaw[list(LIP_CORNERS)] == 0.5).all()
    assert jaw[CHIN] > 0.99 and (jaw[MESH_POINTS:] == 0).all()


def test_brows_move_brows_and_nothing_below_the_eyes(face: FaceModel) -> None:
    brow = face.weights.brow
    assert brow[BROW_L + BROW_R].min() > 0.5
    assert (brow[face.local[:, 1] >= -0.05] == 0).all() and (brow[MESH_POINTS:] == 0).all()


def test_hinge_sits_above_the_mouth_and_the_head_pivot_below_the_chin(face: FaceModel) -> None:
    h = face.hinges
    assert h.jaw_v < float(face.local[list(NOSE_BASE), 1].mean())
    assert h.jaw_lever >= 0.4
    assert h.pivot[1] > face.local[CHIN, 1] and h.pivot[2] > 0
    assert face.gap0 >= 0 and face.mouth_hw > 0
    assert all(w.dtype == np.float32 and w.shape == (len(face.local),) for w in vars(face.weights).values())
