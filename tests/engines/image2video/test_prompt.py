"""Prompt words pick motions; the negative prompt removes them; cfg_scale sets their strength."""

from __future__ import annotations

from kinema.engines.image2video.prompt import DEFAULT_CAMERA, cfg_gain, plan_motion


def test_no_prompt_still_moves_gently() -> None:
    plan = plan_motion("")
    assert plan.camera == DEFAULT_CAMERA
    assert plan.camera is not None and plan.camera.tz > 0


def test_camera_words() -> None:
    zin = plan_motion("slow zoom in on the castle").camera
    zout = plan_motion("the camera pulls back to reveal the valley").camera
    assert zin is not None and zout is not None
    assert zin.tz > 0 > zout.tz
    left = plan_motion("pan left across the city").camera
    right = plan_motion("pan right across the city").camera
    assert left is not None and right is not None and left.yaw < 0 < right.yaw
    up = plan_motion("tilt up to the sky").camera
    assert up is not None and up.pitch > 0
    orbit = plan_motion("orbit around the statue").camera
    assert orbit is not None and orbit.tx != 0 and orbit.yaw * orbit.tx < 0


def test_static_camera_and_negative_prompt() -> None:
    assert plan_motion("static camera, leaves moving").camera is None
    assert plan_motion("zoom in", negative_prompt="camera movement").camera is None
    plan = plan_motion("zoom in, snow falling", negative_prompt="snow")
    assert "snow" not in plan.ambient and plan.camera is not None


def test_ambient_vocabulary() -> None:
    plan = plan_motion(
        "wind in the trees, clouds drifting, rain, a flickering candle, a woman breathing, waves"
    )
    assert {"sway", "clouds", "rain", "flicker", "breathing", "ripple"} <= set(plan.ambient)


def test_cfg_scale_and_adverbs_scale_motion() -> None:
    assert cfg_gain(0.0) < cfg_gain(None) == cfg_gain(0.5) < cfg_gain(1.0)
    weak = plan_motion("zoom in, wind", cfg_scale=0.1)
    strong = plan_motion("zoom in, wind", cfg_scale=0.9)
    assert weak.camera is not None and strong.camera is not None
    assert strong.camera.tz > weak.camera.tz > 0
    assert strong.ambient["sway"] > weak.ambient["sway"]
    slow = plan_motion("zoom in slowly").camera
    fast = plan_motion("dramatic zoom in").camera
    assert slow is not None and fast is not None and fast.tz > slow.tz
