"""Run one task: fenced claim, lease heartbeat, inputs to a work folder, executor, outputs to storage, finish.

Huey hands a message to exactly one worker and forgets it, so a killed worker loses the message; the row
does not. Every write of an attempt is fenced on ``status='processing' AND attempt=<mine>``: once the reaper
has given the task to a new attempt, the old worker's writes match nothing and it stops at its next progress
call. See DESIGN.md "Tasks, queue and durability".
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from sqlalchemy import func, select, update

from kinema.contract.limits import limits_from_settings
from kinema.contract.stored import StoredRequestError, request_from_row
from kinema.contract.vocabulary import Lane, TaskStatus
from kinema.db.engine import now_ms
from kinema.db.ids import new_id
from kinema.db.models import Task
from kinema.engines.base import Cancelled, EngineInputError
from kinema.jobs.executors.base import JobContext, OutputFile
from kinema.jobs.registry import ExecutorUnavailable
from kinema.jobs.service import CANCEL_MSG, add_asset, release_for_retry, ring, set_status
from kinema.jobs.upstream import claim_terms, pick_executor
from kinema.jobs.watermark import WATERMARK_EXTRA, add_watermarked_copies
from kinema.runtime import Runtime
from kinema.storage.base import content_type_for
from kinema.storage.space import NO_SPACE_MESSAGE, is_out_of_space

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.5
"""At most one progress write (and cancel check) per job per this many seconds."""
NO_SPACE_TASK_MESSAGE = (
    f"{NO_SPACE_MESSAGE}: the server ran out of disk space while running this task; create it again later"
)

Outcome = Literal["dropped", "succeed", "failed", "cancelled", "requeued", "lost"]
"""What one delivery of a doorbell did (see :func:`run_task`)."""


class _FenceLost(Exception):
    """The final write matched nothing: the attempt is no longer ours (or a cancel arrived)."""


class JobTimedOut(Exception):
    """The attempt ran past ``settings.job_timeout_s``: the task fails with this message, no retry."""


class Attempt:
    """State shared by the job thread and its heartbeat thread for one claimed attempt."""

    def __init__(self, rt: Runtime, task_id: str, attempt: int) -> None:
        self.rt = rt
        self.task_id = task_id
        self.attempt = attempt
        self.lease_ms = int(rt.settings.lease_s * 1000)
        self.stop = threading.Event()
        self.lost = threading.Event()  # the fence failed: another attempt owns the row now
        self.cancel = threading.Event()  # the client asked to cancel
        self._last_check = 0.0
        self._last_pct = -1
        self.started = time.monotonic()
        self.timeout_s = rt.settings.job_timeout_s

    def over_time(self, grace_s: float = 0.0) -> bool:
        return self.timeout_s > 0 and time.monotonic() - self.started > self.timeout_s + grace_s

    def timeout_message(self) -> str:
        return f"the job took longer than {self.timeout_s:g} s and was stopped (setting KINEMA_JOB_TIMEOUT_S)"

    def _fence(self) -> Any:
        return (Task.id == self.task_id, Task.status == TaskStatus.PROCESSING, Task.attempt == self.attempt)

    def touch(self, **values: Any) -> bool:
        """Fenced write (always extends the lease); reads the cancel flag in the same transaction."""
        values["lease_expires_at"] = now_ms() + self.lease_ms
        with self.rt.db.write() as session:
            res = session.execute(
                update(Task)
                .where(*self._fence())
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if res.rowcount != 1:  # type: ignore[attr-defined]
                self.lost.set()
                return False
            if session.scalar(select(Task.cancel_requested).where(Task.id == self.task_id)):
                self.cancel.set()
        return True

    def heartbeat_loop(self) -> None:
        """Extend the lease every ``heartbeat_s`` until stopped; losing the fence only sets a flag (the job
        thread raises at its next progress call, so an engine is never killed mid-write)."""
        grace = 3 * self.rt.settings.heartbeat_s
        while not self.stop.wait(self.rt.settings.heartbeat_s):
            if self.over_time(grace):
                # The engine has not called progress since its time ran out (hung): fail the task here so
                # the client gets an answer; the stale thread's late writes are fenced off.
                log.error("task %s exceeded its time limit without reporting progress", self.task_id)
                if _finish_failed(self.rt, self.task_id, self.attempt, self.timeout_message()):
                    self.lost.set()
                return
            try:
                if not self.touch():
                    return
            except Exception:
                log.warning("heartbeat of task %s failed; will retry", self.task_id, exc_info=True)

    def progress(self, fraction: float) -> None:
        """The engine's progress callback: throttled fenced writes; raises Cancelled if cancelled or lost."""
        if self.cancel.is_set() or self.lost.is_set():
            raise Cancelled()
        if self.over_time():
            raise JobTimedOut(self.timeout_message())
        pct = max(0, min(99, int(fraction * 100)))
        now = time.monotonic()
        if now - self._last_check < PROGRESS_INTERVAL_S:
            return
        self._last_check = now
        try:
            if pct != self._last_pct:
                self._last_pct = pct
                self.touch(progress=pct)
            else:
                self.touch()
        except Exception:  # a busy database must not kill a render; the heartbeat keeps the lease
            log.warning("progress write of task %s failed", self.task_id, exc_info=True)
        if self.cancel.is_set() or self.lost.is_set():
            raise Cancelled()


