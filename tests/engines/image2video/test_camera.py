"""The camera moves content the way each Kling axis and preset says (official wording), with near layers
moving more: checked on the analytic model and, for every axis sign and preset, on rendered frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kinema.engines.image2video import I2VOptions, render_image_to_video
from kinema.engines.image2video.camera import (
    CameraMove,
    coverage_zoom,
    ease,
    move_from_control,
    source_coords,
    validate_camera,
)
from kinema.engines.image2video.options import CAMERA_AXES, CAMERA_PRESETS, CameraControl

from .helpers import frames, similarity, textured

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


def test_zoom_follows_the_docs_focal_length_sign() -> None:
    # Kling: negative = longer focal length, smaller field of view (content grows);
    # positive = shorter focal length, larger field of view (content shrinks)
    x = W * 0.9
    near_in, _ = content_shift(simple("zoom", -5), 0.9, x)
    far_in, _ = content_shift(simple("zoom", -5), 0.2, x)
    assert near_in > far_in > 0  # right-side content moves further right: enlargement, near more
    near_out, _ = content_shift(simple("zoom", 5), 0.9, x)
    far_out, _ = content_shift(simple("zoom", 5), 0.2, x)
    assert near_out < far_out < 0  # right-side content moves towards the centre: the view widens
    assert simple("zoom", 5).focal < 1.0 < simple("zoom", -5).focal


def test_presets_move() -> None:
    for name in CAMERA_PRESETS:
        move = move_from_control(CameraControl(name))
        assert not move.is_static()
    turn_r, _ = content_shift(move_from_control(CameraControl("right_turn_forward")), 0.3)
    turn_l, _ = content_shift(move_from_control(CameraControl("left_turn_forward")), 0.3)
    assert turn_r < 0 < turn_l
    # "camera descends and moves backward" / "camera moves forward and tilts up"
    down_back = move_from_control(CameraControl("down_back"))
    forward_up = move_from_control(CameraControl("forward_up"))
    assert down_back.tz < 0 < forward_up.tz
    assert down_back.ty > 0 > forward_up.ty  # image y points down: the camera descends / rises
    assert forward_up.pitch > 0


# What each axis sign must do to the picture, from the docs' wording of the *camera's* motion:
# (axis, value, measured quantity, expected sign). Quantities come from a similarity fit of the last
# frame against the first: scale, angle (degrees, image coordinates: positive = clockwise on screen),
# and the centre's shift tx/ty in pixels (image y points down).
AXIS_DIRECTIONS = [
    ("horizontal", 6, "tx", -1),  # camera translates right -> content slides left
    ("horizontal", -6, "tx", +1),
    ("vertical", 6, "ty", +1),  # camera translates up -> content slides down
    ("vertical", -6, "ty", -1),
    ("pan", 6, "tx", -1),  # camera turns right -> content slides left
    ("pan", -6, "tx", +1),
    ("tilt", 6, "ty", +1),  # camera looks up -> content slides down
    ("tilt", -6, "ty", -1),
    ("roll", 8, "angle", -1),  # camera rolls clockwise -> content turns anticlockwise
    ("roll", -8, "angle", +1),
    ("zoom", 6, "scale", -1),  # shorter focal length, larger field of view -> content shrinks
    ("zoom", -6, "scale", +1),  # longer focal length, smaller field of view -> content grows
]
MIN_EFFECT = {"tx": 3.0, "ty": 3.0, "angle": 2.0, "scale": 0.04}


def _measured(clip: list[np.ndarray]) -> dict[str, float]:
    scale, angle, tx, ty = similarity(clip[0], clip[-1])
    return {"scale": scale - 1.0, "angle": angle, "tx": tx, "ty": ty}


def _render_camera(tmp_path: Path, control: CameraControl) -> list[np.ndarray]:
    out = tmp_path / "cam.mp4"
    # 12 fps keeps the 16 renders cheap; the end pose does not depend on the frame rate
    opts = I2VOptions(image=textured(), duration_s=3, fps=12, short_side=240, camera=control)
    render_image_to_video(opts, out)
    return frames(out)


@pytest.mark.parametrize(("axis", "value", "quantity", "sign"), AXIS_DIRECTIONS)
def test_axis_direction_on_rendered_frames(
    tmp_path: Path, axis: str, value: float, quantity: str, sign: int
) -> None:
    got = _measured(_render_camera(tmp_path, CameraControl("simple", {axis: value})))
    assert got[quantity] * sign > MIN_EFFECT[quantity], (axis, value, got)


# "down_back: camera descends and moves backward", "forward_up: camera moves forward and tilts up",
# "right/left_turn_forward: rotate right/left and advance"
PRESET_DIRECTIONS = {
    "down_back": {"scale": -1, "ty": -1},  # pulls back -> shrinks; descends -> content rises
    "forward_up": {"scale": +1, "ty": +1},  # pushes in -> grows; rises and looks up -> content sinks
    "right_turn_forward": {"scale": +1, "tx": -1},
    "left_turn_forward": {"scale": +1, "tx": +1},
}


@pytest.mark.parametrize("preset", CAMERA_PRESETS)
def test_preset_direction_on_rendered_frames(tmp_path: Path, preset: str) -> None:
    got = _measured(_render_camera(tmp_path, CameraControl(preset)))
    for quantity, sign in PRESET_DIRECTIONS[preset].items():
        assert got[quantity] * sign > MIN_EFFECT[quantity] / 2, (preset, quantity, got)


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
