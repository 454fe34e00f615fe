"""Deliver outbox rows: POST, Standard-Webhooks signature, retries with exponential backoff, every attempt
recorded.

The sender runs on its own thread (in ``kinema worker``) with its own event loop, so a slow or dead receiver
never delays a job. Guarantees:

* **one delivery of a row at a time**, across senders: a row is claimed with a conditional UPDATE that pushes
  its ``next_attempt_at`` past the attempt's deadline;
* **per-task order**: only the oldest pending row of a task is eligible (a dead row no longer holds the next
  ones back);
* **fairness**: candidates are taken round-robin across accounts, and :mod:`kinema.webhooks.slots` caps the
  deliveries in flight overall, per receiver and per account, so one account's hanging receiver delays only
  its own callbacks;
* **a whole-attempt deadline** (``webhook_timeout_s``, DNS and connect included): a receiver that trickles
  its reply a byte at a time cannot hold a slot for longer;
* **the SSRF guard at every attempt** (:mod:`kinema.net.guard`): the host is resolved again (DNS may have
  changed since the create), every address must be public unless ``allow_private_urls``, the connection is
  pinned to the checked address, redirects are never followed and environment proxies are ignored;
* **a log that is no scanner**: a refused or failed network attempt is recorded with a generic reason (see
  :func:`post`); only a real reply's HTTP status shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import httpx
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased

from kinema.db.engine import now_ms
from kinema.db.models import WebhookAttempt, WebhookOutbox
from kinema.net.guard import HostUnresolvable, UrlRefused, pinned_target
from kinema.net.userinfo import without_userinfo
from kinema.observe import metrics
from kinema.runtime import Runtime
from kinema.webhooks.signing import sign
from kinema.webhooks.slots import Candidate, Caps, Slots

log = logging.getLogger(__name__)

POLL_S = 0.2
#: Shortest pause between two look-ups when deliveries end in a burst (they are batched into one).
MIN_LOOKUP_GAP_S = 0.01
#: ...and at least this many times the last look-up's own time: on a backlog of 10,000 due rows a look-up
#: takes 25-80 ms here, and waking for each finished delivery must not turn the sender into a busy loop.
LOOKUP_GAP_FACTOR = 4
#: On stop, deliveries in flight get this long to finish before they are cancelled (their claims expire
#: and the rows are delivered again later, with the same webhook-id).
STOP_GRACE_S = 1.0
CLAIM_MARGIN_MS = 5000
USER_AGENT = "kinema-webhooks/1"

NOT_ALLOWED = "address not allowed"
NETWORK_ERROR = "delivery failed: network error"
TIMED_OUT = "delivery failed: timed out"

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Due:
    """A claimed outbox row, detached from its session."""

    id: int
    webhook_id: str
    task_id: str
    url: str
    payload: str
    attempts: int


def due_candidates(
    rt: Runtime, now: int, limit: int, skip_accounts: set[str], skip_urls: set[str]
) -> list[Candidate]:
    """Up to ``limit`` rows that are due and first in line for their task, round-robin across accounts
    (every account's oldest row, then every account's second, …), leaving out accounts and receiver URLs
    that are at their cap. A flood from one account therefore never pushes another's rows out of the list."""
    if limit <= 0:
        return []
    older = aliased(WebhookOutbox)
    ahead = exists(
        select(older.id).where(
            older.task_id == WebhookOutbox.task_id, older.state == "pending", older.id < WebhookOutbox.id
        )
    )
    conditions = [WebhookOutbox.state == "pending", WebhookOutbox.next_attempt_at <= now, ~ahead]
    if skip_accounts:
        conditions.append(WebhookOutbox.account_id.notin_(sorted(skip_accounts)))
    if skip_urls:
        conditions.append(WebhookOutbox.url.notin_(sorted(skip_urls)))
    turn = func.row_number().over(partition_by=WebhookOutbox.account_id, order_by=WebhookOutbox.id)
    due = (
        select(
            WebhookOutbox.id,
            WebhookOutbox.account_id,
            WebhookOutbox.url,
            WebhookOutbox.next_attempt_at,
            turn.label("turn"),
        )
        .where(*conditions)
        .subquery()
    )
    stmt = (
        select(due.c.id, due.c.account_id, due.c.url, due.c.next_attempt_at)
        .order_by(due.c.turn, due.c.id)
        .limit(limit)
    )
    with rt.db.read() as session:
        return [Candidate(*row) for row in session.execute(stmt).all()]


