"""The few words every layer shares: a task's status, a render mode, a task kind, a queue lane.

Each is a ``StrEnum`` whose values are the wire literals, so a member *is* its string: it compares equal to
the plain ``str`` read back from a database column or a JSON reply, hashes the same, and serialises as the
bare literal. Columns stay plain strings in the database; code names the words from here instead of
spelling them, so a typo is a type error rather than a query that silently matches nothing.
"""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    """``task_status`` on the wire and ``tasks.status`` in the database (spec §1)."""

    SUBMITTED = "submitted"
    PROCESSING = "processing"
    SUCCEED = "succeed"  # sic: Kling's spelling
    FAILED = "failed"


# Tuples, not sets: a fixed order keeps every ``status IN (…)`` statement identical across processes, so
# SQLAlchemy's compiled-statement cache keeps hitting.
ACTIVE_STATUSES: tuple[TaskStatus, ...] = (TaskStatus.SUBMITTED, TaskStatus.PROCESSING)
"""Not finished yet: waiting in the queue or running. Counted against the per-account running limit."""

TERMINAL_STATUSES: tuple[TaskStatus, ...] = (TaskStatus.SUCCEED, TaskStatus.FAILED)
"""Final: a task in one of these never changes status again."""


class Mode(StrEnum):
    """``mode`` of the video endpoints: ``std`` (≤ 720p, faster) or ``pro`` (≤ 1080p, better)."""

    STD = "std"
    PRO = "pro"


class TaskKind(StrEnum):
    """What a task does; ``tasks.kind`` in the database and the key of plug-in executors
    (``KINEMA_EXECUTORS``)."""

    AVATAR = "avatar"
    IMAGE2VIDEO = "image2video"
    TEXT2VIDEO = "text2video"
    VIDEO_EXTEND = "video_extend"
    VIDEO_TO_AUDIO = "video_to_audio"
    TEXT_TO_AUDIO = "text_to_audio"
    TTS = "tts"


class Lane(StrEnum):
    """Which workers run a task: ``tasks.lane`` in the database and the queue its doorbell rings on.

    Decided once, at create, from the routing decision (``jobs/executors/generative.py``): a request that runs
    on a generative pipeline (``KINEMA_MODELS``) is ``gpu`` work, taken only by ``kinema worker --gpu``
    processes (one job at a time per device); everything else is ``cpu`` work for the ordinary workers."""

    CPU = "cpu"
    GPU = "gpu"
