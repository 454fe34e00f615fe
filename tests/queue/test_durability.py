"""Durability with real worker processes: the task row, not the queue message, decides what runs.

Short timings (lease 2 s, heartbeat 0.4 s, reaper every 0.3 s) keep these fast; the measured recovery times
are printed (``pytest -s``) and bounded by assertions.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kinema.db.models import Task
from kinema.jobs import service
from kinema.runtime import Runtime
from tests.support.db import make_account, runtime
from tests.support.services import listening
from tests.support.slow_executor import slow_params
from tests.support.workers import WorkerProcess, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, "sqlite", workers=2)


@pytest.fixture
def worker(rt: Runtime, tmp_path: Path) -> Iterator[WorkerProcess]:
    w = WorkerProcess(rt.settings, tmp_path / "worker.log")
    yield w
    w.stop()


def _create(rt: Runtime, acct: str, **params: Any) -> Task:
    return service.create_task(rt, account_id=acct, kind="avatar", params=slow_params(**params), inputs={})


def _get(rt: Runtime, t: Task) -> Task:
    got = service.get_task(rt, t.account_id, t.kind, task_id=t.id)
    assert got is not None
    return got


def _status(rt: Runtime, t: Task, *statuses: str) -> bool:
    return _get(rt, t).status in statuses


def test_idle_pickup_and_concurrent_creates(rt: Runtime, worker: WorkerProcess) -> None:
    acct = make_account(rt)
    warm = _create(rt, acct, seconds=0.1)
    wait_for(lambda: _status(rt, warm, "succeed"), 30, "the first task", worker)
    time.sleep(3)  # idle: the consumer's polling interval has backed off to its maximum
    t = _create(rt, acct, seconds=0.1)
    wait_for(lambda: _status(rt, t, "succeed"), 10, "the idle pickup", worker)
    done = _get(rt, t)
    assert done.started_at is not None
    pickup = (done.started_at - done.created_at) / 1000
    print(f"idle pickup: {pickup:.2f} s")
    assert pickup <= 1.5  # design goal ≤ 1 s (measured ~0.4 s); margin for a loaded CI machine
    with ThreadPoolExecutor(max_workers=8) as pool:
        tasks = list(pool.map(lambda _: _create(rt, acct, seconds=0.05, steps=2), range(20)))
    wait_for(lambda: all(_status(rt, x, "succeed") for x in tasks), 60, "20 tasks", worker)


def test_sigkill_of_the_job_process_recovers(rt: Runtime, worker: WorkerProcess) -> None:
    t = _create(rt, make_account(rt), seconds=3)
    wait_for(lambda: _status(rt, t, "processing"), 30, "processing", worker)
    time.sleep(0.5)
    pid = int((_get(rt, t).worker or "").rsplit(":", 1)[1])
    assert pid != worker.pid
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    wait_for(lambda: _status(rt, t, "succeed", "failed"), 40, "recovery", worker)
    took = time.monotonic() - killed
    done = _get(rt, t)
    print(f"SIGKILL of the job process -> succeed in {took:.1f} s (lease 2 s, job 3 s)")
    assert done.status == "succeed" and done.attempt == 2
    assert took < 15  # dead process noticed by the reaper, then the 3 s job again


def test_whole_worker_killed_and_restarted(rt: Runtime, tmp_path: Path) -> None:
    first = WorkerProcess(rt.settings, tmp_path / "w1.log")
    try:
        t = _create(rt, make_account(rt), seconds=3)
        wait_for(lambda: _status(rt, t, "processing"), 30, "processing", first)
        time.sleep(0.5)
        first.kill_group(signal.SIGKILL)
        first.proc.wait(timeout=10)
        killed = time.monotonic()
    finally:
        first.stop()
    assert _get(rt, t).status == "processing"  # nobody left to finish it
    second = WorkerProcess(rt.settings, tmp_path / "w2.log")
    try:
        wait_for(lambda: _status(rt, t, "succeed", "failed"), 40, "recovery after restart", second)
        print(f"process group SIGKILL + restart -> succeed in {time.monotonic() - killed:.1f} s")
        assert _get(rt, t).status == "succeed"
    finally:
        second.stop()


def test_a_job_that_kills_its_worker_fails_after_max_attempts(rt: Runtime, worker: WorkerProcess) -> None:
    t = _create(rt, make_account(rt), mode="suicide")
    took = wait_for(lambda: _status(rt, t, "succeed", "failed"), 60, "failure", worker)
    done = _get(rt, t)
    print(f"self-killing job -> failed after {done.attempt} attempts in {took:.1f} s")
    assert done.status == "failed" and done.attempt == 3
    # the reaper sees the dead process (same host) before the lease even expires
    assert done.status_msg in (
        "failed after 3 attempts: the worker process died",
        "failed after 3 attempts: the worker stopped (lease expired)",
    )
    ok = _create(rt, make_account(rt), seconds=0.1)  # the pool replaced its dead workers
    wait_for(lambda: _status(rt, ok, "succeed"), 20, "a task after the crashes", worker)


def test_cancel_running_job(rt: Runtime, worker: WorkerProcess) -> None:
    acct = make_account(rt)
    t = _create(rt, acct, seconds=30, steps=300)
    wait_for(lambda: _status(rt, t, "processing"), 30, "processing", worker)
    time.sleep(0.5)
    service.cancel_task(rt, acct, "avatar", t.id)
    took = wait_for(lambda: _status(rt, t, "failed"), 10, "cancel", worker)
    print(f"cancel of a running job -> failed in {took:.2f} s")
    assert _get(rt, t).status_msg == "cancelled by the client" and took < 2.0


def test_sigterm_hands_running_job_back(rt: Runtime, tmp_path: Path) -> None:
    first = WorkerProcess(rt.settings, tmp_path / "w1.log")
    t = _create(rt, make_account(rt), seconds=3)
    try:
        wait_for(lambda: _status(rt, t, "processing"), 30, "processing", first)
        time.sleep(0.3)
    finally:
        first.stop()
    back = _get(rt, t)
    assert back.status == "submitted" and back.attempt == 0  # handed back without spending an attempt
    second = WorkerProcess(rt.settings, tmp_path / "w2.log")
    try:
        wait_for(lambda: _status(rt, t, "succeed"), 30, "succeed after restart", second)
        assert _get(rt, t).attempt == 1
    finally:
        second.stop()



@pytest.mark.postgres
@pytest.mark.redis
def test_redis_and_postgres_mode(tmp_path: Path) -> None:
    if not listening(6379):
        pytest.skip("Redis at 127.0.0.1:6379 is unreachable")
    queue = f"redis://127.0.0.1:6379/0#kinema-test-{secrets.token_hex(4)}"
    gen = runtime(tmp_path, "postgres", queue_url=queue, workers=2)
    rt = next(gen)
    w = WorkerProcess(rt.settings, tmp_path / "worker.log")
    try:
        acct = make_account(rt)
        t = _create(rt, acct, seconds=2)
        wait_for(lambda: _status(rt, t, "processing"), 30, "processing", w)
        time.sleep(0.3)
        os.kill(int((_get(rt, t).worker or "").rsplit(":", 1)[1]), signal.SIGKILL)
        took = wait_for(lambda: _status(rt, t, "succeed", "failed"), 40, "recovery", w)
        print(f"Redis+PostgreSQL: SIGKILL of the job process -> {_get(rt, t).status} in {took:.1f} s")
        assert _get(rt, t).status == "succeed" and _get(rt, t).attempt == 2
        quick = _create(rt, acct, seconds=0.1)
        wait_for(lambda: _status(rt, quick, "succeed"), 10, "a second task", w)
    finally:
        w.stop()
        from kinema.queue import make_huey

        make_huey(rt.settings).flush()
        gen.close()
