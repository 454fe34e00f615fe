"""Image → video on a CPU: the photo itself is animated with classical vision (no diffusion model).

Pipeline: load and size the inputs → read the prompt into motions (:mod:`.prompt`) → split the photo into
depth layers (:mod:`.depth`) → inpaint what moving layers uncover (:mod:`.inpaint`) → per frame, one remap
per layer driven by a pinhole camera (:mod:`.camera`), ambient fields (:mod:`.ambient`) and motion-brush
trajectories (:mod:`.brush`), or flow interpolation towards ``image_tail`` (:mod:`.tail`) → stream into the
H.264 writer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kinema.engines.base import EngineInputError, ProgressFn, no_progress
from kinema.engines.image2video.ambient import AmbientPlan, plan_ambient
from kinema.engines.image2video.brush import (
    MAX_DYNAMIC_MASKS,
    check_masks,
    frozen_alpha,
    read_mask,
    region,
    trajectory_to_output,
)
from kinema.engines.image2video.camera import CameraMove, CameraPath, ease, move_from_control
from kinema.engines.image2video.depth import estimate_layers
from kinema.engines.image2video.options import (
    CameraControl,
    DynamicMask,
    I2VOptions,
    I2VResult,
)
from kinema.engines.image2video.prompt import DEFAULT_CAMERA, plan_motion
from kinema.engines.image2video.render import BrushRegion, SceneRenderer
from kinema.engines.image2video.settings import EngineSettings, settings_for
from kinema.engines.image2video.tail import TailInterpolator
from kinema.media.image_load import reduced_read_flag
from kinema.media.video_writer import VideoSettings, VideoWriter, even

#: Receives each rendered RGB frame, in order (see ``render_image_to_video``'s ``sink``).
FrameSink = Callable[[np.ndarray], None]

__all__ = [
    "CameraControl",
    "CameraMove",
    "CameraPath",
    "DynamicMask",
    "FrameSink",
    "I2VOptions",
    "I2VResult",
    "render_image_to_video",
]


def _load_rgb(src: Path | np.ndarray, name: str, short: int) -> np.ndarray:
    """The picture as displayed; a huge one read at a reduced size that keeps twice ``short`` pixels."""
    if isinstance(src, np.ndarray):
        arr = src
        if arr.ndim == 2:
            arr = cv2.cvtColor(arr, cv2.COLOR_GRAY2RGB)
        return np.ascontiguousarray(arr[..., :3].astype(np.uint8))
    bgr = cv2.imread(str(src), reduced_read_flag(src, short))  # applies EXIF orientation
    if bgr is None:
        raise EngineInputError(f"{name} is not a readable jpg/png image")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def output_size(w: int, h: int, short_side: int) -> tuple[int, int]:
    """Keep the input aspect, cap the short side (never upscale), round to even sizes."""
    s = min(1.0, short_side / min(w, h))
    return max(2, even(round(w * s))), max(2, even(round(h * s)))


def _fit(rgb: np.ndarray, w: int, h: int) -> np.ndarray:
    """Resize to exactly ``w``x``h``; a different aspect is centre-cropped (cover), never stretched."""
    ih, iw = rgb.shape[:2]
    if (iw, ih) == (w, h):
        return rgb
    if abs(iw / ih - w / h) > 1e-3:
        if iw / ih > w / h:
            cw = round(ih * w / h)
            x0 = (iw - cw) // 2
            rgb = rgb[:, x0 : x0 + cw]
        else:
            ch = round(iw * h / w)
            y0 = (ih - ch) // 2
            rgb = rgb[y0 : y0 + ch]
    interp = cv2.INTER_AREA if rgb.shape[1] > w else cv2.INTER_CUBIC
    return cv2.resize(rgb, (w, h), interpolation=interp)


def render_image_to_video(
    options: I2VOptions,
    out_path: str | Path,
    progress: ProgressFn = no_progress,
    *,
    sink: FrameSink | None = None,
) -> I2VResult:
    """Render the clip described by ``options`` into ``out_path`` (MP4, H.264, 24 fps, faststart).

    With ``sink``, the RGB frames go to it in order instead and no file is written: video extension
    appends them to its own writer, since a second encode and decode would shift the colours at the seam.

    Raises :class:`EngineInputError` for inputs upstream would fail the task for (unreadable images,
    mask/image aspect mismatch, bad camera_control). ``progress`` is called once per frame and may raise
    :class:`kinema.engines.base.Cancelled`, which stops rendering and leaves no finished file.
    """
    if options.image is None and options.image_tail is None:
        raise EngineInputError("one of image or image_tail is required")
    _check_exclusive(options)
    cfg: EngineSettings = settings_for(options.model_name, options.mode)
    short = options.max_short_side or cfg.short_side
    first = _load_rgb(options.image, "image", short) if options.image is not None else None
    tail = _load_rgb(options.image_tail, "image_tail", short) if options.image_tail is not None else None
    base = first if first is not None else tail
    assert base is not None
    ih, iw = base.shape[:2]
    w, h = output_size(iw, ih, short)
    n = max(2, round(options.duration_s * options.fps))
    cfg_scale = options.cfg_scale if cfg.honours_cfg else None
    plan = plan_motion(options.prompt, options.negative_prompt, cfg_scale)
    motions: dict[str, float] = {}
    video = VideoSettings(fps=options.fps, preset=cfg.preset, crf=cfg.crf, first_frame_q=cfg.first_frame_q)
    out_path = Path(out_path)

    if first is not None and tail is not None:
        a, b = _fit(first, w, h), _fit(tail, w, h)
        progress(0.0)
        interp = TailInterpolator(a, b, work_short_side=cfg.flow_side, fine=cfg.fine_flow)
        motions["tail_flow_px"] = round(interp.mean_flow, 2)
        _stream(out_path, w, h, video, n, interp.frame, progress, by_fraction=True, sink=sink)
        return I2VResult(out_path, w, h, options.fps, n, n / options.fps, motions)

    rgb = _fit(base, w, h)
    reverse = first is None  # image_tail alone: a subtle move that lands exactly on it
    camera = _choose_camera(options, plan.camera, cfg.motion_scale, reverse, motions)

    brushes, static_alpha = _masks(options, (iw, ih), (w, h))
    layers = estimate_layers(rgb)
    wanted = {} if reverse else dict(plan.ambient)
    if not reverse and layers.object_kind[:1] == ("person",) and "breathing" not in wanted:
        wanted["breathing"] = 0.7  # a person in a still should never look frozen
    wanted = {k: v * cfg.motion_scale for k, v in wanted.items()}
    ambient: AmbientPlan = plan_ambient(
        rgb,
        wanted,
        layers.sky,
        layers.objects[0] if layers.object_kind[:1] == ("person",) else None,
        options.duration_s,
        options.seed,
        layers.faces,
    )
    motions.update({f"ambient_{k}": round(v, 3) for k, v in ambient.active.items()})
    motions["brush_regions"] = float(len(brushes))
    renderer = SceneRenderer(
        rgb,
        layers,
        camera,
        ambient,
        brushes,
        static_alpha,
        n,
        options.fps,
        reverse=reverse,
        cubic=cfg.cubic,
        seed=options.seed,
        inpaint_side=cfg.inpaint_side,
        easing=options.camera_path.profile() if options.camera_path is not None else ease,
    )
    _stream(out_path, w, h, video, n, renderer.frame, progress, by_fraction=False, sink=sink)
    return I2VResult(out_path, w, h, options.fps, n, n / options.fps, motions)


def _choose_camera(
    options: I2VOptions,
    prompt_camera: CameraMove | None,
    motion_scale: float,
    reverse: bool,
    motions: dict[str, float],
) -> CameraMove | None:
    """The clip's camera move: an exact ``camera_path`` wins as given; then ``camera_control``; masks lock
    the camera; otherwise the prompt decides. All but the exact path scale with the clip's length."""
    if options.camera_path is not None:
        camera: CameraMove | None = options.camera_path.move
        motions["camera_path"] = 1.0
    elif options.camera is not None:
        try:
            camera = move_from_control(options.camera)
        except ValueError as exc:
            raise EngineInputError(str(exc)) from exc
        motions["camera_control"] = 1.0
    elif options.static_mask is not None or bool(options.dynamic_masks):
        camera = None
    else:
        camera = prompt_camera.scaled(motion_scale) if prompt_camera is not None else None
    if reverse and camera is None:
        camera = DEFAULT_CAMERA
    if camera is not None and options.camera_path is None:
        camera = camera.scaled(min(1.5, math.sqrt(options.duration_s / 5.0)))
    if camera is not None:
        motions.update(
            {f"camera_{k}": round(v, 4) for k, v in camera.__dict__.items() if v not in (0.0, 1.0)}
        )
    return camera


