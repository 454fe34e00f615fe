"""Which engine runs a request: a generative model configured for its ``model_name``, or the CPU engine.

This module is the one place that decides. ``KINEMA_MODELS`` (``settings.models``) maps Kling model names to
local Diffusers folders (:mod:`kinema.engines.generative.catalog`); a request whose ``model_name`` has a
folder for its kind runs on that pipeline, every other request on the kind's built-in executor, unchanged.

A video extension runs on the image-to-video folder of its model (:data:`PIPELINE_KIND`), continuing from
the parent's last frame; ``sound: "on"`` is honoured by chaining the video-to-audio engine, as the CPU
image-to-video engine does.

A request may ask for something the generative pipeline cannot do (motion brush, camera control,
multi-shot, elements, voices; a last frame on a model that ignores it). It is never silently dropped:

* at create, :func:`admit` rejects it with 1201 naming the field (``KINEMA_GENERATIVE_UNSUPPORTED=reject``,
  the default), or lets it through to the CPU engine (``cpu``), which honours masks and camera moves;
* at run time, :func:`routed` sends such a request to the CPU engine.

Text to video has no CPU engine: without a folder for the requested model a create is answered 1203, naming
the model (docs/gpu.md).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

from PIL import Image

from kinema.contract.errors import Code, KlingError, invalid
from kinema.engines.base import EngineInputError, ProgressFn
from kinema.engines.generative import loader, mapping, wan
from kinema.engines.generative.catalog import Catalog, ModelEntry, parse_models, served_kinds
from kinema.engines.video_extend import extend_video
from kinema.jobs.executors.base import Executor, JobContext, OutputFile
from kinema.jobs.executors.image2video import RENDER_SHARE, add_sound
from kinema.jobs.executors.video_extend import extend_options, output
from kinema.settings import Settings

TEXT2VIDEO = "text2video"
VIDEO_EXTEND = "video_extend"
#: Kinds run on another kind's pipeline: an extension continues from the last frame on image to video's.
PIPELINE_KIND: dict[str, str] = {VIDEO_EXTEND: "image2video"}
#: (request attribute, how it counts as used) → the wire field named in a rejection, per kind.
_CONTROLS: dict[str, tuple[tuple[str, str], ...]] = {
    "image2video": (
        ("static_mask", "static_mask"),
        ("dynamic_masks", "dynamic_masks"),
        ("camera_control", "camera_control"),
        ("multi_shot", "multi_shot"),
        ("element_list", "element_list"),
        ("voice_list", "voice_list"),
    ),
    TEXT2VIDEO: (("camera_control", "camera_control"), ("multi_shot", "multi_shot")),
}


@lru_cache(maxsize=4)
def _parse(models_json: str) -> Catalog:
    return parse_models(json.loads(models_json))


def catalog(settings: Settings) -> Catalog:
    """The checked ``KINEMA_MODELS`` of ``settings``, parsed once per process (raises ModelConfigError)."""
    return _parse(json.dumps(settings.models, sort_keys=True))


def unhonoured(kind: str, request: Any, entry: ModelEntry) -> list[str]:
    """The request fields ``entry``'s pipeline cannot honour (empty: it can run the request as asked).
    ``sound: "on"`` is honoured: the clip is scored by the video-to-audio engine (:func:`execute`)."""
    used = [wire for attr, wire in _CONTROLS.get(kind, ()) if getattr(request, attr, None)]
    if kind == "image2video" and getattr(request, "image_tail", None) and not entry.last_image:
        used.append("image_tail")
    return used


def admit(kind: str, request: Any, settings: Settings) -> None:
    """Create-time check: 1203 for a text-to-video model no folder serves, 1201 for an unhonoured control."""
    name = str(getattr(request, "model_name", "") or "")
    entry = catalog(settings).find(name, kind) if name else None
    if kind == TEXT2VIDEO and entry is None:
        raise KlingError(
            Code.NOT_FOUND,
            f"model {name!r}: no engine serves text2video with this model on this server "
            "(a text-to-video pipeline is configured in KINEMA_MODELS; docs/gpu.md)",
        )
    if entry is None:
        return
    fields = unhonoured(kind, request, entry)
    if fields and (kind == TEXT2VIDEO or settings.generative_unsupported == "reject"):
        raise invalid(
            fields[0],
            f"is not honoured by the generative engine serving {name} ({entry.pipeline}); "
            "leave it out, or ask the operator to route such requests to the CPU engine "
            "(KINEMA_GENERATIVE_UNSUPPORTED=cpu)",
        )


def entry_for(kind: str, request: Any, settings: Settings) -> ModelEntry | None:
    """The folder whose pipeline runs this request as asked, or ``None`` (then the CPU engine runs it, or,
    for text to video, nothing: :func:`admit` answered 1203). The one routing test: the create's lane
    (:mod:`kinema.jobs.lanes`) and the worker's choice (:func:`routed`) both ask it."""
    name = str(getattr(request, "model_name", "") or "")
    entry = catalog(settings).find(name, PIPELINE_KIND.get(kind, kind)) if name else None
    if entry is None or unhonoured(kind, request, entry):
        return None
    return entry


