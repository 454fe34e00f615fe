"""Deliver outbox rows: POST, Standard-Webhooks signature, retries with exponential backoff, every attempt
recorded.

The sender runs on its own thread (in ``kinema worker``), with a bounded pool of delivery threads, so a slow
or dead receiver never delays a job. A row is claimed with a conditional UPDATE that pushes its
``next_attempt_at`` past the request timeout, so several senders never deliver the same row at once. Per task,
only the oldest pending row is eligible: callbacks of one task arrive in order (a row that is dead no longer
holds the next ones back).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import exists, select, update
from sqlalchemy.orm import aliased

from kinema.db.engine import now_ms
from kinema.db.models import WebhookAttempt, WebhookOutbox
from kinema.runtime import Runtime
from kinema.webhooks.signing import sign

log = logging.getLogger(__name__)

POLL_S = 0.2
MAX_INFLIGHT = 8
CLAIM_MARGIN_MS = 5000
USER_AGENT = "kinema-webhooks/1"


@dataclass(frozen=True)
class Due:
    """A claimed outbox row, detached from its session."""

    id: int
    webhook_id: str
    task_id: str
    url: str
    payload: str
    attempts: int


def claim_due(rt: Runtime, limit: int) -> list[Due]:
    """Claim up to ``limit`` rows that are due and first in line for their task."""
    if limit <= 0:
        return []
    now = now_ms()
    older = aliased(WebhookOutbox)
    ahead = exists(
        select(older.id).where(
            older.task_id == WebhookOutbox.task_id, older.state == "pending", older.id < WebhookOutbox.id
        )
    )
    stmt = (
        select(WebhookOutbox)
        .where(WebhookOutbox.state == "pending", WebhookOutbox.next_attempt_at <= now, ~ahead)
        .order_by(WebhookOutbox.id)
        .limit(limit)
    )
    with rt.db.read() as session:
        rows = list(session.scalars(stmt))
    if not rows:
        return []
    hold_until = now + int(rt.settings.webhook_timeout_s * 1000) + CLAIM_MARGIN_MS
    claimed: list[Due] = []
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
                claimed.append(Due(row.id, row.webhook_id, row.task_id, row.url, row.payload, row.attempts))
    return claimed


def headers_for(rt: Runtime, due: Due) -> dict[str, str]:
    headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    secret = rt.settings.webhook_secret
    if secret:
        ts = int(time.time())
        headers["webhook-id"] = due.webhook_id
        headers["webhook-timestamp"] = str(ts)
        headers["webhook-signature"] = sign(secret, due.webhook_id, ts, due.payload)
    return headers


def attempt(rt: Runtime, client: httpx.Client, due: Due) -> bool:
    """One POST of a claimed row; records the attempt and schedules the next one. True when delivered."""
    settings = rt.settings
    started = time.monotonic()
    status: int | None = None
    error = ""
    try:
        resp = client.post(
            due.url,
            content=due.payload.encode(),
            headers=headers_for(rt, due),
            timeout=settings.webhook_timeout_s,
        )
        status = resp.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    except Exception as exc:  # an invalid URL must not kill the sender
        error = f"{type(exc).__name__}: {exc}"
    took = int((time.monotonic() - started) * 1000)
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
                duration_ms=took,
            )
        )
        session.execute(
            update(WebhookOutbox)
            .where(WebhookOutbox.id == due.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if not ok:
        log.info("callback %s for task %s attempt %d failed: %s", due.webhook_id, due.task_id, number, error)
    return ok


def deliver_due(rt: Runtime) -> int:
    """Deliver what is due now, synchronously (tests, one-shot use). Returns the number of attempts made."""
    count = 0
    with httpx.Client(follow_redirects=False) as client:
        while True:
            batch = claim_due(rt, MAX_INFLIGHT)
            if not batch:
                return count
            with ThreadPoolExecutor(max_workers=MAX_INFLIGHT) as pool:
                list(pool.map(lambda d: attempt(rt, client, d), batch))
            count += len(batch)


def run_sender(rt: Runtime, stop_event: threading.Event) -> None:
    """Thread body: poll the outbox every ``POLL_S`` and keep at most ``MAX_INFLIGHT`` deliveries running."""
    pool = ThreadPoolExecutor(max_workers=MAX_INFLIGHT, thread_name_prefix="kinema-webhook")
    inflight: set[Future[bool]] = set()
    with httpx.Client(follow_redirects=False) as client:
        while not stop_event.is_set():
            inflight = {f for f in inflight if not f.done()}
            try:
                for due in claim_due(rt, MAX_INFLIGHT - len(inflight)):
                    inflight.add(pool.submit(attempt, rt, client, due))
            except Exception:
                log.exception("callback sender pass failed")
            stop_event.wait(POLL_S)
        pool.shutdown(wait=False, cancel_futures=True)


def list_attempts(rt: Runtime, account_id: str, task_id: str) -> list[dict[str, Any]]:
    """Every delivery attempt of this task's callbacks, oldest first (the API shows them)."""
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
                "url": box.url,
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
