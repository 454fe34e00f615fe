"""Executor for the ``avatar`` kind (``POST …/videos/avatar/image2video``): → :func:`render_avatar`.

It only translates: the validated request (``prompt``, ``mode``) and the local input files (``image``,
``audio`` and, when the audio came from our TTS, the ``phones`` JSON with exact IPA timings) into engine
options, and names the one video it produced. Input problems surface as :class:`EngineInputError` from the
engine. The speech track is decoded at most up to the server's ``avatar_audio_max_s`` (plus codec slack): a
longer one fails the task before any frame is rendered.
"""

from __future__ import annotations

import json
import logging

from kinema.contract.requests import AvatarCreate
from kinema.contract.vocabulary import Mode
from kinema.engines.avatar import AvatarOptions, render_avatar, warm_up
from kinema.engines.base import EngineInputError
from kinema.jobs.executors.base import JobContext, OutputFile, duration_cap
from kinema.observe import metrics

log = logging.getLogger(__name__)
TIMINGS_LOG = "avatar stage timings"
"""Marker of the log line with the engine's stage timings (read back by bench/avatar_speed.py)."""


def execute(ctx: JobContext[AvatarCreate]) -> list[OutputFile]:
    """Render the talking avatar for one task; returns a single ``video`` output."""
    image = ctx.inputs.get("image")
    audio = ctx.inputs.get("audio")
    if image is None:
        raise EngineInputError("image: a portrait image is required")
    if audio is None:
        raise EngineInputError("audio: a speech track (sound_file or audio_id) is required")
    req = ctx.request
    options = AvatarOptions(
        mode=Mode(req.mode or Mode.STD),
        prompt=req.prompt or None,
        seed=ctx.seed,
        phones_path=ctx.inputs.get("phones"),
        max_audio_s=duration_cap(ctx.limits.avatar_audio_max_s, ctx.limits),
    )
    out = ctx.workdir / "avatar.mp4"
    result = render_avatar(image, audio, out, options, ctx.progress)
    for stage, seconds in result.timings.items():  # face_s, speech_s, render_encode_s (total_s: "engine")
        if stage != "total_s":
            metrics.stage_time(ctx.kind, stage.removesuffix("_s"), seconds)
    log.info("task %s %s %s", ctx.task_id, TIMINGS_LOG, json.dumps(
        {"speech_source": result.speech_source, "frames": result.frames, **result.timings}))
    return [
        OutputFile(
            role="video",
            path=result.path,
            duration_s=result.duration_s,
            extra={"width": result.width, "height": result.height, "speech_source": result.speech_source},
        )
    ]


__all__ = ["TIMINGS_LOG", "execute", "warm_up"]