def work_root(rt: Runtime) -> Path:
    return rt.settings.data_dir / "work"


def _materialise(rt: Runtime, inputs: dict[str, str], workdir: Path) -> dict[str, Path]:
    folder = workdir / "inputs"
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for name, key in inputs.items():
        dest = folder / f"{name}{PurePosixPath(key).suffix}"
        rt.storage.download_to(key, dest)
        out[name] = dest
    return out


def fmt_seconds(value: float) -> str:
    """Durations on the wire are strings: ``"5.04"``, ``"5.1"``, ``"5.0"``."""
    text = f"{value:.2f}"
    return text[:-1] if text.endswith("0") else text


class _Stored:
    def __init__(self, out: OutputFile, asset_id: str, key: str, extra: dict[str, Any]) -> None:
        self.out, self.asset_id, self.key, self.extra = out, asset_id, key, extra


def _upload(
    rt: Runtime, account_id: str, task_id: str, outputs: list[OutputFile], keys: list[str]
) -> list[_Stored]:
    """Store every output (and files named in ``extra``) under ``<account>/<task>/<asset>.<ext>``."""
    stored: list[_Stored] = []
    for out in outputs:
        asset_id = new_id()
        key = f"{account_id}/{task_id}/{asset_id}{out.path.suffix.lower()}"
        rt.storage.put_file(key, out.path, content_type_for(out.path.name))
        keys.append(key)
        extra: dict[str, Any] = {}
        for name, value in out.extra.items():
            if isinstance(value, Path):
                extra_key = f"{account_id}/{task_id}/{asset_id}.{name}{value.suffix.lower()}"
                rt.storage.put_file(extra_key, value, content_type_for(value.name))
                keys.append(extra_key)
                extra[name] = extra_key
            else:
                extra[name] = value
        stored.append(_Stored(out, asset_id, key, extra))
    return stored


def build_result(stored: list[_Stored]) -> dict[str, Any]:
    """``task_result`` as stored: blob keys next to the public fields (contract/tasks.py turns keys into
    URLs). Audio roles of one ``group`` make one ``audios[]`` entry whose id is its mp3's asset id."""
    videos: list[dict[str, Any]] = []
    audios: dict[int, dict[str, Any]] = {}
    for s in stored:
        if s.out.role == "video":  # official order: id, url, watermark_url (only when made), duration
            mark = {"watermark_key": s.extra[WATERMARK_EXTRA]} if WATERMARK_EXTRA in s.extra else {}
            videos.append({"id": s.asset_id, "key": s.key, **mark, "duration": fmt_seconds(s.out.duration_s)})
            continue
        fmt = s.out.role.removeprefix("audio_")
        entry = audios.setdefault(s.out.group, {})
        if "id" not in entry or fmt == "mp3":
            entry["id"] = s.asset_id
        entry[f"key_{fmt}"] = s.key
        entry[f"duration_{fmt}"] = fmt_seconds(s.out.duration_s)
    result: dict[str, Any] = {}
    if videos:
        result["videos"] = videos
    if audios:
        result["audios"] = [audios[g] for g in sorted(audios)]
    return result  # the deduction is the task's price, fixed at create (contract/prices.py)