def claim(rt: Runtime, rows: list[Candidate], now: int) -> list[Due]:
    """Claim ``rows`` (each only if no other sender changed it since it was read); the ones won."""
    if not rows:
        return []
    hold_until = now + int(rt.settings.webhook_timeout_s * 1000) + CLAIM_MARGIN_MS
    won: list[int] = []
    with rt.db.write() as session:
        for row in rows:
            res = session.execute(
                update(WebhookOutbox)
                .where(
                    WebhookOutbox.id == row.id,
                    WebhookOutbox.state == "pending",
                    WebhookOutbox.next_attempt_at == row.next_attempt_at,
                )
                .values(next_attempt_at=hold_until)
                .execution_options(synchronize_session=False)
            )
            if res.rowcount == 1:  # type: ignore[attr-defined]
                won.append(row.id)
        if not won:
            return []
        fields = (
            WebhookOutbox.id,
            WebhookOutbox.webhook_id,
            WebhookOutbox.task_id,
            WebhookOutbox.url,
            WebhookOutbox.payload,
            WebhookOutbox.attempts,
        )
        found = session.execute(select(*fields).where(WebhookOutbox.id.in_(won))).all()
    by_id = {r[0]: Due(*r) for r in found}
    return [by_id[i] for i in won if i in by_id]


def headers_for(rt: Runtime, due: Due) -> dict[str, str]:
    headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    secret = rt.settings.webhook_secret
    if secret:
        ts = int(time.time())
        headers["webhook-id"] = due.webhook_id
        headers["webhook-timestamp"] = str(ts)
        headers["webhook-signature"] = sign(secret, due.webhook_id, ts, due.payload)
    return headers


async def post(rt: Runtime, client: httpx.AsyncClient, due: Due) -> tuple[int | None, str]:
    """One POST of a claimed row under the whole-attempt deadline: (HTTP status or None, error or "").

    The error never says more than :data:`NOT_ALLOWED`, :data:`TIMED_OUT` or :data:`NETWORK_ERROR` unless a
    receiver really answered ("HTTP 503"): "connection refused" next to "HTTP 404" would let any key holder
    scan ports through the callbacks log."""
    settings = rt.settings
    try:
        async with asyncio.timeout(settings.webhook_timeout_s):
            target = await pinned_target(httpx.URL(due.url), allow_private=settings.allow_private_urls)
            request = client.build_request(
                "POST",
                target.url,
                content=due.payload.encode(),
                headers={**headers_for(rt, due), "host": target.host_header},
                extensions=target.extensions,
            )
            response = await client.send(request, stream=True)  # the status is all we need, not the body
            await response.aclose()
    except HostUnresolvable:
        return None, NETWORK_ERROR
    except UrlRefused:
        return None, NOT_ALLOWED
    except (TimeoutError, httpx.TimeoutException):
        return None, TIMED_OUT
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError):
        return None, NETWORK_ERROR
    status = response.status_code
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def record_attempt(rt: Runtime, due: Due, status: int | None, error: str, took_ms: int) -> bool:
    """Store the attempt; schedule the next one, or mark the row delivered or dead. True when delivered."""
    settings = rt.settings
    number = due.attempts + 1
    ok = not error
    now = now_ms()
    values: dict[str, Any] = {"attempts": number, "updated_at": now}
    if ok:
        values["state"] = "delivered"
    elif number >= settings.webhook_max_attempts:
        values["state"] = "dead"
    else:
        values["next_attempt_at"] = now + int(settings.webhook_backoff_s * 1000 * 2 ** (number - 1))
    with rt.db.write() as session:
        session.add(
            WebhookAttempt(
                outbox_id=due.id,
                task_id=due.task_id,
                attempt=number,
                at=now,
                status_code=status,
                error=error[:2000],
                duration_ms=took_ms,
            )
        )
        session.execute(
            update(WebhookOutbox)
            .where(WebhookOutbox.id == due.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    metrics.webhook_attempt("delivered" if ok else str(values.get("state", "retry")))
    if not ok:
        log.info("callback %s for task %s attempt %d failed: %s", due.webhook_id, due.task_id, number, error)
    return ok


class _Sender:
    """One sender's loop: look up fair candidates, claim what the slots admit, deliver concurrently."""

    def __init__(self, rt: Runtime, client: httpx.AsyncClient, db_pool: ThreadPoolExecutor) -> None:
        self.rt = rt
        self.client = client
        self.db_pool = db_pool
        self.slots = Slots(Caps.from_settings(rt.settings))
        self.running: set[asyncio.Task[bool]] = set()
        self.wake = asyncio.Event()
        self.attempts = 0
        self.gap_s = MIN_LOOKUP_GAP_S

    async def _db(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Database calls run on the sender's own threads: not behind slow DNS look-ups, not on the loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.db_pool, lambda: fn(*args, **kwargs))

    async def fill(self) -> int:
        """Start as many deliveries as the slots admit; how many were started."""
        slots = self.slots
        if not slots.free():
            return 0
        now = now_ms()
        window = 4 * slots.caps.total
        started = time.monotonic()
        rows = await self._db(
            due_candidates, self.rt, now, window, slots.full_accounts(), slots.full_receiver_urls()
        )
        self.gap_s = max(MIN_LOOKUP_GAP_S, LOOKUP_GAP_FACTOR * (time.monotonic() - started))
        picked = slots.pick(rows)
        try:
            claimed = await self._db(claim, self.rt, picked, now)
        except BaseException:
            for row in picked:  # a failed claim must not leak its slots
                slots.release(row.id)
            raise
        won = {due.id for due in claimed}
        for row in picked:
            if row.id not in won:
                slots.release(row.id)
        for due in claimed:
            task = asyncio.create_task(self._deliver(due))
            self.running.add(task)
            task.add_done_callback(self.running.discard)
        self.attempts += len(claimed)
        return len(claimed)

    async def _deliver(self, due: Due) -> bool:
        started = time.monotonic()
        try:
            status, error = await post(self.rt, self.client, due)
            took = int((time.monotonic() - started) * 1000)
            return await self._db(record_attempt, self.rt, due, status, error, took)
        except Exception:
            log.exception("callback %s for task %s: delivery crashed", due.webhook_id, due.task_id)
            return False
        finally:
            self.slots.release(due.id)
            self.wake.set()

    async def run(self, stop: threading.Event | None) -> int:
        """Deliver until ``stop`` is set; with no ``stop``, until nothing is due and nothing is in flight."""
        while stop is None or not stop.is_set():
            self.wake.clear()
            try:
                started = await self.fill()
            except Exception:
                log.exception("callback sender pass failed")
                started = 0
            if stop is None and not started and not self.running:
                break
            if stop is None and started:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), POLL_S)
            await asyncio.sleep(self.gap_s)
        if self.running:
            await asyncio.wait(set(self.running), timeout=STOP_GRACE_S)
        for task in list(self.running):
            task.cancel()
        await asyncio.gather(*self.running, return_exceptions=True)
        return self.attempts


async def _serve(rt: Runtime, stop: threading.Event | None) -> int:
    caps = Caps.from_settings(rt.settings)
    loop = asyncio.get_running_loop()
    # getaddrinfo runs on the loop's default executor: one thread per slot, so look-ups never queue behind
    # a slow DNS server's. The database gets threads of its own.
    loop.set_default_executor(ThreadPoolExecutor(max_workers=caps.total, thread_name_prefix="kinema-dns"))
    db_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kinema-webhook-db")
    try:
        async with httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(rt.settings.webhook_timeout_s),
            # no keep-alive: a connection pinned to one address must not be reused for another host name
            limits=httpx.Limits(max_connections=caps.total, max_keepalive_connections=0),
        ) as client:
            return await _Sender(rt, client, db_pool).run(stop)
    finally:
        db_pool.shutdown(wait=True)


