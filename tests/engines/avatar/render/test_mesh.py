"""The warp mesh: anchors that hold the background still, and triangles drawn far to near."""

from __future__ import annotations

import numpy as np
import pytest

from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.render import Rig


@pytest.fixture(scope="module")
def rig(astronaut: Portrait) -> Rig:
    return Rig(astronaut)


def test_border_anchors_are_fixed_and_ring_anchors_follow_partly(rig: Rig) -> None:
    a = rig.anchors
    on_border = (a.points[:, 0] <= 0.5) | (a.points[:, 1] <= 0.5) | (a.points[:, 0] >= rig.w - 1.5) | (
        a.points[:, 1] >= rig.h - 1.5)
    assert on_border.sum() >= 4 and (a.weight[on_border] == 0).all()
    assert (a.weight >= 0).all() and (a.weight <= 1).all() and (a.weight > 0).any()
    # no anchor crowds the mesh or another anchor (they would make sliver triangles)
    d = np.linalg.norm(a.points[:, None, :] - rig.all_src[None, :, :], axis=2)
    d[d == 0] = np.inf
    assert d.min() > 0.06 * rig.iod


def test_every_vertex_is_triangulated_and_moving_triangles_go_far_to_near(rig: Rig) -> None:
    m = rig.mesh
    assert set(np.unique(m.tris)) == set(range(len(rig.all_src)))
    assert m.hole.any() and m.hole.sum() < 30  # the opening is a handful of triangles
    z = np.concatenate([rig.face.z, rig.anchors.z])
    depth = z[m.moving].mean(1)
    assert (np.diff(depth) <= 1e-6).all()
