"""Callback delivery: order, signatures, retries with backoff, dead receivers, attempts listing, and the
SSRF guard at every attempt (private receivers, DNS rebinding, redirects, generic failure reasons)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kinema.api.callback_url import check_callback_url
from kinema.db.models import WebhookOutbox
from kinema.jobs import service
from kinema.jobs.runner import run_task
from kinema.net import guard
from kinema.runtime import Runtime
from kinema.webhooks.sender import deliver_due, list_attempts, run_sender
from kinema.webhooks.signing import verify
from tests.support.db import BACKENDS, make_account, runtime
from tests.support.receiver import Receiver
from tests.support.slow_executor import slow_params

SECRET = "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI="


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    """Receivers in these tests listen on 127.0.0.1, so the private-address guard is relaxed here; the
    guarded runtime below checks that it refuses them."""
    yield from runtime(tmp_path, request.param, webhook_secret=SECRET, allow_private_urls=True)


@pytest.fixture(params=BACKENDS)
def guarded_rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    """The default: callbacks may reach public addresses only."""
    yield from runtime(tmp_path, request.param, webhook_backoff_s=0.05, webhook_max_attempts=2)


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


def _deliver_all(rt: Runtime, task_id: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and "pending" in _states(rt, task_id):
        deliver_due(rt)
        time.sleep(0.05)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433", "0x7f000001", "[::1]"]
)
def test_private_receiver_is_never_contacted(guarded_rt: Runtime, host: str) -> None:
    """A callback_url that is (or has become, by DNS) private is refused at each delivery: no request is
    sent, and the log says only that the address is not allowed."""
    rec = Receiver().start()
    try:
        port = rec.url.rsplit(":", 1)[1].split("/")[0]
        acct, task_id = _task(guarded_rt, f"http://{host}:{port}/hook")
        _deliver_all(guarded_rt, task_id)
        assert rec.hits == []
        attempts = list_attempts(guarded_rt, acct, task_id)
        assert len(attempts) == guarded_rt.settings.webhook_max_attempts
        assert {a["error"] for a in attempts} == {"address not allowed"}
        assert all(a["status_code"] is None for a in attempts)
    finally:
        rec.stop()


def test_network_failures_are_reported_generically(rt: Runtime) -> None:
    """A closed port and a live receiver must not be told apart by anything but a real HTTP status: the log
    is no port scanner."""
    rt.settings.webhook_backoff_s = 0.05
    rec = Receiver(statuses=[404]).start()
    try:
        closed_acct, closed = _task(rt, "http://127.0.0.1:9/hook")
        live_acct, live = _task(rt, rec.url)
        _deliver_all(rt, closed)
        _deliver_all(rt, live)
        closed_errors = {a["error"] for a in list_attempts(rt, closed_acct, closed)}
        assert closed_errors == {"delivery failed: network error"}
        live_attempts = list_attempts(rt, live_acct, live)
        assert {a["error"] for a in live_attempts} == {"HTTP 404"}
        assert {a["status_code"] for a in live_attempts} == {404}
    finally:
        rec.stop()


def test_redirects_are_not_followed(rt: Runtime) -> None:
    """A receiver that redirects gets its status logged; the target of the redirect is never contacted."""
    target = Receiver().start()
    rec = Receiver(statuses=[307], headers={"location": target.url}).start()
    try:
        acct, task_id = _task(rt, rec.url)
        deliver_due(rt)
        assert len(rec.hits) == 1 and target.hits == []
        assert list_attempts(rt, acct, task_id)[0]["error"] == "HTTP 307"
    finally:
        rec.stop()
        target.stop()


def test_an_attempt_has_a_total_deadline(rt: Runtime) -> None:
    """A receiver that trickles its reply a byte at a time never trips a per-read timeout; the attempt must
    still end at ``webhook_timeout_s``, or a slow receiver holds a delivery slot for ever."""
    rt.settings.webhook_timeout_s = 1.0
    rec = Receiver(trickle_s=0.3).start()
    try:
        acct, task_id = _task(rt, rec.url)
        started = time.monotonic()
        deliver_due(rt)
        took = time.monotonic() - started
        attempts = list_attempts(rt, acct, task_id)
        assert took < 2.5, took
        assert attempts[0]["error"] == "delivery failed: timed out"
        assert attempts[0]["duration_ms"] < 2000
    finally:
        rec.stop()


def _dns(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    """Make the guard resolve every name to the next of ``answers`` (the last repeats); returns the names
    looked up."""
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        asked.append(host)
        return [ipaddress.ip_address(answers[min(len(asked), len(answers)) - 1])]

    monkeypatch.setattr(guard, "resolve_host", resolve)
    return asked


def test_connection_is_pinned_to_the_checked_address(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard resolves the name once per attempt and the POST goes to that address, with the name as Host:
    "hooks.invalid" cannot be resolved by the system, so a delivery proves the pinned address was used."""
    asked = _dns(monkeypatch, ["127.0.0.1"])
    rec = Receiver().start()
    try:
        port = rec.url.rsplit(":", 1)[1].split("/")[0]
        _, task_id = _task(rt, f"http://hooks.invalid:{port}/hook")
        deliver_due(rt)
        assert _states(rt, task_id) == ["delivered"]
        assert asked == ["hooks.invalid"]
        assert rec.hits[0].headers["host"] == f"hooks.invalid:{port}"
    finally:
        rec.stop()


