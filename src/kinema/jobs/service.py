"""Task lifecycle in the database: create, look up, list, cancel, and the one function that changes a status.

The task row is the truth of a job (DESIGN.md); the queue is only a doorbell rung after commit. Every status
change goes through :func:`set_status`: a conditional ``UPDATE … WHERE status IN (…) [AND attempt = …]`` that
also writes the callback outbox row in the same transaction. Conditional updates, not ORM read-modify-write,
because PostgreSQL lost updates under concurrency when rows were read, changed in Python and written back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kinema.accounts.policy import check_can_spend, give_back_units, reserve_units
from kinema.contract.errors import Code, KlingError
from kinema.contract.prices import price_hundredths
from kinema.contract.vocabulary import ACTIVE_STATUSES, TERMINAL_STATUSES, Lane, TaskStatus
from kinema.db.engine import now_ms
from kinema.db.ids import new_id
from kinema.db.models import Asset, Task
from kinema.jobs import task_metrics
from kinema.observe import logs
from kinema.runtime import Runtime
from kinema.webhooks.outbox import record_status_change

log = logging.getLogger(__name__)

CANCEL_MSG = "cancelled by the client"
DAY_MS = 86_400_000

Notify = bool | Callable[[Task], bool]
Release = Literal["requeued", "failed", "cancelled"]
"""How :func:`release_for_retry` ended an attempt that produced no result."""


def _load(session: Session, task_id: str) -> Task | None:
    """Re-read a row after a Core UPDATE (``populate_existing`` refreshes a stale identity-map copy)."""
    stmt = select(Task).where(Task.id == task_id).execution_options(populate_existing=True)
    return session.execute(stmt).scalar_one_or_none()


def set_status(
    session: Session,
    rt: Runtime,
    task_id: str,
    status: TaskStatus,
    *,
    expect_status: Iterable[TaskStatus],
    expect_attempt: int | None = None,
    extra_where: Iterable[ColumnElement[bool]] = (),
    notify: Notify = True,
    **values: Any,
) -> Task | None:
    """THE status change: fenced UPDATE + outbox row, in the caller's write transaction.

    Returns the updated task, or None when the fence did not match (someone else changed the row first:
    a cancel, a reaper, a newer attempt). ``values`` may hold SQL expressions (``attempt=Task.attempt + 1``).
    ``notify`` (or a predicate on the new row) decides whether a callback is queued: internal moves such as a
    retry going back to ``submitted`` are not reported, so a receiver sees each public state once.
    """
    now = now_ms()
    stmt = update(Task).where(Task.id == task_id, Task.status.in_(list(expect_status)))
    if expect_attempt is not None:
        stmt = stmt.where(Task.attempt == expect_attempt)
    for cond in extra_where:
        stmt = stmt.where(cond)
    vals: dict[str, Any] = {"status": status, "updated_at": now, **values}
    if status in TERMINAL_STATUSES:
        vals.setdefault("finished_at", now)
        vals.setdefault("lease_expires_at", None)
    result = session.execute(stmt.values(**vals).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    task = _load(session, task_id)
    assert task is not None
    if status == TaskStatus.FAILED:  # a failed task deducts nothing: its price goes back to the budget
        give_back_units(session, task.account_id, task.units_hundredths, task.created_at)
    if notify if isinstance(notify, bool) else notify(task):
        record_status_change(session, task, rt)
    task_metrics.status_changed(session, task, cancelled=task.status_msg == CANCEL_MSG)
    return task


def release_for_retry(
    session: Session,
    rt: Runtime,
    task_id: str,
    *,
    attempt: int,
    reason: str,
    extra_where: Iterable[ColumnElement[bool]] = (),
) -> Release | None:
    """An attempt ended without a result (crash, lost worker): requeue, or fail for good.

    Returns ``"requeued"`` (caller enqueues after commit), ``"failed"``, ``"cancelled"`` (a cancel arrived
    while it ran) or None when the fence did not match.
    """
    fence: dict[str, Any] = {"expect_status": (TaskStatus.PROCESSING,), "expect_attempt": attempt}
    extra = list(extra_where)
    if set_status(
        session,
        rt,
        task_id,
        TaskStatus.FAILED,
        **fence,
        extra_where=[*extra, Task.cancel_requested.is_(True)],
        status_msg=CANCEL_MSG,
    ):
        return "cancelled"
    if set_status(
        session,
        rt,
        task_id,
        TaskStatus.FAILED,
        **fence,
        extra_where=[*extra, Task.attempt >= Task.max_attempts],
        status_msg=f"failed after {attempt} attempts: {reason}",
    ):
        return "failed"
    if set_status(
        session,
        rt,
        task_id,
        TaskStatus.SUBMITTED,
        **fence,
        extra_where=extra,
        notify=False,
        lease_expires_at=None,
        worker=None,
        progress=0,
    ):
        return "requeued"
    return None


def ring(rt: Runtime, task_id: str, lane: str = Lane.CPU) -> None:
    """Enqueue the doorbell on the task's lane; a failure is logged, not raised: the row is committed and the
    reaper's lost-doorbell check (or the next start-up) rings again."""
    try:
        rt.doorbell.ring(task_id, lane)
    except Exception:
        log.exception("could not enqueue task %s; it stays submitted and will be re-enqueued", task_id)


