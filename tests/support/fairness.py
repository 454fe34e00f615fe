"""The callback-starvation scenario of issue 13 (item 6), shared by the regression test and the bench.

Account A has many tasks whose receiver hangs; account B then creates one task with a healthy receiver. The
figure is how long B's first callback ("submitted") takes to arrive after B's create. Only the public
pieces of the sender are used (``run_sender`` on a thread, the outbox written by ``create_task``), so the
same code measures the sender before and after a change.
"""

from __future__ import annotations

import threading
import time

from kinema.jobs import service
from kinema.runtime import Runtime
from kinema.webhooks.sender import run_sender
from tests.support.db import make_account
from tests.support.receiver import Receiver


def _task(rt: Runtime, account_id: str, url: str) -> str:
    task = service.create_task(
        rt, account_id=account_id, kind="avatar", params={"seconds": 0.1}, inputs={}, callback_url=url
    )
    return task.id


def starved_callback_delay(rt: Runtime, *, hanging_tasks: int, hang_s: float, wait_s: float) -> float | None:
    """Seconds from B's create to its first callback's arrival, or None when it did not arrive in ``wait_s``.

    The sender starts only once A's callbacks are queued, and B creates only once the hanging receiver has
    been reached (the sender is then busy with A), as in the probe that found the hole.
    """
    slow = Receiver(delay_s=hang_s).start()
    fast = Receiver().start()
    stop = threading.Event()
    sender = threading.Thread(target=run_sender, args=(rt, stop), daemon=True)
    try:
        account_a, account_b = make_account(rt, "account-a"), make_account(rt, "account-b")
        for _ in range(hanging_tasks):
            _task(rt, account_a, slow.url)
        sender.start()
        deadline = time.monotonic() + 10
        while not slow.hits and time.monotonic() < deadline:
            time.sleep(0.02)
        assert slow.hits, "the sender never reached the hanging receiver"
        created = time.monotonic()
        _task(rt, account_b, fast.url)
        deadline = created + wait_s
        while not fast.hits and time.monotonic() < deadline:
            time.sleep(0.02)
        return fast.hits[0].at - created if fast.hits else None
    finally:
        stop.set()
        sender.join(timeout=5)
        slow.stop()
        fast.stop()