def routed(kind: str, settings: Settings, fallback: Executor) -> Executor:
    """``fallback`` itself when no folder serves ``kind``; else an executor choosing per request."""
    if PIPELINE_KIND.get(kind, kind) not in served_kinds(catalog(settings).entries):
        return fallback

    def run(ctx: JobContext[Any]) -> list[OutputFile]:
        entry = entry_for(kind, ctx.request, settings)
        if entry is None:
            return fallback(ctx)
        return execute(ctx, entry)

    return run


def unserved(ctx: JobContext[Any]) -> list[OutputFile]:
    """Text to video when no folder serves the model (the configuration changed after the create)."""
    name = getattr(ctx.request, "model_name", "")
    raise EngineInputError(f"model {name!r}: no engine serves {ctx.kind} with this model on this server")


def options(ctx: JobContext[Any], entry: ModelEntry, multiple: int, temporal: int) -> wan.GenOptions:
    """The request in pipeline terms (mapping.py holds every number; docs/gpu.md the tables)."""
    req = ctx.request
    image, tail = ctx.inputs.get("image"), ctx.inputs.get("image_tail")
    mode, duration = str(req.mode or "std"), int(req.duration or "5")
    first = image or tail
    aspect = wan.aspect_of(first) if first is not None else mapping.ASPECTS[req.aspect_ratio or "16:9"]
    width, height = mapping.frame_size(aspect, mode, entry.width, entry.height, multiple)
    if first is None:
        plan = mapping.single_call(duration, entry.fps, temporal)
    else:
        plan = mapping.segments(duration, entry.fps, entry.num_frames, temporal)
    return wan.GenOptions(
        prompt=req.prompt or "",
        negative_prompt=req.negative_prompt or "",
        guidance=mapping.guidance(req.cfg_scale),
        steps=mapping.steps(mode, entry.steps),
        width=width,
        height=height,
        fps=entry.fps,
        plan=plan,
        seed=ctx.seed,
        image=first,
        last_image=tail if image is not None else None,
        reverse=image is None and tail is not None,
    )


def execute(ctx: JobContext[Any], entry: ModelEntry) -> list[OutputFile]:
    """Run one task on ``entry``'s pipeline (torch and diffusers are first imported by the loader)."""
    pipe = loader.load(entry)
    if ctx.kind == VIDEO_EXTEND:
        return _extend(ctx, entry, pipe)
    opts = options(ctx, entry, *wan.geometry(pipe))
    sound = getattr(ctx.request, "sound", None) == "on"
    share = RENDER_SHARE if sound else 1.0
    silent = ctx.workdir / (f"{ctx.kind}_silent.mp4" if sound else f"{ctx.kind}.mp4")
    result = wan.generate(pipe, opts, silent, lambda f: ctx.progress(share * f))
    extra: dict[str, Any] = {
        "width": result.width,
        "height": result.height,
        "fps": result.fps,
        "frames": result.frames,
        "engine": entry.pipeline,
    }
    path = result.path
    if sound:  # chained like the CPU engine's: the video-to-audio engine scores the generated clip
        path, extra["sound"] = add_sound(ctx, result.path, opts.prompt, result.duration_s, share)
    return [OutputFile(role="video", path=path, duration_s=result.duration_s, extra=extra)]


def _extend(ctx: JobContext[Any], entry: ModelEntry, pipe: Any) -> list[OutputFile]:
    """A video extension whose new seconds the image-to-video pipeline generates from the parent's last
    frame (the CPU extension engine copies the parent, measures the seam and keeps the sound). The clip is
    generated at the parent's aspect on the model's area (``mode``: size and steps) and fps, then placed at
    the parent's size and frame rate (:func:`wan.resampled`)."""
    multiple, temporal = wan.geometry(pipe)
    req = ctx.request
    mode = str(req.mode or "std")
    video, ext = extend_options(ctx)

    def generate(
        last: Any, width: int, height: int, fps: float, frames: int, sink: Any, progress: ProgressFn
    ) -> None:
        still = ctx.workdir / "extend_from.png"
        Image.fromarray(last).save(still)
        gen_w, gen_h = mapping.frame_size(width / height, mode, entry.width, entry.height, multiple)
        keep = math.ceil((frames - 1) / fps * entry.fps) + 1  # the last frame, then the new seconds
        opts = wan.GenOptions(
            prompt=ext.prompt,
            negative_prompt=ext.negative_prompt,
            guidance=mapping.guidance(ext.cfg_scale),
            steps=mapping.steps(mode, entry.steps),
            width=gen_w,
            height=gen_h,
            fps=entry.fps,
            plan=mapping.segments(keep / entry.fps, entry.fps, entry.num_frames, temporal),
            seed=ctx.seed,
            image=still,
        )
        stream = wan.frames(pipe, opts, progress)
        for frame in wan.resampled(stream, entry.fps, fps, frames, width, height):
            sink(frame)

    result = extend_video(video, ctx.workdir / "video_extend.mp4", ext, ctx.progress, continuation=generate)
    return output(result, engine=entry.pipeline, model_name=entry.model_name)
