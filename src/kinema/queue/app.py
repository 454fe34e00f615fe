"""The Huey instance and the one Huey task (``kinema_run_task``), identical in the API and the workers.

Only the Huey class differs between modes: ``SqliteHuey`` in ``data_dir/queue.db`` (no service), or
``RedisHuey`` when ``queue_url`` is ``redis://…``. A ``#name`` fragment on the Redis URL names the queue
(default ``kinema``), so several deployments or test runs can share one Redis.

Each lane (:class:`~kinema.contract.vocabulary.Lane`) is its own queue: ``kinema`` for CPU work and
``kinema-gpu`` for tasks a generative pipeline runs (the same SQLite file, or the same Redis, under another
queue name), so a ``kinema worker --gpu`` consumes only GPU work and the ordinary workers never see it.

This package is Huey wiring only and knows nothing of jobs: what a delivered doorbell runs is handed in by
the worker's composition root (:func:`set_handler`, called by ``kinema.worker``), and the rest of kinema
rings through :class:`HueyDoorbell`, which ``kinema.runtime`` puts on every runtime.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

from kinema.contract.vocabulary import Lane
from kinema.db.turns import WriterTurns
from kinema.settings import Settings

QUEUE_NAME = "kinema"
TASK_NAME = "kinema_run_task"

JobHandler = Callable[[str], None]
"""Runs one delivered doorbell: takes the task id."""

_lock = threading.Lock()
_queues: dict[tuple[str, str, str], tuple[Huey, TaskWrapper]] = {}
_handler: JobHandler | None = None


def _queue_key(settings: Settings) -> tuple[str, str]:
    url = settings.queue_url
    if url:
        if url.startswith(("redis://", "rediss://", "unix://")):
            return ("redis", url)
        raise ValueError(
            f"KINEMA_QUEUE_URL must be a redis:// URL (or unset for the embedded queue), got {url!r}"
        )
    return ("sqlite", _queue_file(str(settings.data_dir)))


@functools.lru_cache(maxsize=64)
def _queue_file(data_dir: str) -> str:
    """The absolute queue file of a data folder (cached: resolving a path costs system calls per create)."""
    return str((Path(data_dir) / "queue.db").resolve())


def queue_name(base: str, lane: str) -> str:
    """The Huey queue of a lane: ``base`` for CPU work, ``base-gpu`` for GPU work."""
    return base if lane == Lane.CPU else f"{base}-{lane}"


def make_huey(settings: Settings, lane: str = Lane.CPU) -> Huey:
    """A new Huey instance for these settings and lane (results off: the task row holds the outcome)."""
    mode, where = _queue_key(settings)
    if mode == "redis":
        url, _, name = where.partition("#")
        return RedisHuey(name=queue_name(name or QUEUE_NAME, lane), url=url, results=False, utc=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # fsync=False: Huey's default leaves SQLite at synchronous=FULL, an fsync per enqueue, which was the
    # largest single cost of a task create. A doorbell lost to a power cut is harmless: the task row is the
    # truth, and start-up re-enqueues every submitted task.
    return SqliteHuey(
        name=queue_name(QUEUE_NAME, lane), filename=where, results=False, utc=True, timeout=30, fsync=False
    )


def set_handler(handler: JobHandler) -> None:
    """Say what a delivered doorbell runs in this process (and in the worker processes it forks later).
    Only a worker sets one; API processes only enqueue."""
    global _handler
    _handler = handler


def _job(task_id: str) -> None:
    """The body of the Huey task, inside a Huey worker process."""
    if _handler is None:
        raise RuntimeError("no job handler in this process: start workers with kinema.worker.run_worker")
    _handler(task_id)


def get_queue(settings: Settings, lane: str = Lane.CPU) -> tuple[Huey, TaskWrapper]:
    """The cached (huey, task) pair for these settings and lane."""
    key = (*_queue_key(settings), str(lane))
    with _lock:
        if key not in _queues:
            huey = make_huey(settings, lane)
            _queues[key] = (huey, huey.task(name=TASK_NAME)(_job))
        return _queues[key]


_turns: dict[str, WriterTurns] = {}


def enqueue(settings: Settings, task_id: str, lane: str = Lane.CPU) -> None:
    """Ring the doorbell for a committed task row on its lane's queue. With SqliteHuey, enqueues of all API
    processes take turns on the queue file rather than meeting in SQLite's sleeping busy handler (see
    ``kinema.db.turns``)."""
    huey, job = get_queue(settings, lane)
    if isinstance(huey, SqliteHuey):
        where = _queue_key(settings)[1]
        with _lock:
            turns = _turns.setdefault(where, WriterTurns(Path(where + ".writer-lock")))
        with turns.turn():
            job(task_id)
    else:
        job(task_id)


def pending_count(settings: Settings, lane: str = Lane.CPU) -> int:
    """Messages waiting in a lane's queue (not those being worked on)."""
    return int(get_queue(settings, lane)[0].pending_count())


@dataclass(frozen=True)
class HueyDoorbell:
    """The queue as the rest of kinema sees it (``kinema.runtime.Doorbell``): ring for a task on its lane,
    count what is waiting in a lane."""

    settings: Settings

    def ring(self, task_id: str, lane: str = Lane.CPU) -> None:
        enqueue(self.settings, task_id, lane)

    def pending(self, lane: str = Lane.CPU) -> int:
        return pending_count(self.settings, lane)
