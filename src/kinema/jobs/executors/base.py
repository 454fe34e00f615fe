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


@dataclass(frozen=True)
class OutputFile:
    """A produced file. ``group`` ties an mp3 and a wav of the same audio into one ``audios[]`` entry."""

    role: OutputRole
    path: Path
    duration_s: float
    group: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


Executor = Callable[[JobContext[Any]], list[OutputFile]]