def test_dns_rebinding_after_create_is_refused(guarded_rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name was public when the task was created; by delivery time it points at loopback. The sender
    checks again and sends nothing."""
    _dns(monkeypatch, ["93.184.216.34", "127.0.0.1"])
    rec = Receiver().start()
    try:
        port = rec.url.rsplit(":", 1)[1].split("/")[0]
        url = f"http://rebind.invalid:{port}/hook"
        asyncio.run(check_callback_url(url, guarded_rt.settings))  # accepted at create: public then
        acct, task_id = _task(guarded_rt, url)
        _deliver_all(guarded_rt, task_id)
        assert rec.hits == []
        assert {a["error"] for a in list_attempts(guarded_rt, acct, task_id)} == {"address not allowed"}
    finally:
        rec.stop()


def test_two_senders_deliver_each_callback_once_and_in_order(rt: Runtime) -> None:
    """Two senders on one database (two ``kinema worker`` processes): the conditional claim lets only one
    deliver a row, and each task's callbacks still arrive in order."""
    stop = threading.Event()
    senders = [threading.Thread(target=run_sender, args=(rt, stop), daemon=True) for _ in range(2)]
    rec = Receiver(delay_s=0.05).start()
    try:
        for th in senders:
            th.start()
        tasks = [_task(rt, rec.url)[1] for _ in range(4)]
        for task_id in tasks:
            assert run_task(rt, task_id, "w") == "succeed"
        _wait(lambda: all(_states(rt, t) == ["delivered"] * 3 for t in tasks), timeout=20)
        time.sleep(0.3)
        ids = [h.headers["webhook-id"] for h in rec.hits]
        assert len(ids) == len(set(ids)) == 12
        for task_id in tasks:
            bodies = [json.loads(h.body) for h in rec.hits]
            statuses = [b["task_status"] for b in bodies if b["task_id"] == task_id]
            assert statuses == ["submitted", "processing", "succeed"]
    finally:
        stop.set()
        for th in senders:
            th.join(timeout=5)
        rec.stop()


def test_a_malformed_url_fails_the_attempt_not_the_sender(rt: Runtime) -> None:
    rt.settings.webhook_max_attempts = 1
    acct, task_id = _task(rt, "http://exa mple.com:99999/hook")
    deliver_due(rt)
    assert list_attempts(rt, acct, task_id)[0]["error"] == "delivery failed: network error"
    assert _states(rt, task_id) == ["dead"]
