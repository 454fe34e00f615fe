"""The gateway's cap on upstream tasks, as the runner's claim applies it, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kinema.contract.vocabulary import TaskStatus
from kinema.db.engine import now_ms
from kinema.db.models import Task
from kinema.jobs import service
from kinema.jobs.upstream import claim_terms
from kinema.runtime import Runtime
from kinema.upstream.routes import WORKER_PREFIX
from tests.support.db import BACKENDS, make_account, runtime

CAP = 2


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(
        tmp_path,
        request.param,
        upstream_url="http://127.0.0.1:9",
        upstream_routes="kling-v2-6",
        upstream_concurrency=CAP,
        max_running_tasks=1000,
    )


def _task(rt: Runtime, account: str, model: str) -> str:
    params = {"model_name": model, "prompt": "p"}
    return service.create_task(rt, account_id=account, kind="image2video", params=params, inputs={}).id


def _claim(rt: Runtime, task_id: str) -> str | None:
    """The runner's claim (jobs/runner.py run_task), with the gate: the worker name recorded, or None."""
    with rt.db.write() as session:
        gate, worker = claim_terms(rt, session, task_id, "host:1")
        task = service.set_status(
            session,
            rt,
            task_id,
            TaskStatus.PROCESSING,
            expect_status=(TaskStatus.SUBMITTED,),
            extra_where=gate,
            attempt=Task.attempt + 1,
            lease_expires_at=now_ms() + 60_000,
            worker=worker,
        )
    return task.worker if task is not None else None


def _running_upstream(rt: Runtime) -> int:
    with rt.db.read() as session:
        return int(
            session.scalar(
                select(func.count()).where(Task.status == "processing", Task.worker.like(WORKER_PREFIX + "%"))
            )
            or 0
        )


def test_over_the_cap_a_task_stays_submitted_and_local_ones_are_not_held(rt: Runtime) -> None:
    acct = make_account(rt)
    remote = [_task(rt, acct, "kling-v2-6") for _ in range(CAP + 1)]
    local = _task(rt, acct, "kling-v1")
    assert [_claim(rt, t) for t in remote] == [f"{WORKER_PREFIX}host:1"] * CAP + [None]
    assert _claim(rt, local) == "host:1"  # not routed: no cap, no prefix
    with rt.db.write() as session:
        service.set_status(session, rt, remote[0], TaskStatus.SUCCEED, expect_status=(TaskStatus.PROCESSING,))
    assert _claim(rt, remote[CAP]) == f"{WORKER_PREFIX}host:1"  # a slot freed: the waiting one runs


def test_simultaneous_claims_keep_the_cap(rt: Runtime) -> None:
    acct = make_account(rt)
    tasks = [_task(rt, acct, "kling-v2-6") for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        claimed = [w for w in pool.map(lambda t: _claim(rt, t), tasks) if w]
    assert len(claimed) == CAP == _running_upstream(rt)
