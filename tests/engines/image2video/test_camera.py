"""The camera model moves content the way each Kling axis says, with near layers moving more."""

from __future__ import annotations

import numpy as np
import pytest

from kinema.engines.image2video.camera import (
    CameraMove,
    coverage_zoom,
    ease,
    move_from_control,
    source_coords,
    validate_camera,
)
from kinema.engines.image2video.options import CAMERA_AXES, CAMERA_PRESETS, CameraControl

W, H = 320, 240


def content_shift(move: CameraMove, q: float, x: float = W / 2, y: float = H / 2) -> tuple[float, float]:
    """How far the content at (x, y) appears to move: dest - source for a point sampled at (x, y)."""
    sx, sy = source_coords(move, np.array([x]), np.array([y]), q, W, H)
    return float(x - sx[0]), float(y - sy[0])


def simple(axis: str, value: float) -> CameraMove:
    return move_from_control(CameraControl("simple", {axis: value}))


@pytest.mark.parametrize("value", [3.0, 10.0])
def test_horizontal_sign_and_parallax(value: float) -> None:
    near_r, _ = content_shift(simple("horizontal", value), 0.9)
    far_r, _ = content_shift(simple("horizontal", value), 0.2)
    assert near_r < far_r < 0  # camera right -> content left, near more
    near_l, _ = content_shift(simple("horizontal", -value), 0.9)
    assert near_l > 0
    assert abs(near_l + near_r) < 0.05 * abs(near_r)  # symmetric


def test_magnitude_grows_with_value() -> None:
    for axis in CAMERA_AXES:
        small = np.hypot(*content_shift(simple(axis, 2), 0.6, W * 0.8, H * 0.8))
        big = np.hypot(*content_shift(simple(axis, 8), 0.6, W * 0.8, H * 0.8))
        assert big > 2.5 * small > 0, axis


def test_vertical_positive_moves_content_down() -> None:
    _, dy = content_shift(simple("vertical", 5), 0.8)
    assert dy > 1.0


def test_pan_and_tilt_meaning() -> None:
    dx, _ = content_shift(simple("pan", 5), 0.3)
    assert dx < -1.0  # yaw right -> content left
    _, dy = content_shift(simple("tilt", 5), 0.3)
    assert dy > 1.0  # look up -> content down


def test_roll_rotates_content_anticlockwise() -> None:
    # a point right of the centre moves up (y decreases) when content turns anticlockwise on screen
    _, dy = content_shift(simple("roll", 5), 0.5, W * 0.9, H / 2)
    assert dy < -1.0


def test_zoom_enlarges_and_near_grows_more() -> None:
    x = W * 0.9
    near, _ = content_shift(simple("zoom", 5), 0.9, x)
    far, _ = content_shift(simple("zoom", 5), 0.2, x)
    assert near > far > 0  # right-side content moves further right: enlargement
    out, _ = content_shift(simple("zoom", -5), 0.9, x)
    assert out < 0


def test_presets_move() -> None:
    for name in CAMERA_PRESETS:
        move = move_from_control(CameraControl(name))
        assert not move.is_static()
    turn_r, _ = content_shift(move_from_control(CameraControl("right_turn_forward")), 0.3)
    turn_l, _ = content_shift(move_from_control(CameraControl("left_turn_forward")), 0.3)
    assert turn_r < 0 < turn_l


@pytest.mark.parametrize(
    "control",
    [
        CameraControl("simple", {"zoom": 0}),
        CameraControl("simple", {"zoom": 2, "pan": 1}),
        CameraControl("simple", {"zoom": 11}),
        CameraControl("simple", None),
        CameraControl("spin"),
    ],
)
def test_invalid_controls_rejected(control: CameraControl) -> None:
    with pytest.raises(ValueError):
        validate_camera(control)


def test_coverage_zoom_keeps_samples_inside_margin() -> None:
    q = np.full((H, W), 0.5, np.float32)
    move = simple("horizontal", 10)
    covered = coverage_zoom(move, q, W, H, 8.0, 8.0)
    assert covered.focal > move.focal
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float64)
    sx, sy = source_coords(covered, xs, ys, q.astype(np.float64), W, H)
    assert sx.min() >= -8.5 and sx.max() <= W - 1 + 8.5
    assert sy.min() >= -8.5 and sy.max() <= H - 1 + 8.5


def test_ease_is_monotone_with_flat_ends() -> None:
    ts = np.linspace(0, 1, 50)
    e = np.array([ease(t) for t in ts])
    assert e[0] == 0.0 and e[-1] == 1.0
    assert np.all(np.diff(e) >= 0)
    assert e[1] - e[0] < (e[25] - e[24]) / 5
