"""Avatar executor: the typed request + input files → one video output; bad inputs → EngineInputError."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from skimage import data

from kinema.contract.limits import Limits, build_limits
from kinema.contract.stored import request_from_row
from kinema.engines.base import EngineInputError, no_progress
from kinema.jobs.executors.avatar import execute
from kinema.jobs.executors.base import JobContext
from kinema.media.audio_io import write_wav


def _inputs(tmp: Path) -> dict[str, Path]:
    img = tmp / "face.png"
    Image.fromarray(data.astronaut()).resize((256, 256)).save(img)
    sr = 16000
    t = np.arange(int(1.2 * sr)) / sr
    tone = (0.2 * np.sin(2 * np.pi * 150 * t) * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.float32)
    wav = tmp / "a.wav"
    write_wav(tone, sr, wav)
    phones = tmp / "p.json"
    phones.write_text(json.dumps({"alphabet": "ipa", "phones": [
        {"p": "m", "start": 0.0, "end": 0.1}, {"p": "ɑ", "start": 0.1, "end": 0.4},
        {"p": "b", "start": 0.4, "end": 0.5}, {"p": "i", "start": 0.5, "end": 0.9}]}), encoding="utf-8")
    return {"image": img, "audio": wav, "phones": phones}


def _ctx(tmp: Path, inputs: dict[str, Path], **fields: object) -> JobContext:
    """The context a worker builds for a task row holding these request fields (media from ``inputs``)."""
    stored = {"prompt": None, "mode": "std", **fields}
    request = request_from_row("avatar", stored, {k: str(v) for k, v in inputs.items()}, Limits())
    return JobContext(task_id="t1", kind="avatar", request=request,
                      inputs=inputs, workdir=tmp, progress=no_progress, seed=1)


def test_execute_returns_one_video(tmp_path: Path) -> None:
    outs = execute(_ctx(tmp_path, _inputs(tmp_path), prompt="smile, nod"))
    assert len(outs) == 1 and outs[0].role == "video" and outs[0].path.exists()
    assert abs(outs[0].duration_s - 1.2) <= 0.04
    with av.open(str(outs[0].path)) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        assert c.streams.audio[0].codec_context.name == "aac"
        assert (c.streams.video[0].width, c.streams.video[0].height) == (256, 256)


def test_execute_input_errors(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((200, 300, 3), 128, np.uint8)).save(blank)
    with pytest.raises(EngineInputError, match="no face"):
        execute(_ctx(tmp_path, {**inputs, "image": blank}))
    with pytest.raises(EngineInputError, match="audio"):  # an audio_id whose blob is not in the row
        execute(_ctx(tmp_path, {"image": inputs["image"]}, audio_id="7"))


def test_audio_past_the_limit_fails_before_any_frame(tmp_path: Path) -> None:
    """Issue 13: a 400 s track let in as 10 s was rendered whole; the worker now stops at its own limit."""
    inputs = _inputs(tmp_path)
    long_wav = tmp_path / "long.wav"
    write_wav(np.zeros(16000 * 6, np.float32), 16000, long_wav)
    seen: list[float] = []
    limits = build_limits("kling", overrides={"avatar_audio_max_s": 2})  # + tolerance + 1 s codec slack
    base = _ctx(tmp_path, {**inputs, "audio": long_wav})
    ctx = JobContext(**{**base.__dict__, "progress": seen.append, "limits": limits})
    with pytest.raises(EngineInputError, match=r"^audio: longer than 3 s$"):
        execute(ctx)
    assert max(seen) < 0.02  # failed in the speech stage: no frame was rendered
    ok = JobContext(**{**ctx.__dict__, "inputs": inputs})
    assert execute(ok)[0].duration_s == pytest.approx(1.2, abs=0.04)  # within the limit: renders
