"""Callback delivery: order, signatures, retries with backoff, dead receivers, attempts listing."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kinema.db.models import WebhookOutbox
from kinema.jobs import service
from kinema.jobs.runner import run_task
from kinema.runtime import Runtime
from kinema.webhooks.sender import deliver_due, list_attempts, run_sender
from kinema.webhooks.signing import verify
from tests.support.db import BACKENDS, make_account, runtime
from tests.support.receiver import Receiver
from tests.support.slow_executor import slow_params

SECRET = "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI="


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param, webhook_secret=SECRET)


@pytest.fixture
def sender(rt: Runtime) -> Iterator[None]:
    stop = threading.Event()
    th = threading.Thread(target=run_sender, args=(rt, stop), daemon=True)
    th.start()
    yield
    stop.set()
    th.join(timeout=5)


def _wait(cond: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _states(rt: Runtime, task_id: str) -> list[str]:
    with rt.db.read() as s:
        return list(s.scalars(select(WebhookOutbox.state).where(WebhookOutbox.task_id == task_id)))


def _task(rt: Runtime, url: str, **params: object) -> tuple[str, str]:
    acct = make_account(rt)
    t = service.create_task(
        rt,
        account_id=acct,
        kind="avatar",
        params=slow_params(**{"seconds": 0.2, **params}),
        inputs={},
        callback_url=url,
        external_task_id="ext-9",
    )
    return acct, t.id


def test_every_status_in_order_and_signed(rt: Runtime, sender: None) -> None:
    rec = Receiver().start()
    try:
        acct, task_id = _task(rt, rec.url)
        assert run_task(rt, task_id, "w") == "succeed"
        _wait(lambda: len(rec.hits) >= 3)
        time.sleep(0.3)
        bodies = [json.loads(h.body) for h in rec.hits]
        assert [b["task_status"] for b in bodies] == ["submitted", "processing", "succeed"]
        assert all(b["task_id"] == task_id and b["task_info"]["external_task_id"] == "ext-9" for b in bodies)
        assert bodies[-1]["task_result"]["videos"][0]["url"].startswith("http")
        ids = set()
        for h in rec.hits:
            assert h.headers["content-type"] == "application/json"
            assert verify(
                SECRET,
                h.headers["webhook-id"],
                h.headers["webhook-timestamp"],
                h.body,
                h.headers["webhook-signature"],
            )
            ids.add(h.headers["webhook-id"])
        assert len(ids) == 3
        assert _states(rt, task_id) == ["delivered"] * 3
        attempts = list_attempts(rt, acct, task_id)
        assert [a["task_status"] for a in attempts] == ["submitted", "processing", "succeed"]
        assert all(a["status_code"] == 200 and a["state"] == "delivered" for a in attempts)
        assert list_attempts(rt, make_account(rt), task_id) == []
    finally:
        rec.stop()


def test_retries_with_backoff(rt: Runtime, sender: None) -> None:
    rec = Receiver(statuses=[500, 500, 200]).start()
    try:
        acct, task_id = _task(rt, rec.url)
        _wait(lambda: _states(rt, task_id) == ["delivered"])
        assert len(rec.hits) == 3
        gaps = [b.at - a.at for a, b in zip(rec.hits, rec.hits[1:], strict=False)]
        assert gaps[0] >= 0.18 and gaps[1] >= 0.38  # 0.2 s, then doubled
        assert len({h.headers["webhook-id"] for h in rec.hits}) == 1  # same message, re-signed
        attempts = list_attempts(rt, acct, task_id)
        assert [a["status_code"] for a in attempts] == [500, 500, 200]
        assert [a["attempt"] for a in attempts] == [1, 2, 3]
        assert attempts[0]["error"] == "HTTP 500"
    finally:
        rec.stop()


def test_dead_receiver_gives_up_and_keeps_order(rt: Runtime) -> None:
    rt.settings.webhook_backoff_s = 0.05
    acct, task_id = _task(rt, "http://127.0.0.1:9/refused")
    assert run_task(rt, task_id, "w") == "succeed"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and "pending" in _states(rt, task_id):
        deliver_due(rt)
        time.sleep(0.05)
    assert _states(rt, task_id) == ["dead"] * 3
    attempts = list_attempts(rt, acct, task_id)
    assert len(attempts) == 3 * rt.settings.webhook_max_attempts
    statuses = [a["task_status"] for a in attempts]
    assert statuses == sorted(statuses, key=["submitted", "processing", "succeed"].index)  # in order
    assert all(a["status_code"] is None and a["error"] for a in attempts)


def test_slow_receiver_never_delays_the_job(rt: Runtime, sender: None) -> None:
    rec = Receiver(delay_s=3.0).start()  # slower than webhook_timeout_s
    try:
        _, task_id = _task(rt, rec.url, seconds=0.5)
        time.sleep(0.3)  # the sender is now stuck on the first callback
        started = time.monotonic()
        assert run_task(rt, task_id, "w") == "succeed"
        assert time.monotonic() - started < 2.0
    finally:
        rec.stop()