def _task_by_external(db: Session | Connection, account_id: str, external_task_id: str) -> str | None:
    stmt = select(Task.id).where(Task.account_id == account_id, Task.external_task_id == external_task_id)
    return db.execute(stmt).scalar()


def _duplicate(external_task_id: str, task_id: str) -> KlingError:
    return KlingError(Code.INVALID_PARAM, f"external_task_id: already used by task {task_id}")


# Built once: compiling these per create was a visible share of its cost.
# Counts at most ``cap`` rows: the check only needs to know whether the limit is reached, and an account
# with a deep queue must not make every create walk all of it.
_COUNT_ACTIVE = select(func.count()).select_from(
    select(Task.id)
    .where(Task.account_id == bindparam("account_id"), Task.status.in_(ACTIVE_STATUSES))
    .limit(bindparam("cap"))
    .subquery()
)
_INSERT_TASK = insert(Task)


def _insert_task(
    rt: Runtime,
    *,
    account_id: str,
    external_task_id: str | None,
    check_limit: bool,
    finished: bool,
    **fields: Any,
) -> Task:
    """Insert one task row in one write transaction: the account's rules (1101 arrears, 1102 when the task's
    price exceeds what its budget has left), ``external_task_id`` unique per account (1201), the
    per-account limit of unfinished tasks when ``check_limit`` (1303), and the row's first callback. The
    account row is locked first so two concurrent creates of one account cannot both pass the checks on
    PostgreSQL (SQLite's BEGIN IMMEDIATE serialises them anyway). The price is fixed here, from the
    stored request (:mod:`kinema.contract.prices`).

    Core statements on a bare connection, not the ORM: this runs on every create, and the unit of work cost
    more than the SQL. The returned ``Task`` is a detached object with the row's values."""
    now = now_ms()
    values: dict[str, Any] = {
        "id": fields.pop("task_id", None) or new_id(),
        "account_id": account_id,
        "external_task_id": external_task_id,
        "status_msg": "",
        "max_attempts": rt.settings.job_max_attempts,
        "cancel_requested": False,
        "created_at": now,
        "updated_at": now,
        "started_at": now if finished else None,
        "finished_at": now if finished else None,
        "expired": False,
        "lane": Lane.CPU,
        **fields,
    }
    values["units_hundredths"] = price_hundredths(values["kind"], values["params"])
    task = Task(**values)
    try:
        with rt.db.write_connection() as conn:
            need = values["units_hundredths"]
            check_can_spend(conn, account_id, need, now=now, lock=not rt.db.is_sqlite)
            if external_task_id:
                dup = _task_by_external(conn, account_id, external_task_id)
                if dup:
                    raise _duplicate(external_task_id, dup)
            if check_limit:
                cap = rt.settings.max_running_tasks
                active = conn.execute(_COUNT_ACTIVE, {"account_id": account_id, "cap": cap}).scalar()
                if (active or 0) >= cap:
                    raise KlingError(Code.CONCURRENCY_LIMIT, "parallel task over resource pack limit")
            conn.execute(_INSERT_TASK, [_row(values)])
            reserve_units(conn, account_id, need)
            record_status_change(conn, task, rt)
    except IntegrityError as exc:
        if external_task_id:
            with rt.db.read() as session:
                dup = _task_by_external(session, account_id, external_task_id)
            if dup:
                raise _duplicate(external_task_id, dup) from exc
        raise
    return task


def _row(values: dict[str, Any]) -> dict[str, Any]:
    """Every column of the tasks table (unset ones NULL): one statement shape, so one compiled form."""
    return {column.key: values.get(column.key) for column in Task.__table__.columns}


def create_task(
    rt: Runtime,
    *,
    account_id: str,
    kind: str,
    params: dict[str, Any],
    inputs: dict[str, str],
    task_info: dict[str, Any] | None = None,
    external_task_id: str | None = None,
    callback_url: str | None = None,
    lane: Lane = Lane.CPU,
) -> Task:
    """Insert a ``submitted`` task (idempotency + concurrency checks + its callback in one transaction), then
    ring the doorbell of its ``lane`` (the workers that will take it)."""
    task = _insert_task(
        rt,
        account_id=account_id,
        external_task_id=external_task_id,
        check_limit=True,
        finished=False,
        kind=kind,
        status=TaskStatus.SUBMITTED,
        progress=0,
        callback_url=callback_url,
        params=params,
        inputs=dict(inputs),
        task_info=task_info or {},
        result={},
        attempt=0,
        lane=lane,
    )
    task_metrics.created(kind, params)
    logs.task_id.set(task.id)  # the rest of this request's lines belong to the new task
    log.info("%s task created (%s lane)", kind, lane)  # ties the request id to the task id in the logs
    ring(rt, task.id, lane)
    return task


def record_finished_task(
    rt: Runtime,
    *,
    account_id: str,
    kind: str,
    params: dict[str, Any],
    result: dict[str, Any],
    external_task_id: str | None = None,
    task_id: str | None = None,
    task_info: dict[str, Any] | None = None,
) -> Task:
    """A task the API finished itself (TTS): inserted already ``succeed``. ``task_id`` lets the caller pick
    the id before storing blobs under ``<account>/<task>/``."""
    task = _insert_task(
        rt,
        account_id=account_id,
        external_task_id=external_task_id,
        check_limit=False,
        finished=True,
        task_id=task_id,
        kind=kind,
        status=TaskStatus.SUCCEED,
        progress=100,
        callback_url=None,
        params=params,
        inputs={},
        task_info=task_info or {},
        result=result,
        attempt=1,
    )
    task_metrics.created(kind, params, finished=True)  # TTS: run by the API, inserted done
    return task


def get_task(
    rt: Runtime,
    account_id: str,
    kind: str,
    *,
    task_id: str | None = None,
    external_task_id: str | None = None,
) -> Task | None:
    """One task of this account and kind, by id or by ``external_task_id``."""
    if not task_id and not external_task_id:
        return None
    stmt = select(Task).where(Task.account_id == account_id, Task.kind == kind)
    if task_id:
        stmt = stmt.where(Task.id == task_id)
    else:
        stmt = stmt.where(Task.external_task_id == external_task_id)
    with rt.db.read() as session:
        return session.execute(stmt).scalar_one_or_none()


