"""Video-to-audio executor: the typed request + the video → one audio (mp3 + wav, group 0) and a video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kinema.contract.limits import Limits, build_limits
from kinema.contract.stored import request_from_row
from kinema.engines.base import EngineInputError, no_progress
from kinema.jobs.executors.base import JobContext
from kinema.jobs.executors.video_to_audio import execute
from tests.engines.video_to_audio.synth_clips import side_mover


def _ctx(tmp: Path, inputs: dict[str, Path], limits: Limits | None = None, **fields: Any) -> JobContext:
    request = request_from_row("video_to_audio", fields, {k: str(v) for k, v in inputs.items()}, Limits())
    return JobContext(
        task_id="t1",
        kind="video_to_audio",
        request=request,
        inputs=inputs,
        workdir=tmp,
        progress=no_progress,
        seed=1,
        limits=limits or Limits(),
    )


def test_outputs_roles_and_params(tmp_path: Path) -> None:
    clip = side_mover(tmp_path / "in.mp4", "right", size=(160, 96))
    params = {
        "sound_effect_prompt": "footsteps",
        "bgm_prompt": "jazz",
        "asmr_mode": True,
        "video_url": "input:video",
    }
    outputs = execute(_ctx(tmp_path, {"video": clip.path}, **params))
    roles = [(o.role, o.group) for o in outputs]
    assert roles == [("audio_mp3", 0), ("audio_wav", 0), ("video", 0)]
    for o in outputs:
        assert o.path.is_file() and o.path.stat().st_size > 1000
        assert abs(o.duration_s - clip.duration) < 0.1
    wav = outputs[1]
    assert wav.extra["impact"] == "footstep" and wav.extra["music"] == "jazz"
    assert abs(wav.extra["lufs"] + 16) <= 1.0 and wav.extra["true_peak_db"] <= -1.0


def test_missing_video_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(EngineInputError):
        execute(_ctx(tmp_path, {}, video_id="9"))  # a video_id whose blob is not in the row


def test_a_video_past_the_limit_fails_while_decoding(tmp_path: Path) -> None:
    """Issue 13: the engine used to process a whole 60 s video that was let in as 10 s."""
    clip = side_mover(tmp_path / "in.mp4", "right", size=(160, 96), seconds=6.0)
    seen: list[float] = []
    limits = build_limits("kling", overrides={"v2a_video_max_s": 2})  # + tolerance + 1 s codec slack
    ctx = _ctx(tmp_path, {"video": clip.path}, limits)
    ctx = JobContext(**{**ctx.__dict__, "progress": seen.append})
    with pytest.raises(EngineInputError, match=r"^video: longer than 3 s$"):
        execute(ctx)
    assert max(seen) < 0.5 * 3.1 / 6  # analysis is half the job; it stopped near 3 s of 6
    assert not (tmp_path / "v2a" / "v2a.wav").exists()
