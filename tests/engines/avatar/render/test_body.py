"""The body follows the head: the shoulders (BlazePose, once per portrait) move with breathing and a share
of the head's sway, the background far from the person stays put, and a head crop without shoulders still
renders with a still body."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.landmarks import CHIN
from kinema.engines.avatar.render import Frame, Renderer, Rig
from kinema.engines.avatar.render.pose import BREATH_RISE, body_shift

BREATH_IN = Frame(dy=0.02)
"""The breathing lift at its peak (motion gives ≈ ±0.012 IOD; a little more keeps the shift measurable)."""


@pytest.fixture(scope="module")
def rig(astronaut: Portrait) -> Rig:
    return Rig(astronaut)


def test_the_portrait_knows_its_shoulders_and_the_person(astronaut: Portrait) -> None:
    sh, person = astronaut.shoulders, astronaut.person
    assert sh is not None and person is not None
    assert (sh[:, 1] > astronaut.points[CHIN, 1]).all()  # below the chin
    assert sh[0, 0] < astronaut.points[CHIN, 0] < sh[1, 0]  # one each side of it
    assert person.shape == astronaut.image.shape[:2] and 0.2 < person.mean() < 0.8


def test_shoulder_anchors_take_the_body_motion_and_guards_stay(rig: Rig) -> None:
    a = rig.anchors
    assert (a.body > 0).sum() >= 4 and (a.weight[a.body > 0] == 0).all()
    dst = rig.dest_points(BREATH_IN)[len(rig.points):]
    moved = dst - a.points
    expect = BREATH_RISE * BREATH_IN.dy * rig.iod
    assert np.allclose(np.linalg.norm(moved[a.body > 0], axis=1), expect, rtol=0.05)
    still = (a.body == 0) & (a.weight == 0)
    assert np.abs(moved[still]).max() < 1e-4


def test_breathing_moves_the_shoulders_but_not_the_background(rig: Rig, astronaut: Portrait) -> None:
    r = Renderer(rig)
    rest, breath = r.render(Frame()), r.render(BREATH_IN)
    sh = astronaut.shoulders
    assert sh is not None and astronaut.person is not None
    c = sh.mean(0).astype(int)
    hw, hh = int(0.9 * rig.iod), int(0.4 * rig.iod)
    grey = [cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)[c[1] - hh:c[1] + hh, c[0] - hw:c[0] + hw].astype(np.float32)
            for x in (rest, breath)]
    (_sx, sy), _ = cv2.phaseCorrelate(grey[0], grey[1])
    assert sy > 0.5 * BREATH_RISE * BREATH_IN.dy * rig.iod  # the shoulder line moves (down for dy > 0)
    r_px = int(0.5 * rig.iod)
    near = cv2.dilate(astronaut.person.astype(np.uint8), np.ones((2 * r_px + 1, 2 * r_px + 1), np.uint8))
    far = near == 0
    assert far.mean() > 0.2
    diff = np.abs(rest.astype(int) - breath.astype(int)).max(2)
    assert (diff[far] > 2).mean() < 0.001


def test_a_head_turn_leaves_the_background_beside_the_head_alone(rig: Rig, astronaut: Portrait) -> None:
    """Ring anchors on the background (not the person) do not follow the head."""
    assert astronaut.person is not None
    r = Renderer(rig)
    turned = r.render(Frame(yaw=0.05, roll=0.04, dx=0.02))
    r_px = int(0.5 * rig.iod)
    near = cv2.dilate(astronaut.person.astype(np.uint8), np.ones((2 * r_px + 1, 2 * r_px + 1), np.uint8))
    diff = np.abs(turned.astype(int) - r.render(Frame()).astype(int)).max(2)
    assert (diff[near == 0] > 2).mean() < 1e-4  # (without the person mask: 2.7e-4 here)


def test_without_shoulders_the_body_stays(astronaut: Portrait) -> None:
    rig = Rig(dataclasses.replace(astronaut, shoulders=None, person=None))
    assert not rig.anchors.body.any()
    assert np.abs(body_shift(BREATH_IN)).max() > 0  # the shift exists, it just has no vertex to move
    r = Renderer(rig)
    diff = np.abs(r.render(BREATH_IN).astype(int) - r.render(Frame()).astype(int)).max(2)
    assert diff[-int(0.1 * rig.h):].max() <= 1  # the bottom of the picture (chest) is untouched
