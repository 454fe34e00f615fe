"""Stage-level properties: depth layers, inpainting, ambient fields, brush geometry."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from kinema.engines.base import EngineInputError
from kinema.engines.image2video.ambient import plan_ambient
from kinema.engines.image2video.brush import check_masks, read_mask, region, trajectory_to_output
from kinema.engines.image2video.depth import estimate_layers
from kinema.engines.image2video.inpaint import fill_holes, pad_outside

from .helpers import photo


def test_person_layer_only_with_a_face() -> None:
    people = estimate_layers(photo("astronaut", 320, 320))
    assert people.object_kind == ("person",)
    alpha = people.objects[0]
    assert alpha[100:200, 120:200].mean() > 0.8  # the suit
    assert alpha[:60, 280:].mean() < 0.2  # the backdrop
    cup = estimate_layers(photo("coffee", 320, 240))
    assert "person" not in cup.object_kind  # selfie segmentation fires on it; no face, so no person


def test_plate_depth_is_nearer_at_the_bottom_and_far_in_the_sky() -> None:
    layers = estimate_layers(photo("chelsea", 320, 240))
    q = layers.plate_q
    assert q[-30:].mean() > q[:30].mean()
    assert q.min() > 0.0 and q.max() <= 0.61


def test_fill_holes_keeps_outside_and_matches_surroundings() -> None:
    img = np.zeros((120, 160, 3), np.uint8)
    img[:] = (200, 60, 40)
    img[:, 80:] = (30, 90, 210)
    hole = np.zeros((120, 160), bool)
    hole[40:80, 20:60] = True  # inside the red half
    filled = fill_holes(img, hole)
    assert np.array_equal(
        filled[~cv2.dilate(hole.astype(np.uint8), np.ones((7, 7))).astype(bool)],
        img[~cv2.dilate(hole.astype(np.uint8), np.ones((7, 7))).astype(bool)],
    )
    inside = filled[hole].astype(np.float32).mean(axis=0)
    assert np.abs(inside - np.array([200, 60, 40])).max() < 12


def test_pad_outside_extends_without_hard_edges() -> None:
    img = photo("coffee", 160, 120)
    padded = pad_outside(img, 10, 8)
    assert padded.shape == (136, 180, 3)
    assert np.array_equal(padded[8:-8, 10:-10], img)


def test_ambient_terms_are_zero_at_start_and_stay_in_their_regions() -> None:
    h, w = 120, 160
    img = np.zeros((h, w, 3), np.uint8)
    img[: h // 2] = (120, 170, 235)  # sky
    rng = np.random.default_rng(0)
    tex = rng.uniform(0, 1, (h // 2, w)).astype(np.float32)
    img[h // 2 :, :, 1] = (90 + 120 * tex).astype(np.uint8)  # textured green ground
    img[h // 2 :, :, 0] = 40
    img[h // 2 :, :, 2] = 40
    sky = np.zeros((h, w), np.float32)
    sky[: h // 2] = 1.0
    plan = plan_ambient(img, {"sway": 1.0, "clouds": 1.0}, sky, None, 5.0, 0)
    assert set(plan.active) == {"sway", "clouds"}
    for term in plan.terms:
        assert term.coef(0.0) == 0.0
    assert plan.sky_alpha is not None and plan.sky_speed > 0
    assert plan.sky_alpha[h // 2 + 5 :].max() == 0.0 and plan.sky_alpha[:10].min() > 0.9
    sway = [t for t in plan.terms if t.name == "sway"]
    assert sway and all(np.abs(t.fx[:10]).max() < 1e-3 for t in sway)


def test_trajectory_is_converted_from_bottom_left_origin() -> None:
    traj = trajectory_to_output(((0, 0), (100, 50)), (200, 100), (400, 200), "dynamic_masks[0]")
    assert traj.at(0.0) == (0.0, 200.0)
    assert traj.at(1.0) == (200.0, 100.0)
    x, y = traj.at(0.5)
    assert math.isclose(x, 100.0) and math.isclose(y, 150.0)
    with pytest.raises(EngineInputError):
        trajectory_to_output(((1, 1),), (200, 100), (400, 200), "dynamic_masks[0]")


def test_mask_reading_and_checks() -> None:
    rgba = np.zeros((10, 20, 4), np.uint8)
    rgba[2:5, 3:9, 3] = 255  # drawn on a transparent canvas
    m = read_mask(rgba, "static_mask")
    assert region(m).sum() == 18
    noisy = np.full((10, 20), 3, np.uint8)
    noisy[0, 0] = 250  # JPEG noise stays outside, the white mark inside
    assert region(noisy).sum() == 1
    check_masks((400, 200), {"a": np.zeros((100, 200), np.uint8)})
    with pytest.raises(EngineInputError, match="aspect"):
        check_masks((400, 200), {"a": np.zeros((200, 200), np.uint8)})


def test_sharp_subject_on_blurred_background_becomes_a_layer() -> None:
    rng = np.random.default_rng(5)
    noise = rng.uniform(0, 255, (240, 320, 3)).astype(np.float32)
    soft = cv2.GaussianBlur(
        cv2.resize(noise[::8, ::8], (320, 240)), (0, 0), 6
    )  # blurred, with soft structure
    soft = cv2.normalize(soft, None, 0, 255, cv2.NORM_MINMAX)
    img = soft.astype(np.uint8)
    disc = np.zeros((240, 320), np.uint8)
    cv2.circle(disc, (160, 130), 60, 1, -1)
    img[disc > 0] = noise.astype(np.uint8)[disc > 0]  # in-focus, detailed subject
    layers = estimate_layers(img)
    assert layers.object_kind == ("subject",)
    a = layers.objects[0]
    assert a[130, 160] > 0.9 and a[10, 10] < 0.1
    flat = np.full((240, 320, 3), (90, 140, 220), np.uint8)
    flat[100:200, 140:180] = noise.astype(np.uint8)[100:200, 140:180]  # sharp tower on a featureless sky
    assert estimate_layers(flat).object_kind == ()
