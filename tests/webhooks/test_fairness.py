"""Fair delivery: one account's hanging receiver must not delay another account's callbacks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kinema.jobs import service
from kinema.runtime import Runtime
from kinema.webhooks import sender as sender_mod
from kinema.webhooks.sender import run_sender
from tests.support.db import make_account, runtime
from tests.support.fairness import starved_callback_delay
from tests.support.receiver import Receiver


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, "sqlite", allow_private_urls=True, webhook_timeout_s=2.0)


def test_a_hanging_receiver_does_not_starve_another_account(rt: Runtime) -> None:
    """Issue 13, item 6: sixteen tasks of account A on a receiver that never answers in time. Before the fix
    B's first callback waited for A's attempts to time out, again and again (72.6 s with the default 10 s
    timeout); now it goes out on the sender's next pass."""
    delay = starved_callback_delay(rt, hanging_tasks=16, hang_s=30.0, wait_s=6.0)
    assert delay is not None, "account B's callback did not arrive within 6 s"
    assert delay < 1.5, delay


def _task(rt: Runtime, account_id: str, url: str) -> None:
    service.create_task(rt, account_id=account_id, kind="avatar", params={}, inputs={}, callback_url=url)


def test_one_receiver_gets_at_most_its_share(rt: Runtime) -> None:
    """Eight callbacks to one slow receiver (of eight accounts, so the account cap does not bite) are sent at
    most ``webhook_max_inflight_per_receiver`` at a time; a second receiver of the same accounts is served
    meanwhile."""
    rt.settings.webhook_max_inflight_per_receiver = 2
    slow = Receiver(delay_s=0.4).start()
    fast = Receiver().start()
    stop = threading.Event()
    sender = threading.Thread(target=run_sender, args=(rt, stop), daemon=True)
    try:
        accounts = [make_account(rt) for _ in range(8)]
        for acct in accounts:
            _task(rt, acct, slow.url)
        _task(rt, accounts[0], fast.url)
        started = time.monotonic()
        sender.start()
        deadline = started + 10
        while len(slow.hits) < 8 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(slow.hits) == 8
        assert slow.peak == 2
        assert fast.hits and fast.hits[0].at - started < 1.0
    finally:
        stop.set()
        sender.join(timeout=5)
        slow.stop()
        fast.stop()


def test_a_failed_claim_gives_its_slots_back(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a single slot, a claim that fails once (say, the database is briefly locked) must not keep that
    slot: the callback is still delivered on a later pass."""
    rt.settings.webhook_max_inflight = 1
    real_claim = sender_mod.claim
    calls: list[int] = []

    def flaky_claim(*args: object) -> list[sender_mod.Due]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        return real_claim(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sender_mod, "claim", flaky_claim)
    rec = Receiver().start()
    stop = threading.Event()
    sender = threading.Thread(target=run_sender, args=(rt, stop), daemon=True)
    try:
        _task(rt, make_account(rt), rec.url)
        sender.start()
        deadline = time.monotonic() + 5
        while not rec.hits and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(calls) >= 2 and len(rec.hits) == 1
    finally:
        stop.set()
        sender.join(timeout=5)
        rec.stop()