def _finish_failed(rt: Runtime, task_id: str, attempt: int, message: str) -> bool:
    with rt.db.write() as session:
        task = set_status(
            session,
            rt,
            task_id,
            TaskStatus.FAILED,
            expect_status=(TaskStatus.PROCESSING,),
            expect_attempt=attempt,
            status_msg=message,
        )
    return task is not None


def _seed(params: dict[str, Any]) -> int:
    seed = params.get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else 0


def run_task(rt: Runtime, task_id: str, worker_name: str, lane: str = Lane.CPU) -> Outcome:  # noqa: C901, PLR0915 -- one except per outcome; to split claim/execute/store/finish (review §4.4)
    """Run one delivery of the doorbell for ``task_id`` in a worker of ``lane``. Returns what happened (for
    logs and tests): ``dropped`` (not claimable: duplicate, cancelled, or another lane's task),
    ``succeed``, ``failed``, ``cancelled``, ``requeued`` or ``lost`` (another attempt owns the task now)."""
    settings = rt.settings
    lease_ms = int(settings.lease_s * 1000)
    with rt.db.write() as session:
        gate, worker_name = claim_terms(rt, session, task_id, worker_name)  # the upstream cap
        now = now_ms()
        task = set_status(
            session,
            rt,
            task_id,
            TaskStatus.PROCESSING,
            expect_status=(TaskStatus.SUBMITTED,),
            extra_where=[Task.cancel_requested.is_(False), Task.lane == lane, *gate],
            notify=lambda t: t.started_at == now,  # first start only: a retry is not a new public state
            attempt=Task.attempt + 1,
            lease_expires_at=now + lease_ms,
            worker=worker_name,
            started_at=func.coalesce(Task.started_at, now),
            progress=0,
        )
        if task is None:
            return "dropped"
        account_id, kind, attempt = task.account_id, task.kind, task.attempt
        params, inputs = dict(task.params or {}), dict(task.inputs or {})
    log.info("task %s attempt %d claimed by %s", task_id, attempt, worker_name)

    try:
        executor = pick_executor(rt, kind, params)  # upstream or local: routed here, once
        request = request_from_row(kind, params, inputs, limits_from_settings(settings))
    except ExecutorUnavailable as exc:
        # The reason (an import error, a plug-in path) is for the operator's log, not for the client.
        log.error("task %s: %s", task_id, exc)
        _finish_failed(rt, task_id, attempt, f"the {kind} engine is not available on this server")
        return "failed"
    except StoredRequestError as exc:
        _finish_failed(rt, task_id, attempt, str(exc))
        return "failed"

    att = Attempt(rt, task_id, attempt)
    beat = threading.Thread(target=att.heartbeat_loop, name=f"heartbeat-{task_id}", daemon=True)
    beat.start()
    workdir = work_root(rt) / f"{task_id}.{os.getpid()}.{attempt}"
    keys: list[str] = []
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        local = _materialise(rt, inputs, workdir)
        ctx = JobContext(
            task_id=task_id,
            kind=kind,
            request=request,
            inputs=local,
            workdir=workdir,
            progress=att.progress,
            seed=_seed(params),
            limits=limits_from_settings(settings),
            soundfont=settings.soundfont,
        )
        outputs = add_watermarked_copies(ctx, executor(ctx), settings)
        if att.lost.is_set() and not att.cancel.is_set():
            return "lost"
        stored = _upload(rt, account_id, task_id, outputs, keys)
        result = build_result(stored)
        with rt.db.write() as session:
            for s in stored:
                add_asset(
                    session,
                    account_id=account_id,
                    task_id=task_id,
                    role=s.out.role,
                    blob_key=s.key,
                    content_type=content_type_for(s.out.path.name),
                    duration_s=s.out.duration_s,
                    extra=s.extra,
                    retention=settings.retention_days,
                    asset_id=s.asset_id,
                )
            done = set_status(
                session,
                rt,
                task_id,
                TaskStatus.SUCCEED,
                expect_status=(TaskStatus.PROCESSING,),
                expect_attempt=attempt,
                extra_where=[Task.cancel_requested.is_(False)],
                result=result,
                progress=100,
                status_msg="",
            )
            if done is None:
                raise _FenceLost()
        keys.clear()  # committed: the blobs are the task's now
        log.info("task %s succeeded (attempt %d)", task_id, attempt)
        return "succeed"
    except (Cancelled, _FenceLost):
        if _cancel_requested(rt, task_id) and _finish_failed(rt, task_id, attempt, CANCEL_MSG):
            return "cancelled"
        return "lost"
    except EngineInputError as exc:
        _finish_failed(rt, task_id, attempt, str(exc) or "the inputs cannot be rendered")
        return "failed"
    except JobTimedOut as exc:
        _finish_failed(rt, task_id, attempt, str(exc))
        return "failed"
    except KeyboardInterrupt:
        # The consumer is shutting down (SIGTERM): hand the task back without spending an attempt. No
        # doorbell here (this pool is stopping): the next start-up, or a running worker's reaper, rings it.
        # A second signal (the consumer and ``killpg`` both send one) must not abort this write.
        with _signals_ignored(), rt.db.write() as session:
            set_status(
                session,
                rt,
                task_id,
                TaskStatus.SUBMITTED,
                expect_status=(TaskStatus.PROCESSING,),
                expect_attempt=attempt,
                notify=False,
                attempt=Task.attempt - 1,
                lease_expires_at=None,
                worker=None,
                progress=0,
            )
        raise
    except Exception as exc:
        if is_out_of_space(exc):
            return _fail_out_of_space(rt, task_id, attempt, exc, keys, workdir)
        # The exception's text can hold server paths or library internals: it goes to the log, and the
        # client's task_status_msg (after the last attempt) only says that the engine failed.
        log.warning("task %s attempt %d crashed: %r", task_id, attempt, exc, exc_info=True)
        reason = "the engine stopped with an internal error"
        with rt.db.write() as session:
            outcome = release_for_retry(session, rt, task_id, attempt=attempt, reason=reason)
        if outcome == "requeued":
            ring(rt, task_id, lane)
        return outcome or "lost"
    finally:
        att.stop.set()
        beat.join(timeout=5)
        _discard(rt, keys, workdir)


