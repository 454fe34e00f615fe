"""Executor for ``videos/image2video`` tasks: the runner's inputs → :func:`render_image_to_video`.

It only translates the validated request (wire names, string durations, mask files named ``dynamic_mask_<i>``
by the runner) into :class:`I2VOptions` and names the one video produced. Anything the engine cannot render
(mask aspect mismatch, unreadable image, bad camera config) surfaces as :class:`EngineInputError`, which fails
the task with that message, as upstream does.
"""

from __future__ import annotations

from typing import Any

from kinema.engines.base import EngineInputError
from kinema.engines.image2video import CameraControl, DynamicMask, I2VOptions, render_image_to_video
from kinema.jobs.executors.base import JobContext, OutputFile, mode_param


def parse_duration(value: Any) -> int:
    """``"5"``/``"10"`` on the wire; newer models allow ``"3"``..``"15"``."""
    if value in (None, ""):
        return 5
    try:
        seconds = int(str(value).strip())
    except ValueError as exc:
        raise EngineInputError(f"duration: must be an integer number of seconds, got {value!r}") from exc
    if not 3 <= seconds <= 15:
        raise EngineInputError(f"duration: must be between 3 and 15 seconds, got {seconds}")
    return seconds


def parse_camera(value: Any) -> CameraControl | None:
    if not value:
        return None
    if not isinstance(value, dict) or not value.get("type"):
        raise EngineInputError("camera_control: an object with a 'type' is required")
    config = value.get("config")
    cfg = None
    if isinstance(config, dict):
        cfg = {k: float(v) for k, v in config.items() if v is not None}
    return CameraControl(type=str(value["type"]), config=cfg)


def parse_trajectory(group: Any, index: int) -> tuple[tuple[float, float], ...]:
    points = (group or {}).get("trajectories") if isinstance(group, dict) else None
    if not points:
        raise EngineInputError(f"dynamic_masks[{index}].trajectories: 2 to 77 points are required")
    try:
        return tuple((float(p["x"]), float(p["y"])) for p in points)
    except (KeyError, TypeError, ValueError) as exc:
        raise EngineInputError(
            f"dynamic_masks[{index}].trajectories: points must be {{x, y}} integers"
        ) from exc


def options_from_context(ctx: JobContext) -> I2VOptions:
    """The engine options for one task (exposed for tests and for the CLI's parity)."""
    p = ctx.params
    image, tail = ctx.inputs.get("image"), ctx.inputs.get("image_tail")
    if image is None and tail is None:
        raise EngineInputError("image: one of image or image_tail is required")
    groups = p.get("dynamic_masks") or []
    dynamic = []
    for i, group in enumerate(groups):
        mask = ctx.inputs.get(f"dynamic_mask_{i}")
        if mask is None:
            raise EngineInputError(f"dynamic_masks[{i}].mask: the mask image is missing")
        dynamic.append(DynamicMask(mask=mask, trajectory=parse_trajectory(group, i)))
    cfg = p.get("cfg_scale")
    return I2VOptions(
        image=image,
        image_tail=tail,
        prompt=str(p.get("prompt") or ""),
        negative_prompt=str(p.get("negative_prompt") or ""),
        cfg_scale=float(cfg) if cfg is not None else None,
        mode=mode_param(p),
        duration_s=parse_duration(p.get("duration")),
        model_name=str(p.get("model_name") or p.get("model") or "kling-v1"),
        camera=parse_camera(p.get("camera_control")),
        static_mask=ctx.inputs.get("static_mask"),
        dynamic_masks=tuple(dynamic),
        seed=ctx.seed,
    )


def execute(ctx: JobContext) -> list[OutputFile]:
    """Render one image-to-video task; returns a single ``video`` output."""
    options = options_from_context(ctx)
    out = ctx.workdir / "image2video.mp4"
    result = render_image_to_video(options, out, ctx.progress)
    return [
        OutputFile(
            role="video",
            path=result.path,
            duration_s=result.duration_s,
            extra={"width": result.width, "height": result.height, "motions": result.motions},
        )
    ]
