"""The outbox: one row per callback, written in the same transaction as the status change it reports.

Because the row commits (or rolls back) with the change, a callback is never sent for a change that did not
happen and never lost for one that did; the sender delivers rows later, on its own thread.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from kinema.contract.tasks import callback_object
from kinema.db.engine import now_ms
from kinema.db.models import Task, WebhookOutbox

if TYPE_CHECKING:
    from kinema.runtime import Runtime


def new_webhook_id() -> str:
    """The ``webhook-id`` header: unique per message and kept across its retries (receivers dedupe on it)."""
    return "msg_" + uuid.uuid4().hex


def callback_body(task: Task, rt: Runtime) -> str:
    """The exact bytes that are sent and signed: the bare task object of the official callback (spec §6),
    compact JSON; kinema's extension fields only when ``callback_extensions`` is set."""
    body = callback_object(task, rt.urls.url, extensions=rt.settings.callback_extensions)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def record_status_change(db: Session | Connection, task: Task, rt: Runtime) -> bool:
    """Queue the callback for the task's current state, if it has a ``callback_url`` (returns whether it
    did). Call inside the write transaction that changed the status, with ``task`` reflecting the new row; a
    plain Core insert, so it works on a session or on a bare connection alike."""
    if not task.callback_url:
        return False
    now = now_ms()
    db.execute(
        insert(WebhookOutbox).values(
            webhook_id=new_webhook_id(),
            task_id=task.id,
            account_id=task.account_id,
            url=task.callback_url,
            payload=callback_body(task, rt),
            state="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    return True
