"""The Kling → pipeline number mappings (docs/gpu.md tables)."""

from __future__ import annotations

import pytest

from kinema.engines.generative import mapping
from kinema.engines.generative.wan import dropped


def test_guidance_mapping_is_linear_from_cfg_off() -> None:
    assert mapping.guidance(0.0) == 1.0  # guidance 1 = classifier-free guidance off
    assert mapping.guidance(None) == mapping.guidance(0.5) == 3.5  # Kling's default → Wan2.2's default
    assert mapping.guidance(1.0) == 6.0


def test_mode_sets_steps_and_area() -> None:
    assert mapping.steps("pro", 40) == 40 and mapping.steps("std", 40) == 30
    assert mapping.steps("std", 1) == 1
    assert mapping.frame_size(832 / 480, "std", 832, 480) == (832, 480)
    assert mapping.frame_size(1280 / 720, "pro", 832, 480) == (1264, 704)  # 1248x720 area at 16:9, x16
    w, h = mapping.frame_size(9 / 16, "std", 832, 480)
    assert w < h and w % 16 == 0 and h % 16 == 0
    assert abs(w * h - 832 * 480) / (832 * 480) < 0.05


@pytest.mark.parametrize(
    ("seconds", "fps", "native", "calls", "per_call"),
    [
        (5, 16, 81, 1, 81),  # Wan's native clip: 80 frames kept of 81
        (10, 16, 81, 2, 81),  # two calls of 81, 161 frames → 160 kept
        (3, 16, 81, 1, 49),  # shorter than native: one shorter call
        (15, 16, 81, 3, 81),
        (5, 2, 13, 1, 13),
        (10, 2, 13, 2, 13),
    ],
)
def test_duration_plans(seconds: int, fps: int, native: int, calls: int, per_call: int) -> None:
    plan = mapping.segments(seconds, fps, native)
    assert (plan.calls, plan.frames_per_call, plan.keep) == (calls, per_call, seconds * fps)
    total = plan.calls * (plan.frames_per_call - 1) + 1
    skip = dropped(plan)
    assert total - len(skip) == plan.keep and 0 not in skip and total - 1 not in skip


def test_text_to_video_is_one_call() -> None:
    plan = mapping.single_call(10, 16)
    assert (plan.calls, plan.frames_per_call, plan.keep) == (1, 161, 160)
    assert mapping.model_frames(80) == 81 and mapping.model_frames(81) == 81 and mapping.model_frames(1) == 5
