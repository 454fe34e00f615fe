"""The reaper: stale leases go back to the queue or fail after max attempts; lost doorbells ring again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import update

from kinema.db.engine import now_ms
from kinema.db.models import Task
from kinema.jobs import service
from kinema.jobs.reaper import reap_once, requeue_submitted
from kinema.queue import make_huey, pending_count
from kinema.runtime import Runtime
from tests.support.db import BACKENDS, make_account, runtime
from tests.support.doorbell import RecordingDoorbell


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param)


def _processing(rt: Runtime, acct: str, attempt: int, lease_delta_ms: int, **extra: object) -> Task:
    t = service.create_task(rt, account_id=acct, kind="avatar", params={}, inputs={})
    with rt.db.write() as s:
        s.execute(
            update(Task)
            .where(Task.id == t.id)
            .values(status="processing", attempt=attempt, lease_expires_at=now_ms() + lease_delta_ms, **extra)
        )
    return t


def _status(rt: Runtime, t: Task) -> Task:
    got = service.get_task(rt, t.account_id, "avatar", task_id=t.id)
    assert got is not None
    return got


def test_reap_requeues_or_fails(rt: Runtime) -> None:
    acct = make_account(rt)
    stale = _processing(rt, acct, 1, -1000)
    alive = _processing(rt, acct, 1, 60_000)
    spent = _processing(rt, acct, 3, -1000)
    cancelled = _processing(rt, acct, 1, -1000, cancel_requested=True)
    make_huey(rt.settings).flush()
    assert reap_once(rt) >= 3
    assert _status(rt, stale).status == "submitted" and _status(rt, stale).lease_expires_at is None
    assert _status(rt, alive).status == "processing"
    gone = _status(rt, spent)
    assert (
        gone.status == "failed"
        and gone.status_msg == "failed after 3 attempts: the worker stopped (lease expired)"
    )
    assert _status(rt, cancelled).status_msg == "cancelled by the client"
    assert pending_count(rt.settings) >= 1  # the requeued task rang its doorbell
    assert reap_once(rt) == 0  # idempotent


def test_requeue_submitted_and_lost_doorbells(rt: Runtime) -> None:
    acct = make_account(rt)
    t = service.create_task(rt, account_id=acct, kind="avatar", params={}, inputs={})
    huey = make_huey(rt.settings)
    huey.flush()
    assert requeue_submitted(rt) == 1 and pending_count(rt.settings) == 1
    huey.flush()  # the message is lost; the row is still submitted
    with rt.db.write() as s:
        s.execute(update(Task).where(Task.id == t.id).values(updated_at=now_ms() - 10_000))
    assert reap_once(rt) == 1 and pending_count(rt.settings) == 1


def test_lost_doorbells_are_rung_only_when_the_queue_is_empty(rt: Runtime) -> None:
    acct = make_account(rt)
    t = service.create_task(rt, account_id=acct, kind="avatar", params={}, inputs={})
    with rt.db.write() as s:
        s.execute(update(Task).where(Task.id == t.id).values(updated_at=now_ms() - 10_000))
    busy = RecordingDoorbell(waiting=1)  # other rings are still waiting: this one may be among them
    assert reap_once(replace(rt, doorbell=busy)) == 0 and busy.rung == []
    idle = RecordingDoorbell(waiting=0)
    assert reap_once(replace(rt, doorbell=idle)) == 1 and idle.rung == [t.id]


def test_dead_local_worker_is_reaped_before_its_lease_expires(rt: Runtime) -> None:
    acct = make_account(rt)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    dead = _processing(rt, acct, 1, 60_000, worker=f"{host}:{gone.pid}")
    alive = _processing(rt, acct, 1, 60_000, worker=f"{host}:{os.getpid()}")
    elsewhere = _processing(rt, acct, 1, 60_000, worker=f"other-host-{host}:{gone.pid}")
    reap_once(rt)
    assert _status(rt, dead).status == "submitted"
    assert _status(rt, alive).status == "processing"
    assert _status(rt, elsewhere).status == "processing"
