"""The runner's watermark step: a marked copy of every result video when the request asks for one.

It runs after the executor, for every kind whose row in the kind table has ``watermark=True``, so no
executor knows about watermarks and a new video kind gets them by setting that flag. Each ``video`` output
gets its copy as the extra file ``watermark``: the runner stores it next to the video (same account/task
folder, same retention, swept with the video's asset) and ``build_result`` puts its key into the video's
``task_result`` entry, which the task object turns into a signed ``watermark_url``. A video that comes with
its copy already (the gateway archived the upstream's ``watermark_url``) keeps it: never a second mark.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kinema.contract.kinds import spec_for
from kinema.jobs.executors.base import JobContext, OutputFile
from kinema.media.watermark import WatermarkStyle, watermark_video
from kinema.settings import Settings

#: The extra of a video output (and of its asset) that holds the watermarked copy.
WATERMARK_EXTRA = "watermark"
#: The fraction of the job reported while the copies are made (the executor has reported its own work).
_COPY_PROGRESS = 0.99


def watermark_style(settings: Settings) -> WatermarkStyle:
    """The mark configured by the ``KINEMA_WATERMARK_*`` settings."""
    return WatermarkStyle(
        text=settings.watermark_text,
        image=settings.watermark_image,
        corner=settings.watermark_corner,
        size=settings.watermark_size,
        opacity=settings.watermark_opacity,
        margin=settings.watermark_margin,
    )


def wants_watermark(kind: str, request: Any) -> bool:
    """The kind has watermarked copies and the request has ``watermark_info.enabled`` true."""
    info = getattr(request, "watermark_info", None)
    return spec_for(kind).watermark and bool(getattr(info, "enabled", False))


def add_watermarked_copies(
    ctx: JobContext[Any], outputs: list[OutputFile], settings: Settings
) -> list[OutputFile]:
    """``outputs`` with a ``watermark`` extra on each video when the task asked for it; else unchanged.

    The progress callback is called per frame, so a cancel or a lost lease still stops the job here.
    """
    if not wants_watermark(ctx.kind, ctx.request):
        return outputs
    style = watermark_style(settings)
    marked: list[OutputFile] = []
    for i, out in enumerate(outputs):
        if out.role == "video" and WATERMARK_EXTRA not in out.extra:  # an upstream's own copy is kept
            dest = ctx.workdir / f"watermark-{i}.mp4"
            watermark_video(out.path, dest, style, on_frame=lambda: ctx.progress(_COPY_PROGRESS))
            out = replace(out, extra={**out.extra, WATERMARK_EXTRA: dest})
        marked.append(out)
    return marked
