"""Video-extension executor: the typed request + the parent video → the whole extended video, 5 s longer
(or less, never under 4 s, where the total would pass its limit); the prompt reaches the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kinema.contract.limits import Limits, build_limits
from kinema.contract.stored import request_from_row
from kinema.engines.base import EngineInputError, no_progress
from kinema.jobs.executors.base import JobContext
from kinema.jobs.executors.video_extend import added_seconds, execute
from tests.engines.video_to_audio.synth_clips import side_mover


def _ctx(tmp: Path, inputs: dict[str, Path], limits: Limits | None = None, **fields: Any) -> JobContext:
    body = {"video_id": "914919190112902203", **fields}
    request = request_from_row("video_extend", body, {k: str(v) for k, v in inputs.items()}, Limits())
    return JobContext(
        task_id="t1",
        kind="video_extend",
        request=request,
        inputs=inputs,
        workdir=tmp,
        progress=no_progress,
        seed=1,
        limits=limits or Limits(),
    )


@pytest.mark.parametrize(
    ("parent", "total", "added"),
    [(5.0, 180.0, 5.0), (175.5, 180.0, 4.5), (176.0, 180.0, 4.0), (3.0, 8.0, 5.0)],
)
def test_added_seconds(parent: float, total: float, added: float) -> None:
    assert added_seconds(parent, total) == added


def test_one_video_the_parent_plus_five_seconds(tmp_path: Path) -> None:
    clip = side_mover(tmp_path / "in.mp4", "right", size=(160, 96))
    (out,) = execute(_ctx(tmp_path, {"video": clip.path}, prompt="tilt up", cfg_scale=0.8))
    assert out.role == "video" and out.path.is_file()
    assert out.duration_s == pytest.approx(clip.duration + 5.0, abs=1e-6)
    assert out.extra["camera"] == "prompt" and out.extra["audio"] == "none"
    assert (out.extra["width"], out.extra["height"]) == (160, 96)


def test_a_parent_longer_than_the_limit_fails_the_task(tmp_path: Path) -> None:
    clip = side_mover(tmp_path / "in.mp4", "right", size=(160, 96))  # a few seconds
    tight = build_limits("kling", overrides={"extend_total_max_s": 5.0})  # parents up to 1 s (+ slack)
    with pytest.raises(EngineInputError, match="video: too long to extend"):
        execute(_ctx(tmp_path, {"video": clip.path}, tight))
