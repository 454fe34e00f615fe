"""The rig: vertices move as the pose asks, and it is total (any face the mesh gives renders)."""

from __future__ import annotations

import numpy as np
import pytest

from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.landmarks import (
    FACE_OVAL,
    LOWER_LIP_MID,
    MOUTH_CORNER_L,
    MOUTH_CORNER_R,
    UPPER_LIP_MID,
)
from kinema.engines.avatar.render import MAX_GAP, Frame, Renderer, Rig
from tests.engines.avatar.portraits import scaled_portrait


@pytest.fixture(scope="module")
def rig(astronaut: Portrait) -> Rig:
    return Rig(astronaut)


def test_closing_seals_the_lips(rig: Rig) -> None:
    dst = rig.dest_points(Frame(open=0.0))
    up, lo = dst[list(UPPER_LIP_MID)], dst[list(LOWER_LIP_MID)]
    assert np.abs(lo[:, 1] - up[:, 1]).max() < 0.02 * rig.iod


def test_smile_and_round_change_mouth_width(rig: Rig) -> None:
    def width(f: Frame) -> float:
        d = rig.dest_points(f)
        return float(np.linalg.norm(d[MOUTH_CORNER_L] - d[MOUTH_CORNER_R]))

    base = width(Frame(open=0.3))
    assert width(Frame(open=0.3, width=-1.0)) < 0.9 * base
    assert width(Frame(open=0.3, width=1.0)) > 1.03 * base


def test_the_source_teeth_are_cut_out_when_the_photo_shows_them(rig: Rig) -> None:
    """The astronaut smiles with her teeth: they are found, cut out, and lie inside the mouth."""
    assert rig.has_src_teeth and rig.src_teeth is not None
    ys, xs = np.nonzero(rig.src_teeth_mask)
    mouth = rig.points[list(UPPER_LIP_MID) + list(LOWER_LIP_MID)]
    assert abs(xs.mean() - mouth[:, 0].mean()) < 0.3 * rig.iod
    assert abs(ys.mean() - mouth[:, 1].mean()) < 0.3 * rig.iod
    th, tw = rig.src_teeth.patch.shape[:2]
    assert rig.src_teeth.alpha.shape == (th, tw)


@pytest.mark.parametrize("iod_px", [10.0, 12.0])
def test_a_tiny_face_gets_no_source_teeth_and_renders(astronaut: Portrait, iod_px: float) -> None:
    """A mouth a few pixels wide: the inner lip cannot be analysed, so no teeth are cut out, yet every
    painter runs and the picture changes only inside the face's fixed outer ring.

    (Before the rig was made total this raised AttributeError: 'Rig' object has no attribute
    'src_teeth_mask'.)
    """
    small = scaled_portrait(astronaut, iod_px)
    rig = Rig(small)
    assert abs(rig.iod - iod_px) < 0.01
    assert not rig.has_src_teeth
    assert rig.src_teeth_mask.shape == small.image.shape[:2] and not rig.src_teeth_mask.any()
    r = Renderer(rig)
    rest = r.warp(rig.dest_points(Frame(open=rig.face.gap0 / MAX_GAP)))
    assert np.abs(rest.astype(int) - small.image.astype(int)).max() <= 1
    # the outer anchor ring (2.1 face ovals about the face's centre) is fixed: nothing moves beyond it
    oval = small.points[FACE_OVAL]
    ring = oval.mean(0) + 2.1 * (oval - oval.mean(0))
    x0, y0 = np.floor(ring.min(0)).astype(int)
    x1, y1 = np.ceil(ring.max(0)).astype(int)
    for f in (Frame(open=1.0, tongue=1.0, blink=1.0), Frame(open=0.6, width=-1.0, yaw=0.15, smile=0.5)):
        out = r.render(f)
        assert out.shape == small.image.shape and out.dtype == np.uint8
        changed = np.abs(out.astype(int) - small.image.astype(int)).sum(2) > 0
        assert changed.any()
        ys, xs = np.nonzero(changed)
        assert ys.min() >= y0 and ys.max() <= y1 and xs.min() >= x0 and xs.max() <= x1
