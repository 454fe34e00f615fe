"""Kling request numbers → diffusion-pipeline numbers: one place for each mapping, pure and torch-free.

The tables in docs/gpu.md are these functions in words:

* ``cfg_scale`` (Kling, 0..1, default 0.5) → ``guidance_scale = 1 + 5·cfg`` (0 → 1.0 = classifier-free
  guidance off, 0.5 → 3.5 = the Wan2.2 authors' default, 1 → 6.0).
* ``mode``: ``std`` → the configured size (default 832x480 area) with 3/4 of the configured steps; ``pro`` →
  1.5x each side (the 480P → 720P step) with all the configured steps.
* size: the output keeps the input picture's aspect at that pixel area, both sides a multiple of what the
  model needs (16 for Wan: VAE 8 x patch 2).
* ``duration`` → ``duration·fps`` frames at the model's fps; a clip longer than the model's native length
  continues from its own last frame (:func:`segments`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Guidance at ``cfg_scale`` 0 and the slope per unit of ``cfg_scale``.
GUIDANCE_BASE = 1.0
GUIDANCE_PER_CFG = 5.0
#: Kling's default ``cfg_scale``.
DEFAULT_CFG = 0.5
#: ``pro`` / ``std``: per side (720 / 480) and in steps (std runs 3/4 of them).
PRO_SIDE_FACTOR = 1.5
STD_STEP_FACTOR = 0.75
#: ``aspect_ratio`` of text to video → width / height.
ASPECTS: dict[str, float] = {"16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1.0}


def guidance(cfg_scale: float | None) -> float:
    """``cfg_scale`` → ``guidance_scale`` (also ``guidance_scale_2`` of two-expert models)."""
    cfg = DEFAULT_CFG if cfg_scale is None else cfg_scale
    return GUIDANCE_BASE + GUIDANCE_PER_CFG * cfg


def steps(mode: str, configured: int) -> int:
    """Denoising steps for ``mode``."""
    return configured if mode == "pro" else max(1, round(configured * STD_STEP_FACTOR))


def frame_size(aspect: float, mode: str, width: int, height: int, multiple: int = 16) -> tuple[int, int]:
    """(width, height) with ``aspect`` at the area of the configured size (x1.5 per side for ``pro``)."""
    factor = PRO_SIDE_FACTOR if mode == "pro" else 1.0
    area = width * height * factor * factor
    w = math.sqrt(area * aspect)
    h = area / w
    return _snap(w, multiple), _snap(h, multiple)


def _snap(side: float, multiple: int) -> int:
    return max(multiple, round(side / multiple) * multiple)


def model_frames(n: int, temporal: int = 4) -> int:
    """The smallest frame count ≥ ``n`` the model accepts (``temporal``·k + 1; Wan compresses 4 frames)."""
    return max(1, math.ceil(max(0, n - 1) / temporal)) * temporal + 1


@dataclass(frozen=True)
class Plan:
    """How a clip is made: ``calls`` pipeline runs of ``frames_per_call`` frames each; every call after the
    first starts from the previous call's last frame (which is not written twice); ``keep`` frames in all."""

    calls: int
    frames_per_call: int
    keep: int


def segments(duration_s: float, fps: int, native_frames: int, temporal: int = 4) -> Plan:
    """Frames for ``duration_s`` at ``fps``: one call when it fits the model's native length, else the fewest
    calls of the model's length or less, all of one size (a 10 s clip = two 5 s calls at Wan's 81 frames)."""
    keep = max(1, round(duration_s * fps))
    native = max(1, (native_frames - 1) // temporal) * temporal + 1  # what the pipeline really runs
    calls = max(1, math.ceil((keep - 1) / (native - 1)))
    per_call = model_frames(math.ceil((keep - 1) / calls) + 1, temporal)
    return Plan(calls=calls, frames_per_call=per_call, keep=keep)


def single_call(duration_s: float, fps: int, temporal: int = 4) -> Plan:
    """Text to video has no picture to continue from: one call of enough frames for the whole duration."""
    keep = max(1, round(duration_s * fps))
    return Plan(calls=1, frames_per_call=model_frames(keep, temporal), keep=keep)
