"""The contract between the job runner and the per-kind executors.

The runner (``kinema.jobs.runner``) claims a task, copies its input blobs into a fresh work directory,
and calls the executor registered for the task's kind with a :class:`JobContext`. The executor calls its
engine and returns :class:`OutputFile` entries; the runner uploads them to storage, records them as assets
(so a video can be reused as ``video_id`` and TTS audio as ``audio_id``) and builds ``task_result``.

Raising :class:`kinema.engines.base.EngineInputError` fails the task at once with its message; any other
exception counts as a crash and the task is retried up to the configured number of attempts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kinema.contract.vocabulary import Mode
from kinema.engines.base import EngineInputError, ProgressFn

OutputRole = Literal["video", "audio_mp3", "audio_wav"]


@dataclass(frozen=True)
class JobContext:
    """Everything an executor may use. ``params`` is the validated request body (contract model dump)."""

    task_id: str
    kind: str
    params: dict[str, Any]
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


Executor = Callable[[JobContext], list[OutputFile]]


def mode_param(params: dict[str, Any]) -> Mode:
    """The request's ``mode`` (``std`` when absent). Checked again here because a row written by an older
    version, or by a plug-in's own client, may hold any value: it fails the task, not the engine."""
    value = params.get("mode") or Mode.STD
    if value not in tuple(Mode):
        raise EngineInputError(f"mode: must be 'std' or 'pro', got {value!r}")
    return Mode(value)
