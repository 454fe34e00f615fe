"""Closing a smiling mouth: the lips seal along their whole width, the warp samples a texture whose opening
is lip-coloured, and closed frames show no dark notches at the mouth corners nor a dark smear on the lip line.

The astronaut smiles with her teeth (a crescent opening that is widest at the centre and dark at the
corners): before the seal and the filled texture, every closed frame showed dark jagged notches there.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.landmarks import (
    INNER_LOWER,
    INNER_UPPER,
    LIPS_INNER,
    LIPS_OUTER,
    MOUTH_CORNERS,
)
from kinema.engines.avatar.render import Frame, Renderer, Rig
from kinema.engines.avatar.render.closed_lips import closed_lip_texture
from kinema.engines.avatar.render.geometry import poly_contains

CLOSED_FRAMES = (Frame(), Frame(width=0.3), Frame(width=-0.6), Frame(yaw=0.03, pitch=0.02), Frame(smile=0.6))


@pytest.fixture(scope="module")
def rig(astronaut: Portrait) -> Rig:
    return Rig(astronaut)


def lip_lightness(rig: Rig) -> float:
    """Median grey level of the source's lips (outside the opening): the reference for "dark"."""
    grey = cv2.cvtColor(rig.image, cv2.COLOR_RGB2GRAY)
    m = np.zeros(grey.shape, np.uint8)
    cv2.fillPoly(m, [np.round(rig.points[LIPS_OUTER]).astype(np.int32)], 1)
    cv2.fillPoly(m, [np.round(rig.points[LIPS_INNER]).astype(np.int32)], 0)
    return float(np.median(grey[m > 0]))


def corner_notch_share(frame: np.ndarray, dst: np.ndarray, rig: Rig) -> float:
    """Share of pixels darker than half the lips' lightness within 0.12 IOD of the (moved) mouth corners."""
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    ref = lip_lightness(rig)
    r = max(2, round(0.12 * rig.iod))
    shares = []
    for c in MOUTH_CORNERS:
        x, y = np.round(dst[c]).astype(int)
        box = grey[y - r:y + r + 1, x - r:x + r + 1]
        shares.append(float((box < 0.5 * ref).mean()))
    return max(shares)


def seam_darkest(frame: np.ndarray, dst: np.ndarray, rig: Rig) -> float:
    """Darkest grey level (relative to the lips) along the closed lip line, corners excluded."""
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    line = (dst[INNER_UPPER] + dst[INNER_LOWER][::-1]) / 2
    xs = np.arange(np.ceil(line[1, 0]), np.floor(line[-2, 0]))
    order = np.argsort(line[:, 0])
    ys = np.interp(xs, line[order, 0], line[order, 1])
    vals = [grey[round(y) - 1:round(y) + 2, int(x)].min() for x, y in zip(xs, ys, strict=True)]
    return float(min(vals)) / lip_lightness(rig)


def test_the_source_corners_are_dark_so_the_check_can_fail(rig: Rig) -> None:
    """The measure sees the photo's own dark smile corners (what used to be squashed into notches)."""
    assert corner_notch_share(rig.image, rig.all_src, rig) > 0.03


@pytest.mark.parametrize("f", CLOSED_FRAMES)
def test_closed_frames_have_clean_corners_and_lip_line(rig: Rig, f: Frame) -> None:
    r = Renderer(rig)
    dst = rig.dest_points(f)
    frame = r.render(f)
    assert corner_notch_share(frame, dst, rig) < 0.01
    assert seam_darkest(frame, dst, rig) > 0.6


def test_a_closure_seals_the_lips_along_their_whole_width(rig: Rig) -> None:
    dst = rig.dest_points(Frame())
    up, lo = dst[INNER_UPPER], dst[INNER_LOWER][::-1]
    assert np.abs(lo[:, 1] - up[:, 1]).max() < 0.02 * rig.iod
    # half-way closed: half the seal, so the opening keeps its shape on the way
    half = rig.dest_points(Frame(open=0.5 * rig.face.gap0 / 0.32))
    gap_half = (half[INNER_LOWER][::-1] - half[INNER_UPPER])[:, 1]
    assert gap_half[5] > 0.2 * rig.face.gap0 * rig.iod


def test_the_texture_fills_only_the_mouth_and_keeps_a_closed_mouth_as_is(rig: Rig) -> None:
    tex = rig.texture
    assert tex.filled.any()
    ys, xs = np.nonzero(tex.filled)
    outer = rig.points[LIPS_OUTER]
    c = outer.mean(0)
    near = poly_contains(c + (outer - c) * 1.35, np.stack([xs, ys], axis=1).astype(np.float32))
    assert near.all()
    assert np.array_equal(tex.image[~tex.filled], rig.image[~tex.filled])
    # no opening mask, or a closed source (whose own lip line is kept): nothing to fill
    none = closed_lip_texture(rig.image, rig.points, np.zeros(rig.image.shape[:2], np.uint8), rig.iod,
                              rig.face.gap0)
    assert none.image is rig.image and not none.filled.any()
    opening = (tex.filled * 255).astype(np.uint8)
    closed = closed_lip_texture(rig.image, rig.points, opening, rig.iod, gap0=0.01)
    assert closed.image is rig.image and not closed.filled.any()