def _check_exclusive(options: I2VOptions) -> None:
    """Upstream allows one control group per request: last frame, motion brush, or camera_control."""
    groups = [
        name
        for name, used in (
            ("image_tail", options.image_tail is not None and options.image is not None),
            ("static_mask/dynamic_masks", options.static_mask is not None or bool(options.dynamic_masks)),
            ("camera_control", options.camera is not None),
        )
        if used
    ]
    if len(groups) > 1:
        raise EngineInputError(f"{' and '.join(groups)} cannot be combined; use one of them per request")


def _masks(
    options: I2VOptions, image_wh: tuple[int, int], out_wh: tuple[int, int]
) -> tuple[list[BrushRegion], np.ndarray | None]:
    """Load, check and resize the motion-brush masks to the output size."""
    if len(options.dynamic_masks) > MAX_DYNAMIC_MASKS:
        raise EngineInputError(f"at most {MAX_DYNAMIC_MASKS} dynamic_masks are allowed")
    raw: dict[str, np.ndarray] = {}
    if options.static_mask is not None:
        raw["static_mask"] = read_mask(options.static_mask, "static_mask")
    for i, dm in enumerate(options.dynamic_masks):
        raw[f"dynamic_masks[{i}].mask"] = read_mask(dm.mask, f"dynamic_masks[{i}].mask")
    if not raw:
        return [], None
    check_masks(image_wh, raw)
    w, h = out_wh
    diag = math.hypot(w, h)

    def hard(m: np.ndarray) -> np.ndarray:
        return cv2.resize(region(m).astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0

    static_alpha = None
    if "static_mask" in raw:
        static_alpha = frozen_alpha(hard(raw["static_mask"]), max(1.0, 0.003 * diag))
    brushes = []
    for i, dm in enumerate(options.dynamic_masks):
        name = f"dynamic_masks[{i}]"
        m = hard(raw[f"{name}.mask"])
        if not m.any():
            continue
        traj = trajectory_to_output(dm.trajectory, image_wh, out_wh, name)
        brushes.append(BrushRegion(m, traj))
    return brushes, static_alpha


def _stream(
    path: Path,
    w: int,
    h: int,
    video: VideoSettings,
    n: int,
    make: Callable[[Any], np.ndarray],
    progress: ProgressFn,
    by_fraction: bool,
    sink: FrameSink | None = None,
) -> None:
    """Render ``n`` frames into the writer (or ``sink``), reporting progress once per frame (may raise
    Cancelled)."""

    def frames(write: FrameSink) -> None:
        for i in range(n):
            progress(i / n)
            write(make(i / (n - 1)) if by_fraction else make(i))

    if sink is not None:
        frames(sink)
    else:
        with VideoWriter(path, w, h, video) as writer:
            frames(writer.write)
    progress(1.0)
