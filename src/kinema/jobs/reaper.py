"""Give back tasks whose worker died, and re-ring doorbells that were lost.

Huey forgets a message once a worker takes it, so a worker killed mid-job leaves a ``processing`` row whose
lease stops being extended. The reaper moves such rows back to ``submitted`` (and re-enqueues them) or fails
them after ``max_attempts``. Every step is a conditional UPDATE, so any number of reapers can run at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from sqlalchemy import select

from kinema.contract.vocabulary import Lane, TaskStatus
from kinema.db.engine import now_ms
from kinema.db.models import Task
from kinema.jobs.service import release_for_retry, ring
from kinema.runtime import Runtime
from kinema.upstream.routes import WORKER_PREFIX

log = logging.getLogger(__name__)

LOST_REASON = "the worker stopped (lease expired)"
DIED_REASON = "the worker process died"
LOCAL_NAMES = frozenset({"", "localhost", "localhost.localdomain"})
"""Hostnames too common to prove that a worker ran on *this* machine."""
DOORBELL_GRACE_MS = 3000
"""A ``submitted`` row this old while the queue is empty has lost its doorbell (crash between commit and
enqueue, or a queue outage): ring it again. Duplicates are harmless, the claim drops them."""


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _release(rt: Runtime, task_id: str, attempt: int, lane: str, reason: str, extra: list[Any]) -> int:
    with rt.db.write() as session:
        outcome = release_for_retry(session, rt, task_id, attempt=attempt, reason=reason, extra_where=extra)
    if outcome is None:
        return 0  # heartbeat or another reaper got there first
    log.warning("task %s attempt %d lost its worker (%s): %s", task_id, attempt, reason, outcome)
    if outcome == "requeued":
        ring(rt, task_id, lane)
    return 1


def reap_once(rt: Runtime) -> int:
    """One pass: requeue or fail every ``processing`` row whose lease has expired, or whose worker process
    on this host is gone (no need to wait for the lease then). Returns rows handled."""
    now = now_ms()
    host = socket.gethostname()
    with rt.db.read() as session:
        rows = session.execute(
            select(Task.id, Task.attempt, Task.lane, Task.worker, Task.lease_expires_at).where(
                Task.status == TaskStatus.PROCESSING
            )
        ).all()
    handled = 0
    for task_id, attempt, lane, worker, lease in rows:
        if lease is not None and lease < now:
            handled += _release(rt, task_id, attempt, lane, LOST_REASON, [Task.lease_expires_at < now])
            continue
        name, _, pid = (worker or "").removeprefix(WORKER_PREFIX).rpartition(":")
        if name == host and host not in LOCAL_NAMES and pid.isdigit() and _pid_gone(int(pid)):
            handled += _release(rt, task_id, attempt, lane, DIED_REASON, [Task.worker == worker])
    handled += sum(_ring_lost_doorbells(rt, lane) for lane in Lane)
    return handled


def _ring_lost_doorbells(rt: Runtime, lane: Lane) -> int:
    """Ring again the old ``submitted`` rows of ``lane`` when its queue is empty (each lane on its own: a
    busy CPU queue says nothing of the GPU one)."""
    try:
        if rt.doorbell.pending(lane) > 0:
            return 0
    except Exception:
        log.warning("cannot read the length of the %s queue", lane, exc_info=True)
        return 0
    cutoff = now_ms() - DOORBELL_GRACE_MS
    with rt.db.read() as session:
        ids = list(
            session.scalars(
                select(Task.id)
                .where(Task.status == TaskStatus.SUBMITTED, Task.lane == lane, Task.updated_at < cutoff)
                .order_by(Task.created_at)
            )
        )
    for task_id in ids:
        ring(rt, task_id, lane)
    return len(ids)


def requeue_submitted(rt: Runtime, lanes: tuple[Lane, ...] = tuple(Lane)) -> int:
    """Start-up: ring the doorbell of every ``submitted`` row of ``lanes`` (a restart may have lost queued
    messages); a worker rings its own lane's."""
    with rt.db.read() as session:
        queued = (
            select(Task.id, Task.lane)
            .where(Task.status == TaskStatus.SUBMITTED, Task.lane.in_([str(x) for x in lanes]))
            .order_by(Task.created_at)
        )
        rows = session.execute(queued).all()
    for task_id, lane in rows:
        ring(rt, task_id, lane)
    return len(rows)


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
