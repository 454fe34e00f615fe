"""A test-only executor plug-in: pretends to render for a while, reporting progress, and can misbehave.

Its script is a JSON object in the request's ``prompt`` (a task row holds a real, valid request, so the
knobs ride in a free-text field; :func:`slow_params` builds such a row): ``seconds`` (total run time),
``steps`` (progress calls), ``mode``: ``ok`` | ``input_error`` (EngineInputError) | ``crash``
(RuntimeError every time) | ``crash_once`` (first attempt only; needs ``marker``, a file path) | ``suicide``
(SIGKILLs its own worker process) | ``no_progress`` (sleeps without calling progress) | ``disk_full`` (an
encoder's write meets ENOSPC, raised from inside another exception as engines do). ``marker`` also
records each start as a line; ``duration`` and ``audio`` shape the outputs.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from kinema.engines.base import EngineInputError
from kinema.jobs.executors.base import JobContext, OutputFile


def slow_params(**knobs: Any) -> dict[str, Any]:
    """The stored request of an avatar task that runs this executor with ``knobs``."""
    return {"image": "input:image", "audio_id": "1", "prompt": json.dumps(knobs)}


def _knobs(ctx: JobContext[Any]) -> dict[str, Any]:
    prompt = getattr(ctx.request, "prompt", None) or ""
    knobs = json.loads(prompt) if prompt.startswith("{") else {}
    return knobs if isinstance(knobs, dict) else {}


def execute(ctx: JobContext[Any]) -> list[OutputFile]:
    params = _knobs(ctx)
    mode = params.get("mode", "ok")
    seconds = float(params.get("seconds", 1.0))
    steps = int(params.get("steps", 20))
    marker = params.get("marker")
    starts = 0
    if marker:
        path = Path(marker)
        with path.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        starts = len(path.read_text().splitlines())
    if mode == "input_error":
        raise EngineInputError("image: no face found in the picture")
    if mode == "suicide":
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "disk_full":
        (ctx.workdir / "partial.mp4").write_bytes(b"half a video")
        try:
            raise OSError(errno.ENOSPC, "No space left on device", str(ctx.workdir / "partial.mp4"))
        except OSError as exc:
            raise RuntimeError("could not write the video") from exc
    if mode == "crash" or (mode == "crash_once" and starts <= 1):
        raise RuntimeError("engine exploded")
    if mode == "no_progress":
        time.sleep(seconds)
    else:
        for i in range(steps):
            time.sleep(seconds / steps)
            ctx.progress((i + 1) / steps)
    sizes = {name: p.stat().st_size for name, p in ctx.inputs.items()}
    out = ctx.workdir / "out.mp4"
    out.write_bytes(b"fake-mp4:" + repr(sorted(sizes.items())).encode())
    outputs = [OutputFile(role="video", path=out, duration_s=float(params.get("duration", 5.04)))]
    if params.get("audio"):
        mp3 = ctx.workdir / "a.mp3"
        wav = ctx.workdir / "a.wav"
        mp3.write_bytes(b"mp3")
        wav.write_bytes(b"wav")
        outputs += [
            OutputFile(role="audio_mp3", path=mp3, duration_s=5.0),
            OutputFile(role="audio_wav", path=wav, duration_s=5.0),
        ]
    return outputs
