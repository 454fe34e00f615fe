"""Hand a task id to a worker: Huey (SQLite embedded, Redis at scale) rings the doorbell; the task row in the
database is the truth (see :mod:`kinema.jobs.runner`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinema.queue.app import enqueue, make_huey, pending_count

if TYPE_CHECKING:
    from kinema.settings import Settings


def run_worker(settings: Settings, workers: int) -> None:
    """Blocking: job worker processes plus reaper, callback sender and retention sweeper threads."""
    from kinema.queue.worker import run_worker as _run

    _run(settings, workers)


__all__ = ["enqueue", "make_huey", "pending_count", "run_worker"]
