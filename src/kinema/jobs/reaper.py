"""Give back tasks whose worker died, and re-ring doorbells that were lost.

Huey forgets a message once a worker takes it, so a worker killed mid-job leaves a ``processing`` row whose
lease stops being extended. The reaper moves such rows back to ``submitted`` (and re-enqueues them) or fails
them after ``max_attempts``. Every step is a conditional UPDATE, so any number of reapers can run at once.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from kinema.db.engine import now_ms
from kinema.db.models import Task
from kinema.jobs.service import release_for_retry, ring
from kinema.runtime import Runtime

log = logging.getLogger(__name__)

LOST_REASON = "the worker stopped (lease expired)"
DOORBELL_GRACE_MS = 3000
"""A ``submitted`` row this old while the queue is empty has lost its doorbell (crash between commit and
enqueue, or a queue outage): ring it again. Duplicates are harmless, the claim drops them."""


def reap_once(rt: Runtime) -> int:
    """One pass: requeue or fail every ``processing`` row whose lease has expired. Returns rows handled."""
    now = now_ms()
    with rt.db.read() as session:
        stale = session.execute(
            select(Task.id, Task.attempt).where(Task.status == "processing", Task.lease_expires_at < now)
        ).all()
    handled = 0
    for task_id, attempt in stale:
        with rt.db.write() as session:
            outcome = release_for_retry(
                session,
                rt,
                task_id,
                attempt=attempt,
                reason=LOST_REASON,
                extra_where=[Task.lease_expires_at < now],
            )
        if outcome is None:
            continue  # heartbeat or another reaper got there first
        handled += 1
        log.warning("task %s attempt %d lost its worker: %s", task_id, attempt, outcome)
        if outcome == "requeued":
            ring(rt, task_id)
    handled += _ring_lost_doorbells(rt)
    return handled


def _ring_lost_doorbells(rt: Runtime) -> int:
    from kinema.queue import pending_count

    try:
        if pending_count(rt.settings) > 0:
            return 0
    except Exception:
        log.warning("cannot read the queue length", exc_info=True)
        return 0
    cutoff = now_ms() - DOORBELL_GRACE_MS
    with rt.db.read() as session:
        ids = list(
            session.scalars(
                select(Task.id)
                .where(Task.status == "submitted", Task.updated_at < cutoff)
                .order_by(Task.created_at)
            )
        )
    for task_id in ids:
        ring(rt, task_id)
    return len(ids)


def requeue_submitted(rt: Runtime) -> int:
    """Start-up: ring the doorbell of every ``submitted`` row (a restart may have lost queued messages)."""
    with rt.db.read() as session:
        ids = list(
            session.scalars(select(Task.id).where(Task.status == "submitted").order_by(Task.created_at))
        )
    for task_id in ids:
        ring(rt, task_id)
    return len(ids)


def run_reaper(rt: Runtime, stop: threading.Event) -> None:
    """Thread body: ``reap_once`` every ``reaper_interval_s`` (Huey's periodic tasks only have minute
    resolution), plus removal of work folders left by killed workers."""
    from kinema.jobs.runner import remove_orphan_workdirs

    while not stop.wait(rt.settings.reaper_interval_s):
        try:
            reap_once(rt)
            remove_orphan_workdirs(rt)
        except Exception:
            log.exception("reaper pass failed")
