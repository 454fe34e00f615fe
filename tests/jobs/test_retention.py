"""Retention: expired results lose their blobs, their tasks say so, ids stop resolving."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kinema.contract.tasks import RETENTION_MSG, task_object
from kinema.jobs import service
from kinema.jobs.retention import sweep_once
from kinema.runtime import Runtime
from tests.support.db import BACKENDS, make_account, runtime


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param)


def test_sweep_deletes_expired(rt: Runtime) -> None:
    acct = make_account(rt)
    t = service.record_finished_task(rt, account_id=acct, kind="tts", params={}, result={"units": "1"})
    for name in ("old.mp3", "old.json", "new.mp3"):
        rt.storage.put_bytes(f"{acct}/{t.id}/{name}", b"x", "audio/mpeg")
    with rt.db.write() as s:
        old = service.add_asset(
            s,
            account_id=acct,
            task_id=t.id,
            role="audio",
            blob_key=f"{acct}/{t.id}/old.mp3",
            content_type="audio/mpeg",
            extra={"phones": f"{acct}/{t.id}/old.json"},
            retention=-0.001,
        )
        new = service.add_asset(
            s,
            account_id=acct,
            task_id=None,
            role="audio",
            blob_key=f"{acct}/{t.id}/new.mp3",
            content_type="audio/mpeg",
            retention=30,
        )
        old_id, new_id = old.id, new.id
    assert sweep_once(rt) == 1
    assert rt.storage.info(f"{acct}/{t.id}/old.mp3") is None
    assert rt.storage.info(f"{acct}/{t.id}/old.json") is None
    assert rt.storage.info(f"{acct}/{t.id}/new.mp3") is not None
    assert service.find_asset(rt, acct, old_id, ("audio",)) is None
    assert service.find_asset(rt, acct, new_id, ("audio",)) is not None
    task = service.get_task(rt, acct, "tts", task_id=t.id)
    assert task is not None and task.expired
    wire = task_object(task, rt.urls.url)
    assert wire["task_result"] == {} and wire["task_status_msg"] == RETENTION_MSG
    assert sweep_once(rt) == 0


def test_sweep_deletes_inputs_of_old_tasks(rt: Runtime) -> None:
    acct = make_account(rt)
    upload = f"{acct}/inputs/u1/image.png"
    reused = f"{acct}/123/456.mp3"  # another task's result, used as audio_id: left to its asset
    rt.storage.put_bytes(upload, b"png", "image/png")
    rt.storage.put_bytes(reused, b"mp3", "audio/mpeg")
    t = service.create_task(
        rt, account_id=acct, kind="avatar", params={}, inputs={"image": upload, "audio": reused}
    )
    service.cancel_task(rt, acct, "avatar", t.id)
    assert sweep_once(rt) == 0 and rt.storage.info(upload) is not None  # finished just now: kept
    rt.settings.retention_days = -1.0
    sweep_once(rt)
    assert rt.storage.info(upload) is None and rt.storage.info(reused) is not None
    task = service.get_task(rt, acct, "avatar", task_id=t.id)
    assert task is not None and task.expired and task.status_msg == "cancelled by the client"
