"""The worker's composition root: a doorbell delivered by Huey runs the task, on a runtime of the
worker's own process."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kinema import worker
from kinema.contract.vocabulary import TaskStatus
from kinema.jobs import service
from kinema.queue import app as queue_app
from kinema.queue.app import get_queue, set_handler
from kinema.runtime import Runtime
from kinema.worker import RunTasks, worker_name
from tests.support.db import BACKENDS, make_account, runtime
from tests.support.slow_executor import slow_params


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param)


@pytest.fixture
def handler(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunTasks]:
    monkeypatch.setattr(queue_app, "_handler", None)  # restored after the test
    run = RunTasks(rt.settings)
    set_handler(run)
    yield run
    if run._runtime is not None:
        run._runtime[1].close()


def test_a_delivered_doorbell_runs_the_task(rt: Runtime, handler: RunTasks) -> None:
    acct = make_account(rt)
    task = service.create_task(rt, account_id=acct, kind="avatar", params=slow_params(seconds=0.1), inputs={})
    huey, _ = get_queue(rt.settings)
    huey.execute(huey.dequeue())  # what a consumer's worker process does with the ring
    done = service.get_task(rt, acct, "avatar", task_id=task.id)
    assert done is not None and done.status == TaskStatus.SUCCEED
    assert done.worker == worker_name() == f"{socket.gethostname()}:{os.getpid()}"
    assert handler.runtime() is not rt  # the worker's own handles, not the API's


def test_the_runtime_is_built_once_per_process(
    rt: Runtime, handler: RunTasks, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = handler.runtime()
    assert handler.runtime() is first
    monkeypatch.setattr(worker.os, "getpid", lambda: -1)  # as seen from a forked worker process
    forked = handler.runtime()
    assert forked is not first and handler.runtime() is forked
    first.close()


def test_each_worker_process_warms_up_in_the_background(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    """The start-up hook returns at once (the process takes tasks meanwhile) and loads the configured kinds'
    models in a thread of its own."""
    import threading

    from kinema.settings import Settings

    seen: list[tuple[list[str], str]] = []
    done = threading.Event()

    def fake_warm_up(kinds: list[str], _settings: Settings) -> None:
        seen.append((kinds, threading.current_thread().name))
        done.set()

    monkeypatch.setattr(worker, "warm_up", fake_warm_up)
    worker._warm_up_in_background(Settings(data_dir=tmp_path, warm_kinds=["avatar"]))
    assert done.wait(5)
    assert seen == [(["avatar"], "kinema-warm-up")]


def test_idle_openmp_threads_sleep_unless_the_operator_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    worker.quiet_idle_threads()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    worker.quiet_idle_threads()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
