"""Task figures for ``/metrics``: created, claimed (queue wait), finished (outcome, run time).

Recorded from :func:`kinema.jobs.service.set_status` and the create paths, and only once the transaction
that made the change commits: a status write that is rolled back (a fence lost later in the same
transaction, a database error) never counts. The values go to the deployment's metrics folder
(:mod:`kinema.observe.metrics`), so a task claimed in one worker and cancelled through another API
process is counted once, wherever it happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from kinema.contract.vocabulary import TERMINAL_STATUSES, TaskStatus
from kinema.db.engine import now_ms
from kinema.db.models import Task
from kinema.observe import metrics

_PENDING = "kinema_metrics_after_commit"


def _after_commit(session: Session) -> None:
    for record in session.info.pop(_PENDING, ()):
        record()


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_soft_rollback", lambda session, _tx: _after_rollback(session))


def _on_commit(session: Session, record: Callable[[], None]) -> None:
    session.info.setdefault(_PENDING, []).append(record)


def mode_of(params: dict[str, Any] | None) -> object:
    return (params or {}).get("mode")


def status_changed(session: Session, task: Task, cancelled: bool) -> None:
    """``task`` (just re-read) entered its status: a first claim observes the wait since create, a final
    state counts the outcome and the run time since the first claim."""
    kind, mode, now = task.kind, mode_of(task.params), now_ms()
    if task.status == TaskStatus.PROCESSING and task.attempt == 1 and task.created_at:
        waited = (now - task.created_at) / 1000
        lane = str(task.lane)
        _on_commit(session, lambda: metrics.task_started(kind, lane, waited))
    elif task.status in TERMINAL_STATUSES:
        outcome = "cancelled" if cancelled else str(task.status)
        run_s = (now - task.started_at) / 1000 if task.started_at else None
        _on_commit(session, lambda: metrics.task_finished(kind, mode, outcome, run_s))


def created(kind: str, params: dict[str, Any], *, finished: bool = False) -> None:
    """After the create committed; ``finished``: inserted already ``succeed`` (TTS, run by the API)."""
    metrics.task_created(kind, mode_of(params))
    if finished:
        metrics.task_finished(kind, mode_of(params), str(TaskStatus.SUCCEED), None)


def timed(kind: str, stage: str, executor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``executor`` that also observes its wall time as ``stage`` of ``kind`` (success or not)."""

    def run(ctx: Any) -> Any:
        began = time.perf_counter()
        try:
            return executor(ctx)
        finally:
            metrics.stage_time(kind, stage, time.perf_counter() - began)

    return run
