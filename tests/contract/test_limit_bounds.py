"""An override can relax a limit only as far as the engines and the schema follow; each bound matches its
source, so a limit cannot be raised into an accepted-then-failed task."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from kinema.contract.limit_bounds import BOUNDS
from kinema.contract.limits import PROFILES, Limits, build_limits
from kinema.db.models import Task
from kinema.engines.base import EngineInputError


def test_every_bound_names_a_limit_and_every_profile_is_within() -> None:
    assert set(BOUNDS) <= set(Limits.model_fields)
    for profile in PROFILES:
        for strict in (False, True):
            build_limits(profile, strict=strict)  # would raise if a profile broke a bound


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_an_override_beyond_a_bound_stops_start_up(name: str) -> None:
    bound = BOUNDS[name]
    edge = bound.high if bound.high is not None else bound.low
    assert edge is not None
    build_limits("kling", overrides={name: edge})  # the bound itself is allowed
    step = 1 if isinstance(Limits.model_fields[name].default, int) else 0.05
    beyond = edge + step if bound.high is not None else edge - step
    with pytest.raises(ValueError, match=rf"^limit {name}=\S+ is (above|below) .*: {re.escape(bound.why)}$"):
        build_limits("kling", overrides={name: beyond})


def test_bounds_match_the_engines_and_the_schema() -> None:
    from kinema.engines.avatar import MAX_AUDIO_S
    from kinema.engines.image2video.brush import MAX_DYNAMIC_MASKS
    from kinema.engines.tts.engine import MAX_CHARS
    from kinema.engines.tts.voices import SPEED_MAX, SPEED_MIN
    from kinema.engines.video_to_audio.engine import MAX_SECONDS
    from kinema.engines.video_to_audio.text_to_audio import MAX_SECONDS as T2A_MAX_S
    from kinema.engines.video_to_audio.text_to_audio import MIN_SECONDS as T2A_MIN_S

    assert BOUNDS["image_max_pixels"].high == 2 * Image.MAX_IMAGE_PIXELS
    assert BOUNDS["avatar_audio_max_s"].high == MAX_AUDIO_S
    assert BOUNDS["dynamic_masks_max"].high == MAX_DYNAMIC_MASKS
    assert BOUNDS["v2a_video_max_s"].high == MAX_SECONDS
    assert (BOUNDS["t2a_duration_min_s"].low, BOUNDS["t2a_duration_max_s"].high) == (T2A_MIN_S, T2A_MAX_S)
    assert BOUNDS["tts_text_max_chars"].high == MAX_CHARS
    assert (BOUNDS["tts_speed_min"].low, BOUNDS["tts_speed_max"].high) == (SPEED_MIN, SPEED_MAX)
    assert BOUNDS["external_task_id_max_chars"].high == Task.__table__.c.external_task_id.type.length


def test_image2video_bounds_match_the_engine_behaviour() -> None:
    from kinema.engines.image2video.brush import trajectory_to_output
    from kinema.engines.image2video.camera import validate_camera
    from kinema.engines.image2video.options import CameraControl
    from kinema.engines.image2video.prompt import cfg_gain

    low, high = BOUNDS["camera_value_min"].low, BOUNDS["camera_value_max"].high
    assert low is not None and high is not None
    for value in (low, high):
        validate_camera(CameraControl("simple", {"zoom": value}))
    for value in (low - 0.5, high + 0.5):
        with pytest.raises(ValueError):
            validate_camera(CameraControl("simple", {"zoom": value}))
    cfg_low, cfg_high = BOUNDS["cfg_scale_min"].low, BOUNDS["cfg_scale_max"].high
    assert cfg_low is not None and cfg_high is not None
    assert cfg_gain(cfg_low + 0.1) > cfg_gain(cfg_low) == cfg_gain(cfg_low - 0.5)  # clamped below the bound
    assert cfg_gain(cfg_high - 0.1) < cfg_gain(cfg_high) == cfg_gain(cfg_high + 0.5)  # and above it
    points = int(BOUNDS["trajectory_min_points"].low or 0)
    trajectory_to_output(((0, 0), (5, 5))[:points], (10, 10), (10, 10), "t")
    with pytest.raises(EngineInputError):
        trajectory_to_output(((0, 0),) * (points - 1), (10, 10), (10, 10), "t")


def test_the_video_cost_bounds_refuse_a_raise_but_allow_tightening() -> None:
    """fps and frame-count limits bound a worker's time (it decodes every frame): tighter is fine, looser
    stops the server at start-up, saying why."""
    raises = (("v2a_video_fps_max", 1000), ("v2a_video_frames_max", 10_000), ("v2a_video_frames_min", 1))
    for name, value in raises:
        with pytest.raises(ValueError, match=f"limit {name}=.*decodes every frame|measures motion"):
            build_limits("kling", overrides={name: value})
    assert build_limits("kling", overrides={"v2a_video_fps_max": 60}).v2a_video_fps_max == 60
