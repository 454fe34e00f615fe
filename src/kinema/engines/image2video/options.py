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


@dataclass(frozen=True)
class Shot:
    """One shot of a multi-shot clip: its prompt (read like ``I2VOptions.prompt``), its length in seconds, and
    optionally a ``scene`` text whose ambient words (wind, water…) also apply, but not its camera words."""

    prompt: str
    duration_s: float
    scene: str = ""


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
    short_side: int | None = None
    """Output short side in pixels (the input's aspect ratio is kept; smaller inputs are scaled up). None: the
    model's and mode's size from the capability table (the executor passes it explicitly)."""
    fps: int | None = None
    """Frames per second; None: the model's and mode's rate from the capability table."""
    shots: tuple[Shot, ...] = ()
    """Multi-shot: hard cuts between shots, each with its own prompt-driven motion; the durations must add up
    to ``duration_s``. Empty: one shot from ``prompt``. Not with ``image_tail``."""
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
    cuts: tuple[int, ...] = ()
    """Index of the first frame of every shot after the first (empty for a single shot)."""
