"""The ``upstream`` engine: run a task on the upstream Kling API and archive its results (docs/gateway.md).

This is the one place that routes a task upstream or locally (:func:`pick_executor`, before any local
executor is chosen) and caps the upstream tasks running at once (:func:`claim_terms`, a condition of the
runner's claim: over ``KINEMA_UPSTREAM_CONCURRENCY`` the task stays ``submitted`` and the reaper rings it
again, instead of being sent upstream to meet a 1303).

The executor finds the upstream task by ``external_task_id`` (kinema's task id) before creating one, so a
worker killed between the upstream create and its reply, then retried, follows the task it already paid for.
It then polls the task to its end, downloads every result file, and returns them to the runner, which stores
them like any engine's output: the client only ever sees kinema's signed URLs.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, aliased

from kinema.contract.kinds import spec_for
from kinema.contract.vocabulary import TaskStatus
from kinema.db.models import Task
from kinema.engines.base import EngineInputError
from kinema.jobs.executors.base import Executor, JobContext, OutputFile
from kinema.jobs.registry import get_executor
from kinema.jobs.service import find_asset
from kinema.jobs.task_metrics import timed
from kinema.jobs.upstream_dedupe import copy_result, file_digest, find_reusable, fingerprint
from kinema.jobs.watermark import WATERMARK_EXTRA, wants_watermark
from kinema.runtime import Runtime
from kinema.upstream import archive
from kinema.upstream.callbacks import callback_url
from kinema.upstream.client import UpstreamClient, UpstreamRejected
from kinema.upstream.follow import UPSTREAM_SHARE, UpstreamFailed, follow, retrying
from kinema.upstream.forward import NotForwardable, encode_file, upstream_body
from kinema.upstream.routes import WORKER_PREFIX, enabled, goes_upstream

log = logging.getLogger(__name__)

CLAIM_LOCK_KEY = 0x6B696E656D6155  # "kinemaU": the advisory lock of upstream claims (PostgreSQL)


def claim_terms(rt: Runtime, session: Session, task_id: str, worker: str) -> tuple[list[Any], str]:
    """Extra conditions of the claim (made in ``session``, the claim's write transaction) and the ``worker``
    name to record: for a task that runs upstream, "fewer than the cap are running upstream now", and a name
    the cap counts by. On PostgreSQL the upstream claims are serialised by a transaction advisory lock: under
    read committed, two claims at once would each count the other's row as not yet running (SQLite's writes
    are serialised already)."""
    if not enabled(rt.settings):
        return [], worker
    row = session.execute(select(Task.kind, Task.params).where(Task.id == task_id)).first()
    if row is None or not goes_upstream(rt.settings, row.kind, row.params):
        return [], worker
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK_KEY})
    other = aliased(Task)
    running = (
        select(func.count())
        .select_from(other)
        .where(other.status == TaskStatus.PROCESSING, other.worker.like(WORKER_PREFIX + "%"))
        .scalar_subquery()
    )
    return [running < rt.settings.upstream_concurrency], WORKER_PREFIX + worker


def pick_executor(rt: Runtime, kind: str, params: dict[str, Any]) -> Executor:
    """The upstream executor for a task routed upstream, else the local one of its kind."""
    if goes_upstream(rt.settings, kind, params):
        return timed(kind, "upstream", functools.partial(execute, rt))
    return timed(kind, "engine", get_executor(kind, rt.settings))


def _record(rt: Runtime, task_id: str, upstream: dict[str, Any]) -> None:
    """Keep what is known of the upstream task in ``task_info.upstream`` (shown in every reply)."""
    with rt.db.write() as session:
        info = session.scalar(select(Task.task_info).where(Task.id == task_id)) or {}
        merged = {**info, "upstream": {**info.get("upstream", {}), **upstream}}
        session.execute(
            update(Task)
            .where(Task.id == task_id, Task.status == TaskStatus.PROCESSING)
            .values(task_info=merged)
            .execution_options(synchronize_session=False)
        )


def _callbacks(rt: Runtime, task_id: str) -> int:
    with rt.db.read() as session:
        info = session.scalar(select(Task.task_info).where(Task.id == task_id)) or {}
    return int((info.get("upstream") or {}).get("callbacks") or 0)


def note_callback(rt: Runtime, task_id: str) -> bool:
    """An upstream callback for ``task_id`` came (its token checked by the API): count it in
    ``task_info.upstream.callbacks``, which wakes the follower. False when the task is not following one."""
    with rt.db.write() as session:
        info = session.scalar(
            select(Task.task_info).where(Task.id == task_id, Task.status == TaskStatus.PROCESSING)
        )
        if not info or "upstream" not in info:
            return False
        upstream = {**info["upstream"], "callbacks": int(info["upstream"].get("callbacks") or 0) + 1}
        session.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(task_info={**info, "upstream": upstream})
            .execution_options(synchronize_session=False)
        )
    return True


def _nudge(rt: Runtime, task_id: str) -> Callable[[], bool] | None:
    """True once per new callback counted for the task (None when callbacks are off: nothing to read)."""
    if not rt.settings.upstream_callback_base:
        return None
    seen = _callbacks(rt, task_id)

    def nudged() -> bool:
        nonlocal seen
        now = _callbacks(rt, task_id)
        changed, seen = now != seen, now
        return changed

    return nudged


def _row(rt: Runtime, task_id: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    with rt.db.read() as session:
        row = session.execute(
            select(Task.account_id, Task.params, Task.inputs).where(Task.id == task_id)
        ).one()
    return row.account_id, dict(row.params or {}), dict(row.inputs or {})


def _upstream_ids(
    rt: Runtime, ctx: JobContext[Any], account_id: str, params: dict[str, Any]
) -> dict[str, str]:
    """Reuse field → the upstream id of the kinema asset it names (absent when there is none)."""
    ids: dict[str, str] = {}
    for reuse in spec_for(ctx.kind).reuse:
        asset_id = params.get(reuse.field)
        asset = find_asset(rt, account_id, asset_id, (reuse.role,)) if asset_id else None
        if asset is not None and asset.extra.get("upstream_id"):
            ids[reuse.field] = str(asset.extra["upstream_id"])
    return ids


def _reusable(rt: Runtime, ctx: JobContext[Any]) -> tuple[str | None, Task | None]:
    """With dedupe on: this task's fingerprint and an earlier task whose result it may copy."""
    if rt.settings.upstream_dedupe_window_s <= 0:
        return None, None
    account_id, params, _ = _row(rt, ctx.task_id)
    ids = _upstream_ids(rt, ctx, account_id, params)
    body = upstream_body(
        spec_for(ctx.kind),
        ctx.request,
        task_id="",
        media=lambda n: file_digest(ctx.inputs[n]),
        upstream_ids=ids,
    )
    print_ = fingerprint(ctx.kind, body)
    return print_, find_reusable(rt, account_id, ctx.kind, ctx.task_id, print_)