def list_tasks(rt: Runtime, account_id: str, kind: str, page_num: int, page_size: int) -> list[Task]:
    """A page of this account's tasks of one kind, newest first."""
    stmt = (
        select(Task)
        .where(Task.account_id == account_id, Task.kind == kind)
        .order_by(Task.created_at.desc(), Task.id.desc())
        .offset(max(page_num - 1, 0) * page_size)
        .limit(page_size)
    )
    with rt.db.read() as session:
        return list(session.execute(stmt).scalars())


def cancel_task(rt: Runtime, account_id: str, kind: str, task_id: str) -> Task | None:
    """Queued → failed at once; running → flagged (the job's progress callback stops it at the next frame);
    terminal → unchanged. None when the task does not exist for this account and kind."""
    owner = [Task.account_id == account_id, Task.kind == kind]
    with rt.db.write() as session:
        task = set_status(
            session,
            rt,
            task_id,
            TaskStatus.FAILED,
            expect_status=(TaskStatus.SUBMITTED,),
            extra_where=owner,
            status_msg=CANCEL_MSG,
            cancel_requested=True,
        )
        if task is not None:
            return task
        session.execute(
            update(Task)
            .where(Task.id == task_id, *owner, Task.status == TaskStatus.PROCESSING)
            .values(cancel_requested=True)
            .execution_options(synchronize_session=False)
        )
        task = _load(session, task_id)
        if task is None or task.account_id != account_id or task.kind != kind:
            return None
        return task


def queue_view(rt: Runtime, account_id: str, task: Task | None) -> dict[str, int]:
    """The caller's own queue figures: its queued (``depth``) and running tasks, and where ``task`` stands
    among its own queued ones (position 1 = its next to run, 0 = not queued or no task given).

    Per account, never global: counts across accounts would tell any key holder how busy everyone else is.
    Workers take tasks oldest first across all accounts, so the position is a lower bound on the wait."""
    mine = Task.account_id == account_id
    with rt.db.read() as session:
        by_status = select(Task.status, func.count()).where(mine, Task.status.in_(ACTIVE_STATUSES))
        counts = dict(session.execute(by_status.group_by(Task.status)).all())
        position = 0
        if task is not None and task.status == TaskStatus.SUBMITTED:
            ahead = session.scalar(
                select(func.count())
                .select_from(Task)
                .where(
                    mine,
                    Task.status == TaskStatus.SUBMITTED,
                    or_(
                        Task.created_at < task.created_at,
                        and_(Task.created_at == task.created_at, Task.id < task.id),
                    ),
                )
            )
            position = int(ahead or 0) + 1
    return {
        "depth": int(counts.get(TaskStatus.SUBMITTED, 0)),
        "running": int(counts.get(TaskStatus.PROCESSING, 0)),
        "position": position,
    }


def add_asset(
    session: Session,
    *,
    account_id: str,
    task_id: str | None,
    role: str,
    blob_key: str,
    content_type: str,
    duration_s: float | None = None,
    extra: dict[str, Any] | None = None,
    retention: float | None = None,
    asset_id: str | None = None,
) -> Asset:
    """Record a stored file. ``retention`` = days until it expires (None = kept until deleted)."""
    now = now_ms()
    asset = Asset(
        id=asset_id or new_id(),
        account_id=account_id,
        task_id=task_id,
        role=role,
        blob_key=blob_key,
        content_type=content_type,
        duration_s=duration_s,
        extra=extra or {},
        created_at=now,
        expires_at=None if retention is None else now + int(retention * DAY_MS),
        deleted=False,
    )
    session.add(asset)
    return asset


def find_asset(rt: Runtime, account_id: str, asset_id: str, roles: Iterable[str]) -> Asset | None:
    """An asset of this account usable as an input (``audio_id``/``video_id``): not deleted, not expired."""
    now = now_ms()
    stmt = select(Asset).where(
        Asset.id == asset_id,
        Asset.account_id == account_id,
        Asset.role.in_(list(roles)),
        Asset.deleted.is_(False),
        or_(Asset.expires_at.is_(None), Asset.expires_at > now),
    )
    with rt.db.read() as session:
        return session.execute(stmt).scalar_one_or_none()
