"""Image-to-video executor: the typed request + input files → one video; bad masks → EngineInputError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from skimage import data

from kinema.contract.limits import Limits, build_limits
from kinema.contract.stored import StoredRequestError, request_from_row
from kinema.engines.base import EngineInputError, no_progress
from kinema.jobs.executors.base import JobContext
from kinema.jobs.executors.image2video import execute, options_from_context


def _png(path: Path, rgb: np.ndarray) -> Path:
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR) if rgb.ndim == 3 else rgb)
    return path


def _image(tmp: Path) -> Path:
    return _png(tmp / "image.png", cv2.resize(data.chelsea(), (320, 212)))


def _ctx(tmp: Path, inputs: dict[str, Path], limits: Limits | None = None, **fields: Any) -> JobContext:
    """The context a worker builds for a task row holding these request fields (media from ``inputs``)."""
    base: dict[str, Any] = {"model_name": "kling-v1", "mode": "std", "duration": "5", "prompt": None}
    names = {k: str(v) for k, v in inputs.items()}
    request = request_from_row("image2video", {**base, **fields}, names, limits or Limits())
    return JobContext(
        task_id="t1",
        kind="image2video",
        request=request,
        inputs=inputs,
        workdir=tmp,
        progress=no_progress,
        seed=3,
    )


def test_execute_returns_one_video(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {"image": _image(tmp_path)},
        camera_control={
            "type": "simple",
            "config": {"horizontal": 0, "vertical": 0, "pan": 0, "tilt": 0, "roll": 0, "zoom": 4},
        },
    )
    outputs = execute(ctx)
    assert len(outputs) == 1 and outputs[0].role == "video"
    assert outputs[0].duration_s == pytest.approx(5.0)
    with av.open(str(outputs[0].path)) as c:
        s = c.streams.video[0]
        # kling-v1: 720p at 30 fps (the capability map); the 320x212 photo is scaled up, aspect kept
        assert (s.width, s.height) == (1086, 720)
        assert s.average_rate == 30
        assert s.frames == 150 or sum(1 for _ in c.decode(video=0)) == 150
    assert outputs[0].extra["fps"] == 30 and outputs[0].extra["cuts"] == []


def test_params_are_translated(tmp_path: Path) -> None:
    img = _image(tmp_path)
    mask = _png(tmp_path / "m0.png", np.full((106, 160), 255, np.uint8))
    ctx = _ctx(
        tmp_path,
        {"image": img, "dynamic_mask_0": mask, "static_mask": mask},
        prompt="wind",
        negative_prompt="snow",
        cfg_scale=0.8,
        mode="pro",
        duration="5",  # the motion brush is a 5 s feature (contract/capabilities.py)
        dynamic_masks=[{"trajectories": [{"x": 10, "y": 20}, {"x": 30, "y": 40}]}],
    )
    opts = options_from_context(ctx)
    assert opts.mode == "pro" and opts.duration_s == 5 and opts.cfg_scale == 0.8
    assert opts.dynamic_masks[0].trajectory == ((10.0, 20.0), (30.0, 40.0))
    assert opts.static_mask == mask and opts.seed == 3


def test_duration_is_the_validated_one(tmp_path: Path) -> None:
    """No second duration rule here: what the limits in force accepted is what is rendered."""
    img = {"image": _image(tmp_path)}
    v3 = {"model_name": "kling-v3"}  # the model with 3..15 s; kling-v1 makes 5 or 10
    assert options_from_context(_ctx(tmp_path, img, duration="3", **v3)).duration_s == 3
    raised = build_limits("kling", overrides={"i2v_duration_max_s": 20})
    assert options_from_context(_ctx(tmp_path, img, raised, duration="20", **v3)).duration_s == 20
    assert options_from_context(_ctx(tmp_path, img, duration=None)).duration_s == 5


def test_tail_only_is_allowed(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"image_tail": _image(tmp_path)}, duration="3", model_name="kling-v3")
    assert execute(ctx)[0].duration_s == pytest.approx(3.0)


def test_mask_aspect_mismatch_fails_the_task(tmp_path: Path) -> None:
    mask = _png(tmp_path / "m.png", np.full((200, 200), 255, np.uint8))
    ctx = _ctx(tmp_path, {"image": _image(tmp_path), "static_mask": mask})
    with pytest.raises(EngineInputError, match="aspect ratio"):
        execute(ctx)


def test_missing_inputs_and_bad_camera(tmp_path: Path) -> None:
    with pytest.raises(EngineInputError, match="image"):  # a row whose image blob is missing
        execute(_ctx(tmp_path, {}, image="input:image"))
    # A bad camera never reaches the executor: the request model rejects it when the row is read.
    with pytest.raises(StoredRequestError, match=r"camera_control\.config: exactly one"):
        _ctx(
            tmp_path,
            {"image": _image(tmp_path)},
            camera_control={"type": "simple", "config": {"zoom": 2, "pan": 3}},
        )
    with pytest.raises(EngineInputError, match=r"dynamic_masks\[0\]\.mask"):
        execute(
            _ctx(
                tmp_path,
                {"image": _image(tmp_path)},
                dynamic_masks=[
                    {"mask": "input:dynamic_mask_0", "trajectories": [{"x": 1, "y": 1}, {"x": 2, "y": 2}]}
                ],
            )
        )


@pytest.mark.parametrize(
    ("model", "mode", "short", "fps"),
    [
        ("kling-v1", "pro", 720, 30),
        ("kling-v1-6", "pro", 1080, 30),
        ("kling-v1-6", "std", 720, 30),
        ("kling-v2-master", "pro", 720, 24),
        ("kling-v2-1", "pro", 1080, 24),
        ("kling-v2-5-turbo", "std", 720, 24),
        ("kling-v3", "pro", 1080, 24),
    ],
)
def test_the_model_and_mode_set_the_output_size_and_rate(
    tmp_path: Path, model: str, mode: str, short: int, fps: int
) -> None:
    opts = options_from_context(_ctx(tmp_path, {"image": _image(tmp_path)}, model_name=model, mode=mode))
    assert (opts.short_side, opts.fps) == (short, fps)


def test_customize_shots_follow_the_index_order(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {"image": _image(tmp_path)},
        model_name="kling-v3",
        duration="6",
        prompt="ignored when the shots are given",
        multi_shot=True,
        shot_type="customize",
        multi_prompt=[
            {"index": 2, "prompt": "pan left", "duration": "4"},
            {"index": 1, "prompt": "zoom in", "duration": "2"},
        ],
    )
    shots = options_from_context(ctx).shots
    assert [(s.prompt, s.duration_s) for s in shots] == [("zoom in", 2.0), ("pan left", 4.0)]


def test_intelligence_cuts_the_prompt(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {"image": _image(tmp_path)},
        model_name="kling-v3",
        duration="6",
        prompt="Slow zoom in on the cat. Then pan left across the room",
        multi_shot=True,
        shot_type="intelligence",
    )
    shots = options_from_context(ctx).shots
    assert [(s.prompt, s.duration_s) for s in shots] == [
        ("Slow zoom in on the cat", 3.0),
        ("pan left across the room", 3.0),
    ]
    assert options_from_context(_ctx(tmp_path, {"image": _image(tmp_path)})).shots == ()
