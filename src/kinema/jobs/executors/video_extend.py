"""Executor for the ``video_extend`` kind (``POST …/videos/video-extend``): → :func:`extend_video`.

The parent is the ``video`` input (the blob behind ``video_id``, found in the caller's account at create
time). An extension adds 5 s, or less (never under 4 s) where 5 would take the whole past
``extend_total_max_s``; the engine stops decoding a parent longer than the limit allows (the create checked
its recorded length; this bounds what the file really holds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kinema.contract.requests import VideoExtendCreate
from kinema.contract.requests.video_extend import EXTEND_MAX_S, EXTEND_MIN_S
from kinema.engines.base import EngineInputError
from kinema.engines.video_extend import ExtendOptions, ExtendResult, extend_video
from kinema.jobs.executors.base import JobContext, OutputFile, duration_cap
from kinema.media.audio_io import media_duration


def added_seconds(parent_s: float, total_max_s: float) -> float:
    """How long the continuation lasts: 5 s, or what is left up to the total, but at least 4 s."""
    return max(EXTEND_MIN_S, min(EXTEND_MAX_S, total_max_s - parent_s))


def extend_options(ctx: JobContext[VideoExtendCreate]) -> tuple[Path, ExtendOptions]:
    """(the parent video, what to add); the generative extension (executors/generative.py) shares it."""
    video = ctx.inputs.get("video")
    if video is None:
        raise EngineInputError("video_id: the video to extend is missing")
    req, limits = ctx.request, ctx.limits
    parent_max = limits.extend_total_max_s - EXTEND_MIN_S
    options = ExtendOptions(
        prompt=req.prompt or "",
        negative_prompt=req.negative_prompt or "",
        cfg_scale=req.cfg_scale,
        seconds=added_seconds(media_duration(video), limits.extend_total_max_s),
        seed=ctx.seed,
        max_parent_s=duration_cap(parent_max, limits),
    )
    return video, options


def output(result: ExtendResult, **extra: Any) -> list[OutputFile]:
    """The whole extended video as the single ``video`` output, with how it was made."""
    return [
        OutputFile(
            role="video",
            path=result.path,
            duration_s=result.duration_s,
            extra={
                "width": result.width,
                "height": result.height,
                "parent_frames": result.parent_frames,
                "added_frames": result.added_frames,
                "audio": result.audio,
                "camera": result.camera,
                "motions": result.motions,
                **result.seam,
                **extra,
            },
        )
    ]


def execute(ctx: JobContext[VideoExtendCreate]) -> list[OutputFile]:
    """Extend one video; returns the whole extended video as the single ``video`` output."""
    video, options = extend_options(ctx)
    return output(extend_video(video, ctx.workdir / "video_extend.mp4", options, ctx.progress))
