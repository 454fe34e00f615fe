"""Delete results after the retention period (spec §1: 30 days) and mark their tasks ``expired``.

Asset rows stay (marked ``deleted``) so an old ``audio_id``/``video_id`` gets a clear "expired" answer
instead of "unknown"; the blobs go. Delivered or dead callbacks older than the retention period go too.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import delete, select, update

from kinema.contract.vocabulary import TERMINAL_STATUSES
from kinema.db.engine import now_ms
from kinema.db.models import Asset, Task, WebhookAttempt, WebhookOutbox
from kinema.jobs.watermark import WATERMARK_EXTRA
from kinema.runtime import Runtime

log = logging.getLogger(__name__)

BATCH = 500


#: Asset extras that hold the key of a blob stored with the asset (besides any ``*key`` extra).
_BLOB_EXTRAS = frozenset({"phones", WATERMARK_EXTRA})


def _blob_keys(asset: Asset) -> list[str]:
    keys = [asset.blob_key]
    for name, value in (asset.extra or {}).items():
        if isinstance(value, str) and (name in _BLOB_EXTRAS or name.endswith("key")):
            keys.append(value)
    return keys


def sweep_once(rt: Runtime) -> int:
    """One pass; returns the number of assets deleted. Blobs are deleted before the rows are marked, so a
    crash in between only means the next pass deletes (already missing) blobs again."""
    now = now_ms()
    total = 0
    while True:
        with rt.db.read() as session:
            assets = list(
                session.scalars(
                    select(Asset)
                    .where(Asset.deleted.is_(False), Asset.expires_at.is_not(None), Asset.expires_at <= now)
                    .limit(BATCH)
                )
            )
        if not assets:
            break
        for asset in assets:
            for key in _blob_keys(asset):
                try:
                    rt.storage.delete(key)
                except Exception:
                    log.warning("could not delete blob %s", key, exc_info=True)
        ids = [a.id for a in assets]
        task_ids = sorted({a.task_id for a in assets if a.task_id})
        with rt.db.write() as session:
            session.execute(update(Asset).where(Asset.id.in_(ids)).values(deleted=True))
            if task_ids:
                session.execute(update(Task).where(Task.id.in_(task_ids)).values(expired=True))
        total += len(assets)
        if len(assets) < BATCH:
            break
    cutoff = now - int(rt.settings.retention_days * 86_400_000)
    _drop_old_inputs(rt, cutoff)
    _drop_old_callbacks(rt, cutoff)
    return total


def _drop_old_inputs(rt: Runtime, cutoff: int) -> None:
    """Uploaded inputs (``<account>/inputs/…``) of tasks finished before ``cutoff``: they are not assets, so
    nothing else would ever delete them. Inputs that point at another task's result are left to its asset."""
    while True:
        with rt.db.read() as session:
            rows = session.execute(
                select(Task.id, Task.inputs)
                .where(
                    Task.status.in_(TERMINAL_STATUSES), Task.finished_at < cutoff, Task.expired.is_(False)
                )
                .limit(BATCH)
            ).all()
        if not rows:
            return
        for _task_id, inputs in rows:
            for key in (inputs or {}).values():
                if isinstance(key, str) and "/inputs/" in key:
                    try:
                        rt.storage.delete(key)
                    except Exception:
                        log.warning("could not delete input blob %s", key, exc_info=True)
        with rt.db.write() as session:
            session.execute(update(Task).where(Task.id.in_([r[0] for r in rows])).values(expired=True))
        if len(rows) < BATCH:
            return


def _drop_old_callbacks(rt: Runtime, cutoff: int) -> None:
    with rt.db.write() as session:
        old = select(WebhookOutbox.id).where(
            WebhookOutbox.state != "pending", WebhookOutbox.created_at < cutoff
        )
        session.execute(delete(WebhookAttempt).where(WebhookAttempt.outbox_id.in_(old)))
        session.execute(
            delete(WebhookOutbox).where(WebhookOutbox.state != "pending", WebhookOutbox.created_at < cutoff)
        )


def run_sweeper(rt: Runtime, stop: threading.Event) -> None:
    """Thread body: ``sweep_once`` at start and every ``sweep_interval_s``."""
    while True:
        try:
            n = sweep_once(rt)
            if n:
                log.info("retention: deleted %d expired results", n)
        except Exception:
            log.exception("retention sweep failed")
        if stop.wait(rt.settings.sweep_interval_s):
            return