def deliver_due(rt: Runtime) -> int:
    """Deliver what is due now, synchronously (tests, one-shot use). Returns the number of attempts made."""
    return asyncio.run(_serve(rt, None))


def run_sender(rt: Runtime, stop_event: threading.Event) -> None:
    """Thread body: deliver callbacks until ``stop_event`` is set."""
    asyncio.run(_serve(rt, stop_event))


def list_attempts(rt: Runtime, account_id: str, task_id: str) -> list[dict[str, Any]]:
    """Every delivery attempt of this task's callbacks, oldest first (the API shows them). The URL is shown
    without credentials: whoever can read the task need not learn the receiver's password."""
    stmt = (
        select(WebhookAttempt, WebhookOutbox)
        .join(WebhookOutbox, WebhookOutbox.id == WebhookAttempt.outbox_id)
        .where(WebhookOutbox.account_id == account_id, WebhookOutbox.task_id == task_id)
        .order_by(WebhookAttempt.id)
    )
    with rt.db.read() as session:
        rows = session.execute(stmt).all()
    out: list[dict[str, Any]] = []
    for att, box in rows:
        try:
            task_status = json.loads(box.payload).get("task_status", "")
        except ValueError:
            task_status = ""
        out.append(
            {
                "webhook_id": box.webhook_id,
                "url": without_userinfo(box.url),
                "task_status": task_status,
                "attempt": att.attempt,
                "at": att.at,
                "status_code": att.status_code,
                "error": att.error,
                "duration_ms": att.duration_ms,
                "state": box.state,
            }
        )
    return out