def _discard(rt: Runtime, keys: list[str], workdir: Path) -> None:
    """Delete blobs uploaded but never committed, and the work folder. Safe to call twice."""
    while keys:
        key = keys.pop()
        try:
            rt.storage.delete(key)
        except Exception:
            log.warning("could not delete orphan blob %s", key, exc_info=True)
    shutil.rmtree(workdir, ignore_errors=True)


def _fail_out_of_space(
    rt: Runtime, task_id: str, attempt: int, exc: Exception, keys: list[str], workdir: Path
) -> Outcome:
    """A full disk fails the task at once: a retry would meet the same full disk, and each would hold the
    task for a lease. The attempt's own files go first, so the failure can still be written when they were
    what filled the disk (SQLite writes need a little room too). If even that write fails, the lease
    expires and the reaper settles the task as for a lost worker."""
    log.warning("task %s attempt %d: no space left on device (%s)", task_id, attempt, type(exc).__name__)
    _discard(rt, keys, workdir)
    try:
        failed = _finish_failed(rt, task_id, attempt, NO_SPACE_TASK_MESSAGE)
    except Exception as again:
        if not is_out_of_space(again):
            raise
        log.error("task %s: cannot record the failure either, the database's disk is full too", task_id)
        return "lost"
    return "failed" if failed else "lost"


@contextmanager
def _signals_ignored() -> Iterator[None]:
    """Ignore SIGTERM/SIGINT for a short critical write (main thread only; handlers restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _cancel_requested(rt: Runtime, task_id: str) -> bool:
    with rt.db.read() as session:
        return bool(session.scalar(select(Task.cancel_requested).where(Task.id == task_id)))


def remove_orphan_workdirs(rt: Runtime, min_age_s: float = 60.0) -> int:
    """Delete work folders whose worker process is gone (a SIGKILL skips ``finally``)."""
    root = work_root(rt)
    if not root.is_dir():
        return 0
    removed = 0
    for entry in root.iterdir():
        parts = entry.name.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            continue
        try:
            if time.time() - entry.stat().st_mtime < min_age_s:
                continue
            os.kill(int(parts[1]), 0)
            continue  # still alive
        except ProcessLookupError:
            pass
        except (PermissionError, FileNotFoundError):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed
