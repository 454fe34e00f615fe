"""The Wan engine: options + a loaded Wan pipeline → an H.264 clip (image to video and text to video).

Pure like every engine: it gets a loaded pipeline (``loader.load``) and plain options, and writes one MP4.
Frames go to the shared writer as each pipeline call finishes; a clip longer than the model's native length is
a chain of calls, each starting from the previous call's last frame, all drawn from one seeded generator
(same request and seed → same video). Progress comes from the pipeline's step callback; the callback is
also where a cancel stops the job (the job layer's progress function raises ``Cancelled``), so a task stops
between two denoising steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from kinema.engines.base import ProgressFn
from kinema.engines.generative.mapping import Plan
from kinema.media.video_writer import VideoSettings, VideoWriter

#: Progress reported once every denoising step is done; the rest is encoding and the upload.
DENOISE_SHARE = 0.97
#: Used when the request has no negative prompt: the failure modes video diffusion models show most.
DEFAULT_NEGATIVE = (
    "blurry, low quality, jpeg artifacts, distorted anatomy, deformed hands, extra limbs, flicker, "
    "frozen still frame, watermark, subtitles, text"
)


@dataclass(frozen=True)
class GenOptions:
    """One clip. ``image`` None = text to video; ``reverse``: the request gave only a last frame, so the
    clip is generated from it and played backwards (it then ends on that picture)."""

    prompt: str
    negative_prompt: str
    guidance: float
    steps: int
    width: int
    height: int
    fps: int
    plan: Plan
    seed: int = 0
    image: Path | None = None
    last_image: Path | None = None
    reverse: bool = False


@dataclass(frozen=True)
class GenResult:
    path: Path
    width: int
    height: int
    frames: int
    fps: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


def geometry(pipe: Any) -> tuple[int, int]:
    """(pixel multiple of both sides, frames per latent frame) of a loaded Wan pipeline: 16 and 4 for Wan2.x
    (VAE 8x spatial, 4x temporal; patch 2)."""
    patch = pipe.transformer.config.patch_size
    return int(pipe.vae_scale_factor_spatial) * int(patch[1]), int(pipe.vae_scale_factor_temporal)


def aspect_of(path: Path) -> float:
    """Width / height of a picture."""
    with Image.open(path) as img:
        return img.width / img.height


def fit(path: Path, width: int, height: int) -> Image.Image:
    """The picture scaled to cover ``width``x``height`` and centre-cropped to it (no stretching)."""
    with Image.open(path) as opened:
        return cover(opened.convert("RGB"), width, height)


def cover(img: Image.Image, width: int, height: int) -> Image.Image:
    """``img`` scaled to cover ``width``x``height`` and centre-cropped to it."""
    if img.size == (width, height):
        return img
    scale = max(width / img.width, height / img.height)
    size = (max(width, round(img.width * scale)), max(height, round(img.height * scale)))
    img = img.resize(size, Image.Resampling.LANCZOS)
    left, top = (img.width - width) // 2, (img.height - height) // 2
    return img.crop((left, top, left + width, top + height))


def resampled(
    stream: Iterator[np.ndarray], fps_in: float, fps_out: float, count: int, width: int, height: int
) -> Iterator[np.ndarray]:
    """``count`` frames at ``fps_out`` and ``width``x``height`` from a stream at ``fps_in``: each output frame
    is the stream's frame nearest in time (a 16 fps model's frames under a 24 fps video), scaled to cover the
    size. Used where the clip continues a video of its own size and rate (video extension)."""
    current, index = next(stream), 0
    for j in range(count):
        want = round(j * fps_in / fps_out)
        while index < want:
            nxt = next(stream, None)
            if nxt is None:
                break
            current, index = nxt, index + 1
        yield np.asarray(cover(Image.fromarray(current), width, height))


def dropped(plan: Plan) -> set[int]:
    """Output indices left out so the chained calls give exactly ``plan.keep`` frames: spread evenly over
    the interior, never the first frame (the input picture) nor the last (``image_tail``)."""
    total = plan.calls * (plan.frames_per_call - 1) + 1
    surplus = total - plan.keep
    return {round((i + 1) * (total - 1) / (surplus + 1)) for i in range(max(0, surplus))}


def _call(
    pipe: Any,
    opts: GenOptions,
    image: Image.Image | None,
    last: Image.Image | None,
    step_cb: Any,
    generator: Any,
) -> np.ndarray:
    """One pipeline run → uint8 frames (F, H, W, 3)."""
    g = opts.guidance
    kwargs: dict[str, Any] = {
        "prompt": opts.prompt,
        "negative_prompt": opts.negative_prompt or DEFAULT_NEGATIVE,
        "height": opts.height,
        "width": opts.width,
        "num_frames": opts.plan.frames_per_call,
        "num_inference_steps": opts.steps,
        "guidance_scale": g,
        "generator": generator,
        "output_type": "np",
        "callback_on_step_end": step_cb,
    }
    if getattr(pipe.config, "boundary_ratio", None) is not None:
        kwargs["guidance_scale_2"] = g  # the low-noise expert of two-expert models (Wan2.2 A14B)
    if image is not None:
        kwargs["image"] = image
    if last is not None:
        kwargs["last_image"] = last
    frames = np.asarray(pipe(**kwargs).frames[0], dtype=np.float32)
    return (np.clip(frames, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def frames(pipe: Any, opts: GenOptions, progress: ProgressFn) -> Iterator[np.ndarray]:
    """Every output frame in order, call after call (chained on the last frame)."""
    import torch

    generator = torch.Generator("cpu").manual_seed(opts.seed)
    plan, skip = opts.plan, dropped(opts.plan)
    image = fit(opts.image, opts.width, opts.height) if opts.image is not None else None
    tail = fit(opts.last_image, opts.width, opts.height) if opts.last_image is not None else None
    index = 0
    for call in range(plan.calls):

        def on_step(_pipe: Any, step: int, _t: Any, tensors: dict[str, Any], call: int = call) -> Any:
            progress(DENOISE_SHARE * (call + (step + 1) / opts.steps) / plan.calls)
            return tensors

        last = tail if call == plan.calls - 1 else None
        out = _call(pipe, opts, image, last, on_step, generator)
        for frame in out if call == 0 else out[1:]:
            if index not in skip:
                yield frame
            index += 1
        image = Image.fromarray(out[-1])


def generate(pipe: Any, opts: GenOptions, out: Path, progress: ProgressFn) -> GenResult:
    """Write the clip to ``out``."""
    settings = VideoSettings(fps=opts.fps)
    stream: Iterator[np.ndarray] = frames(pipe, opts, progress)
    if opts.reverse:
        stream = iter(list(stream)[::-1])
    count = 0
    with VideoWriter(out, opts.width, opts.height, settings) as writer:
        for frame in stream:
            writer.write(frame)
            count += 1
    progress(1.0)
    return GenResult(path=out, width=opts.width, height=opts.height, frames=count, fps=opts.fps)
