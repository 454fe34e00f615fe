"""The contract between the job runner and the per-kind executors.

The runner (``kinema.jobs.runner``) claims a task, rebuilds its typed request from the row, copies its
input blobs into a fresh work directory, and calls the executor registered for the task's kind with a
:class:`JobContext`. The request was validated when the task was created, under the same limits: an
executor only translates it into engine options and never re-checks a rule. The executor calls its
engine and returns :class:`OutputFile` entries; the runner uploads them to storage, records them as assets
(so a video can be reused as ``video_id`` and TTS audio as ``audio_id``) and builds ``task_result``.

Raising :class:`kinema.engines.base.EngineInputError` fails the task at once with its message; any other
exception counts as a crash and the task is retried up to the configured number of attempts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from kinema.contract.limits import Limits
from kinema.engines.base import ProgressFn

OutputRole = Literal["video", "audio_mp3", "audio_wav"]
RequestT = TypeVar("RequestT", bound=BaseModel)


@dataclass(frozen=True)
class JobContext(Generic[RequestT]):
    """Everything an executor may use. ``request`` is the kind's validated request model (``AvatarCreate``…);
    its media fields hold references (``input:image``) to the files in ``inputs``."""

    task_id: str
    kind: str
    request: RequestT
    inputs: dict[str, Path]
    """Local copies of the inputs, by name: ``image``, ``image_tail``, ``audio`` (+ ``phones`` JSON when the
    audio came from our TTS), ``static_mask``, ``dynamic_mask_0``..``dynamic_mask_5``, ``video``."""
    workdir: Path
    progress: ProgressFn
    seed: int = 0
    limits: Limits = field(default_factory=Limits)
    """The server's input limits (profile and overrides). The create checked the inputs against them; the
    executor bounds the engine by them again, so no input is ever processed past a limit (an ``audio_id``
    or a file whose packets say less than its decoder gives)."""
    soundfont: str = "auto"
    """The server's ``soundfont`` setting: what the video- and text-to-audio music plays on."""


@dataclass(frozen=True)
class OutputFile:
    """A produced file. ``group`` ties an mp3 and a wav of the same audio into one ``audios[]`` entry."""

    role: OutputRole
    path: Path
    duration_s: float
    group: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


Executor = Callable[[JobContext[Any]], list[OutputFile]]

#: What an engine may decode past a duration limit before it stops: the create measured the input from its
#: packets within the limit's tolerance, and a decoder adds up to a couple of codec frames of priming and
#: padding on top. More than this means the file holds more than its packets said.
DECODE_SLACK_S = 1.0


def duration_cap(limit_s: float, limits: Limits) -> float:
    """Seconds of input an engine may process for a rule of at most ``limit_s``."""
    return limit_s + limits.duration_tolerance_s + DECODE_SLACK_S
