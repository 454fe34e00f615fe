"""Executor for the ``image2video`` kind (``POST …/videos/image2video``): → :func:`render_image_to_video`.

It only translates the validated request (string durations, camera object, mask trajectories; mask files
named ``dynamic_mask_<i>`` by the kind table; ``multi_shot`` shots; the model's and mode's output size and
frame rate from the contract's capability table) into :class:`I2VOptions` and names the one video produced.
The request's rules were checked at create time under the limits in force, so nothing is re-checked here.
Anything the engine cannot render (mask aspect mismatch, unreadable image) surfaces as
:class:`EngineInputError`, which fails the task with that message, as upstream does.

``sound: "on"`` (allowed where contract/capabilities.py says so) makes the clip carry its own soundtrack, as
native-audio models do: the silent render is scored by the video-to-audio engine from its picture and the
prompt's sound words (:func:`~kinema.engines.video_to_audio.native.add_native_audio`) and the scored MP4
is the one video; ``duration`` is the render's, which the soundtrack matches exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kinema.contract.capabilities import output_format
from kinema.contract.requests import CAMERA_AXES, Image2VideoCreate
from kinema.contract.requests import CameraControl as WireCamera
from kinema.contract.requests import DynamicMask as WireMask
from kinema.contract.vocabulary import Mode
from kinema.engines.base import EngineInputError
from kinema.engines.image2video import (
    CameraControl,
    DynamicMask,
    I2VOptions,
    Shot,
    intelligent_shots,
    render_image_to_video,
)
from kinema.engines.video_to_audio.native import NativeAudio, add_native_audio
from kinema.jobs.executors.base import JobContext, OutputFile, duration_cap

#: With ``sound: "on"`` the render reports 0..85 % and the soundtrack the rest (bench/i2v_sound_bench.py: the
#: sound adds ≈ 0.2× a pro 1080p render's time, ≈ 0.5× a std 720p one's; docs/image2video.md, "Sound").
RENDER_SHARE = 0.85


def camera_options(camera: WireCamera | None) -> CameraControl | None:
    """``camera_control`` → the engine's camera; only the axes the client set are passed on."""
    if camera is None or camera.type is None:
        return None
    config = camera.config
    if config is None:
        return CameraControl(type=camera.type)
    axes = {axis: float(value) for axis in CAMERA_AXES if (value := getattr(config, axis)) is not None}
    return CameraControl(type=camera.type, config=axes)


def brush_options(masks: list[WireMask] | None, inputs: dict[str, Path]) -> tuple[DynamicMask, ...]:
    """``dynamic_masks`` → mask files (``dynamic_mask_<i>``) with their trajectories."""
    out = []
    for i, group in enumerate(masks or []):
        mask = inputs.get(f"dynamic_mask_{i}")
        if mask is None:
            raise EngineInputError(f"dynamic_masks[{i}].mask: the mask image is missing")
        points = tuple((float(p.x), float(p.y)) for p in group.trajectories or [])
        out.append(DynamicMask(mask=mask, trajectory=points))
    return tuple(out)


def shot_options(req: Image2VideoCreate) -> tuple[Shot, ...]:
    """``multi_shot`` → the shots: ``customize`` takes ``multi_prompt`` in ``index`` order (upstream then
    ignores ``prompt``); ``intelligence`` cuts ``prompt`` by the engine's documented rule."""
    if not req.multi_shot:
        return ()
    duration = int(req.duration or "5")
    if req.shot_type == "intelligence":
        return intelligent_shots(req.prompt or "", duration)
    entries = list(req.multi_prompt or [])
    ordered = sorted(entries, key=lambda p: (p.index is None, p.index or 0))  # stable: unindexed keep order
    return tuple(Shot(p.prompt or "", float(int(p.duration or "0"))) for p in ordered)


def options_from_context(ctx: JobContext[Image2VideoCreate]) -> I2VOptions:
    """The engine options for one task (exposed for tests)."""
    req = ctx.request
    image, tail = ctx.inputs.get("image"), ctx.inputs.get("image_tail")
    if image is None and tail is None:
        raise EngineInputError("image: one of image or image_tail is required")
    mode = Mode(req.mode or Mode.STD)
    model = req.model_name or "kling-v1"
    picture = output_format(model, mode)
    return I2VOptions(
        image=image,
        image_tail=tail,
        prompt=req.prompt or "",
        negative_prompt=req.negative_prompt or "",
        cfg_scale=req.cfg_scale,
        mode=mode,
        duration_s=int(req.duration or "5"),
        model_name=model,
        camera=camera_options(req.camera_control),
        static_mask=ctx.inputs.get("static_mask"),
        dynamic_masks=brush_options(req.dynamic_masks, ctx.inputs),
        seed=ctx.seed,
        short_side=picture.short_side,
        fps=picture.fps,
        shots=shot_options(req),
    )


def execute(ctx: JobContext[Image2VideoCreate]) -> list[OutputFile]:
    """Render one image-to-video task; returns a single ``video`` output (with sound when ``sound`` is on)."""
    options = options_from_context(ctx)
    sound = ctx.request.sound == "on"
    render_share = RENDER_SHARE if sound else 1.0
    silent = ctx.workdir / ("image2video_silent.mp4" if sound else "image2video.mp4")
    result = render_image_to_video(options, silent, lambda f: ctx.progress(render_share * f))
    extra: dict[str, Any] = {
        "width": result.width,
        "height": result.height,
        "fps": result.fps,
        "motions": result.motions,
        "cuts": list(result.cuts),
    }
    path = result.path
    if sound:
        words = sound_words(options)
        path, extra["sound"] = add_sound(ctx, result.path, words, result.duration_s, render_share)
    return [OutputFile(role="video", path=path, duration_s=result.duration_s, extra=extra)]


def sound_words(options: I2VOptions) -> str:
    """The text whose sound words score the clip: the shots' prompts when there are shots (a customize
    clip's ``prompt`` is ignored, as upstream), else the prompt."""
    return " ".join(s.prompt for s in options.shots) if options.shots else options.prompt


def add_sound(
    ctx: JobContext[Any], silent: Path, prompt: str, duration_s: float, render_share: float
) -> tuple[Path, dict[str, Any]]:
    """``sound: "on"``: the silent clip scored by the video-to-audio engine (progress from
    ``render_share`` to 1); the scored MP4 ``<kind>.mp4`` and its :func:`sound_record`. Shared by every
    engine that makes a clip for a request with ``sound`` (the generative ones too)."""
    scored = add_native_audio(
        silent,
        prompt,
        ctx.workdir / f"{ctx.kind}.mp4",
        seed=ctx.seed,
        progress=lambda f: ctx.progress(render_share + (1.0 - render_share) * f),
        max_seconds=duration_cap(duration_s, ctx.limits),
        soundfont=ctx.soundfont,
    )
    return scored.video, sound_record(scored)


def sound_record(scored: NativeAudio) -> dict[str, Any]:
    """How the soundtrack was made and measured, kept with the video asset (the runner stores ``extra``)."""
    return {
        "sound_effect_prompt": scored.sound_effect_prompt,
        "bgm_prompt": scored.bgm_prompt,
        "lufs": round(scored.lufs, 2),
        "true_peak_db": round(scored.true_peak_db, 2),
        **{k: v for k, v in scored.summary.items() if k != "events"},
        "events": len(scored.summary.get("events", [])),
    }
