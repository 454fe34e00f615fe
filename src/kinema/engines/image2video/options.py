"""Typed inputs and outputs of the image-to-video engine.

Everything the engine honours is in :class:`I2VOptions`; the executor and the CLI translate the Kling request
into it, so the engine itself never sees wire names it would have to re-validate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kinema.contract.vocabulary import Mode

if TYPE_CHECKING:  # camera.py imports this module's axis names
    from kinema.engines.image2video.camera import CameraPath

CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
CAMERA_PRESETS = ("down_back", "forward_up", "right_turn_forward", "left_turn_forward")

FPS = 24


@dataclass(frozen=True)
class CameraControl:
    """Kling ``camera_control``: ``type`` is ``simple`` (one non-zero axis in ``config``) or a preset."""

    type: str
    config: dict[str, float] | None = None


@dataclass(frozen=True)
class DynamicMask:
    """One motion-brush group: a mask image (white = region) and its trajectory.

    ``trajectory`` is in the *mask/image* pixel coordinates with the origin at the bottom-left corner, as on
    the wire; the engine converts it.
    """

    mask: Path | np.ndarray
    trajectory: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class I2VOptions:
    """What to render. ``image`` and/or ``image_tail`` must be given (paths or RGB uint8 arrays)."""

    image: Path | np.ndarray | None = None
    image_tail: Path | np.ndarray | None = None
    prompt: str = ""
    negative_prompt: str = ""
    cfg_scale: float | None = None
    mode: Mode = Mode.STD
    duration_s: float = 5
    """Seconds; whole seconds from the API, a fraction when a clip must end on an exact frame (extension)."""
    model_name: str = "kling-v1"
    camera: CameraControl | None = None
    static_mask: Path | np.ndarray | None = None
    dynamic_masks: tuple[DynamicMask, ...] = ()
    seed: int = 0
    max_short_side: int | None = None
    """Override the mode's output short side (tests render small clips; the API never sets it)."""
    fps: int = FPS
    camera_path: CameraPath | None = None
    """An exact camera move and speed profile (video extension continues its parent's motion with it); it
    replaces ``camera`` and the prompt's camera words and is not rescaled. Ambient motions still follow
    the prompt."""


@dataclass(frozen=True)
class I2VResult:
    """What was written, plus the motions chosen (so callers and tests can see why a clip moves)."""

    path: Path
    width: int
    height: int
    fps: int
    frames: int
    duration_s: float
    motions: dict[str, float] = field(default_factory=dict)