def _body(rt: Runtime, ctx: JobContext[Any]) -> dict[str, Any]:
    spec = spec_for(ctx.kind)
    account_id, params, inputs = _row(rt, ctx.task_id)
    ids = _upstream_ids(rt, ctx, account_id, params)

    def media(name: str) -> str:
        if rt.settings.upstream_media == "url":
            return rt.urls.url(inputs[name])
        return encode_file(ctx.inputs[name])

    hook = callback_url(rt.settings, ctx.task_id)
    return upstream_body(
        spec, ctx.request, task_id=ctx.task_id, media=media, upstream_ids=ids, callback_url=hook
    )


def _start(rt: Runtime, ctx: JobContext[Any], client: UpstreamClient, path: str) -> dict[str, Any]:
    """The upstream task of this kinema task: found by ``external_task_id``, else created."""
    body: dict[str, Any] | None = None

    def find_or_create() -> dict[str, Any]:
        nonlocal body
        found = client.find_external(path, ctx.task_id)
        if found is not None:
            return found
        body = body or _body(rt, ctx)
        return client.create(path, body)

    return retrying(find_or_create, rt.settings, ctx.progress, 0.0)


def _archive(rt: Runtime, ctx: JobContext[Any], done: dict[str, Any]) -> list[OutputFile]:
    files = archive.planned(done.get("task_result") or {}, ctx.workdir)
    if not files:
        raise EngineInputError("the upstream task succeeded without any result file")
    marked = wants_watermark(ctx.kind, ctx.request)
    outputs = []
    for i, item in enumerate(files):
        ctx.progress(UPSTREAM_SHARE + (1 - UPSTREAM_SHARE) * i / len(files))
        archive.download(item, rt.settings, f"{item.role}[{item.group}]")
        extra: dict[str, Any] = {"upstream_id": item.upstream_id} if item.upstream_id else {}
        copy = archive.watermark_copy(item) if marked else None
        if copy is not None:  # the upstream's mark wins: the runner's watermark step leaves this one alone
            archive.download(copy, rt.settings, f"videos[{i}].watermark_url")
            extra[WATERMARK_EXTRA] = copy.path
        outputs.append(OutputFile(item.role, item.path, item.duration_s, item.group, extra))  # type: ignore[arg-type]
    return outputs


def execute(rt: Runtime, ctx: JobContext[Any]) -> list[OutputFile]:
    """Run ``ctx``'s task upstream and return its archived result files."""
    path = spec_for(ctx.kind).path
    try:
        print_, earlier = _reusable(rt, ctx)
        if earlier is not None:
            reused = dict((earlier.task_info or {}).get("upstream") or {})
            reused.pop("callbacks", None)
            _record(rt, ctx.task_id, {**reused, "reused_from": earlier.id})
            return copy_result(rt, earlier, ctx.workdir)
        with UpstreamClient(rt.settings) as client:
            started = _start(rt, ctx, client, path)
            base = client.base
            first = {"task_id": str(started["task_id"]), "base_url": base, "fingerprint": print_}
            _record(rt, ctx.task_id, {k: v for k, v in first.items() if v is not None})
            done = follow(client, path, started, rt.settings, ctx.progress, _nudge(rt, ctx.task_id))
        planned = archive.planned(done.get("task_result") or {}, ctx.workdir)
        marks = [m.url for m in map(archive.watermark_copy, planned) if m is not None]
        urls = [f.url for f in planned] + marks
        _record(
            rt,
            ctx.task_id,
            {
                "final_unit_deduction": str(done.get("final_unit_deduction", "")),
                "urls": urls,
            },
        )
        return _archive(rt, ctx, done)
    except UpstreamRejected as exc:
        raise EngineInputError(f"upstream error {exc.code}: {exc.message}") from exc
    except UpstreamFailed as exc:
        raise EngineInputError(f"the upstream task failed: {exc}") from exc
    except (archive.ArchiveError, NotForwardable) as exc:
        raise EngineInputError(str(exc)) from exc
