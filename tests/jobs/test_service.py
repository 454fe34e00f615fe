"""Task lifecycle in the store, against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kinema.contract.errors import Code, KlingError
from kinema.contract.vocabulary import TaskStatus
from kinema.db.models import Task, WebhookOutbox
from kinema.jobs import service
from kinema.runtime import Runtime
from tests.support.db import BACKENDS, make_account, runtime
from tests.support.doorbell import RecordingDoorbell


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param, max_running_tasks=50)


def _create(rt: Runtime, account: str, **kw: object) -> Task:
    args: dict[str, object] = {"account_id": account, "kind": "avatar", "params": {"x": 1}, "inputs": {}}
    args.update(kw)
    return service.create_task(rt, **args)  # type: ignore[arg-type]


def _outbox(rt: Runtime, task_id: str) -> list[dict[str, object]]:
    with rt.db.read() as s:
        rows = s.scalars(
            select(WebhookOutbox).where(WebhookOutbox.task_id == task_id).order_by(WebhookOutbox.id)
        )
        return [json.loads(r.payload) for r in rows]


def test_create_get_list(rt: Runtime) -> None:
    acct = make_account(rt)
    t1 = _create(rt, acct, external_task_id="ext-1", task_info={"parent_video": {"id": "9"}})
    t2 = _create(rt, acct)
    assert t1.status == "submitted" and t1.attempt == 0 and t1.max_attempts == 3
    assert t1.id.isdigit() and t1.id != t2.id
    got = service.get_task(rt, acct, "avatar", task_id=t1.id)
    assert got is not None and got.params == {"x": 1} and got.task_info["parent_video"]["id"] == "9"
    by_ext = service.get_task(rt, acct, "avatar", external_task_id="ext-1")
    assert by_ext is not None and by_ext.id == t1.id
    assert service.get_task(rt, acct, "image2video", task_id=t1.id) is None  # other kind
    other = make_account(rt)
    assert service.get_task(rt, other, "avatar", task_id=t1.id) is None  # other account
    page = service.list_tasks(rt, acct, "avatar", 1, 30)
    newest_first = sorted([t1, t2], key=lambda t: (t.created_at, t.id), reverse=True)
    assert [t.id for t in page] == [t.id for t in newest_first]
    assert [t.id for t in service.list_tasks(rt, acct, "avatar", 2, 1)] == [page[1].id]
    assert service.list_tasks(rt, acct, "avatar", 3, 1) == []


def test_create_rings_the_runtimes_doorbell(rt: Runtime) -> None:
    """The job system reaches the queue only through ``Runtime.doorbell``; a ring that fails is logged and
    the committed task stays queued for the reaper to ring again."""
    acct = make_account(rt)
    bell = RecordingDoorbell()
    task = _create(replace(rt, doorbell=bell), acct)
    assert bell.rung == [task.id]
    unrung = _create(replace(rt, doorbell=RecordingDoorbell(broken=True)), acct)
    stored = service.get_task(rt, acct, "avatar", task_id=unrung.id)
    assert stored is not None and stored.status == TaskStatus.SUBMITTED


def test_external_task_id_unique_per_account(rt: Runtime) -> None:
    acct, other = make_account(rt), make_account(rt)
    first = _create(rt, acct, external_task_id="job-7")
    with pytest.raises(KlingError) as err:
        _create(rt, acct, external_task_id="job-7")
    assert err.value.code == Code.INVALID_PARAM
    assert err.value.message == f"external_task_id: already used by task {first.id}"
    assert _create(rt, other, external_task_id="job-7").account_id == other  # another account may reuse it


def test_concurrency_limit(rt: Runtime) -> None:
    rt.settings.max_running_tasks = 2
    acct = make_account(rt)
    a = _create(rt, acct)
    _create(rt, acct)
    with pytest.raises(KlingError) as err:
        _create(rt, acct)
    assert err.value.code == Code.CONCURRENCY_LIMIT
    assert err.value.message == "parallel task over resource pack limit"
    service.cancel_task(rt, acct, "avatar", a.id)  # terminal tasks stop counting
    assert _create(rt, acct).status == "submitted"


def test_concurrent_creates_all_succeed(rt: Runtime) -> None:
    acct = make_account(rt)
    with ThreadPoolExecutor(max_workers=8) as pool:
        tasks = list(pool.map(lambda i: _create(rt, acct, external_task_id=f"c-{i}"), range(40)))
    assert len({t.id for t in tasks}) == 40
    with rt.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Task).where(Task.account_id == acct)) == 40


def test_concurrent_duplicate_external_id_only_one_wins(rt: Runtime) -> None:
    acct = make_account(rt)
    results: list[object] = []
    lock = threading.Lock()

    def attempt(_: int) -> None:
        try:
            t: object = _create(rt, acct, external_task_id="same")
        except KlingError as exc:
            t = exc
        with lock:
            results.append(t)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(attempt, range(6)))
    assert sum(isinstance(r, Task) for r in results) == 1
    assert all(
        isinstance(r, KlingError) and r.code == Code.INVALID_PARAM for r in results if not isinstance(r, Task)
    )


def test_submitted_callback_written_with_row(rt: Runtime) -> None:
    acct = make_account(rt)
    t = _create(rt, acct, callback_url="http://127.0.0.1:9/hook", external_task_id="e")
    bodies = _outbox(rt, t.id)
    assert len(bodies) == 1
    assert bodies[0]["task_id"] == t.id and bodies[0]["task_status"] == "submitted"
    assert bodies[0]["task_info"] == {"external_task_id": "e"}
    assert _outbox(rt, _create(rt, acct).id) == []  # no callback_url, no outbox row


def test_cancel_submitted_and_processing(rt: Runtime) -> None:
    acct = make_account(rt)
    queued = _create(rt, acct, callback_url="http://127.0.0.1:9/h")
    done = service.cancel_task(rt, acct, "avatar", queued.id)
    assert done is not None and done.status == "failed" and done.status_msg == "cancelled by the client"
    assert [b["task_status"] for b in _outbox(rt, queued.id)] == ["submitted", "failed"]
    # running: only flagged
    running = _create(rt, acct)
    with rt.db.write() as s:
        assert service.set_status(s, rt, running.id, "processing", expect_status=("submitted",), attempt=1)
    flagged = service.cancel_task(rt, acct, "avatar", running.id)
    assert flagged is not None and flagged.status == "processing" and flagged.cancel_requested
    # terminal: unchanged
    again = service.cancel_task(rt, acct, "avatar", queued.id)
    assert again is not None and again.status == "failed" and again.updated_at == done.updated_at
    assert service.cancel_task(rt, acct, "avatar", "123") is None
    assert service.cancel_task(rt, make_account(rt), "avatar", running.id) is None


def test_set_status_is_fenced(rt: Runtime) -> None:
    acct = make_account(rt)
    t = _create(rt, acct)
    with rt.db.write() as s:
        claimed = service.set_status(
            s, rt, t.id, "processing", expect_status=("submitted",), attempt=Task.attempt + 1
        )
        assert claimed is not None and claimed.attempt == 1
    with rt.db.write() as s:  # a second claim of the same delivery matches nothing
        assert service.set_status(s, rt, t.id, "processing", expect_status=("submitted",)) is None
    with rt.db.write() as s:  # a stale attempt cannot finish it
        assert (
            service.set_status(s, rt, t.id, "succeed", expect_status=("processing",), expect_attempt=2)
            is None
        )
    with rt.db.write() as s:
        fin = service.set_status(s, rt, t.id, "succeed", expect_status=("processing",), expect_attempt=1)
        assert fin is not None and fin.finished_at is not None and fin.lease_expires_at is None


def test_queue_view(rt: Runtime) -> None:
    acct = make_account(rt)
    a, b, c = (_create(rt, acct) for _ in range(3))
    with rt.db.write() as s:
        service.set_status(s, rt, a.id, "processing", expect_status=("submitted",))
    assert service.queue_view(rt, acct, c) == {"depth": 2, "running": 1, "position": 2}
    assert service.queue_view(rt, acct, b)["position"] == 1
    fresh_a = service.get_task(rt, acct, "avatar", task_id=a.id)
    assert fresh_a is not None and service.queue_view(rt, acct, fresh_a)["position"] == 0
    assert service.queue_view(rt, acct, None) == {"depth": 2, "running": 1, "position": 0}


def test_queue_view_shows_only_the_callers_own_tasks(rt: Runtime) -> None:
    busy, quiet = make_account(rt), make_account(rt)
    first = _create(rt, busy)
    for _ in range(3):
        _create(rt, busy)
    with rt.db.write() as s:
        service.set_status(s, rt, first.id, "processing", expect_status=("submitted",))
    mine = _create(rt, quiet)  # queued after all of busy's tasks
    assert service.queue_view(rt, quiet, None) == {"depth": 1, "running": 0, "position": 0}
    assert service.queue_view(rt, quiet, mine) == {"depth": 1, "running": 0, "position": 1}
    assert service.queue_view(rt, busy, None) == {"depth": 3, "running": 1, "position": 0}


def test_record_finished_task_and_assets(rt: Runtime) -> None:
    acct = make_account(rt)
    result = {"audios": [{"id": "1", "key": f"{acct}/x/1.mp3", "duration": "2.5"}], "units": "0.1"}
    t = service.record_finished_task(rt, account_id=acct, kind="tts", params={"text": "hi"}, result=result)
    assert t.status == "succeed" and t.result == result
    got = service.get_task(rt, acct, "tts", task_id=t.id)
    assert got is not None and got.status == "succeed"
    with rt.db.write() as s:
        a = service.add_asset(
            s,
            account_id=acct,
            task_id=t.id,
            role="audio",
            blob_key="k",
            content_type="audio/mpeg",
            duration_s=2.5,
            extra={"phones": "p"},
            retention=30,
        )
        old = service.add_asset(
            s,
            account_id=acct,
            task_id=t.id,
            role="audio",
            blob_key="k2",
            content_type="audio/mpeg",
            duration_s=1.0,
            extra={},
            retention=-1,
        )
        aid, old_id = a.id, old.id
    found = service.find_asset(rt, acct, aid, ("audio",))
    assert found is not None and found.extra == {"phones": "p"} and found.duration_s == 2.5
    assert service.find_asset(rt, acct, aid, ("video",)) is None  # wrong role
    assert service.find_asset(rt, make_account(rt), aid, ("audio",)) is None  # other account
    assert service.find_asset(rt, acct, old_id, ("audio",)) is None  # expired
