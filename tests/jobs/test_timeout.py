"""A job that overruns ``job_timeout_s`` ends ``failed`` with a message: whether the engine still reports
progress (stopped at its next call) or hangs silently (failed by the heartbeat)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kinema.jobs import service
from kinema.jobs.runner import run_task
from kinema.runtime import Runtime
from tests.support.db import make_account, runtime
from tests.support.slow_executor import slow_params


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, "sqlite", job_timeout_s=0.5, heartbeat_s=0.1, lease_s=5)


def _task(rt: Runtime, **params: object) -> str:
    acct = make_account(rt)
    return service.create_task(rt, account_id=acct, kind="avatar", params=slow_params(**params), inputs={}).id


def _status(rt: Runtime, task_id: str) -> tuple[str, str]:
    from kinema.db.models import Task

    with rt.db.read() as s:
        task = s.get(Task, task_id)
        assert task is not None
        return task.status, task.status_msg


def test_engine_reporting_progress_is_stopped(rt: Runtime) -> None:
    task_id = _task(rt, seconds=3.0, steps=60)
    assert run_task(rt, task_id, "w") == "failed"
    status, msg = _status(rt, task_id)
    assert status == "failed" and "longer than 0.5 s" in msg


def test_silent_hung_engine_is_failed_by_the_heartbeat(rt: Runtime) -> None:
    task_id = _task(rt, seconds=2.0, mode="no_progress")
    outcome = run_task(rt, task_id, "w")
    assert outcome == "lost"  # the heartbeat already failed it; the late finish is fenced off
    status, msg = _status(rt, task_id)
    assert status == "failed" and "KINEMA_JOB_TIMEOUT_S" in msg
