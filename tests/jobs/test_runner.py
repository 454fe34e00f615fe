"""The runner in-process: claim, result and assets, failures, retries, cancel, lost fence."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from kinema.db.models import Asset, Task
from kinema.jobs import service
from kinema.jobs.executors.base import OutputFile
from kinema.jobs.runner import _Stored, build_result, fmt_seconds, run_task
from kinema.runtime import Runtime
from tests.support.db import BACKENDS, make_account, runtime
from tests.support.slow_executor import slow_params


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param)


def _task(rt: Runtime, rt_account: str, kind: str = "avatar", **params: Any) -> Task:
    key = f"{rt_account}/inputs/u1/image.png"
    rt.storage.put_bytes(key, b"png-bytes", "image/png")
    params = slow_params(**{"seconds": 0.2, **params})
    return service.create_task(rt, account_id=rt_account, kind=kind, params=params, inputs={"image": key})


def _get(rt: Runtime, task: Task) -> Task:
    got = service.get_task(rt, task.account_id, task.kind, task_id=task.id)
    assert got is not None
    return got


def test_success_stores_outputs_and_result(rt: Runtime) -> None:
    acct = make_account(rt)
    t = _task(rt, acct, audio=True, duration=5.04)
    assert run_task(rt, t.id, "w1") == "succeed"
    done = _get(rt, t)
    assert done.status == "succeed" and done.progress == 100 and done.attempt == 1 and done.worker == "w1"
    video = done.result["videos"][0]
    assert video["duration"] == "5.04" and video["key"] == f"{acct}/{t.id}/{video['id']}.mp4"
    assert b"fake-mp4:" in b"".join(rt.storage.open_range(video["key"], 0, 100))
    audio = done.result["audios"][0]
    assert set(audio) == {"id", "key_mp3", "key_wav", "duration_mp3", "duration_wav"}
    assert audio["duration_wav"] == "5.0" and "units" not in done.result
    assert done.units_hundredths == 100  # an avatar task's price (contract/prices.py), not its seconds
    with rt.db.read() as s:
        assets = list(s.scalars(select(Asset).where(Asset.task_id == t.id)))
    assert {a.role for a in assets} == {"video", "audio_mp3", "audio_wav"}
    assert all(a.expires_at and a.expires_at > done.finished_at for a in assets)  # type: ignore[operator]
    assert service.find_asset(rt, acct, video["id"], ("video",)) is not None
    assert run_task(rt, t.id, "w2") == "dropped"  # a duplicate doorbell does nothing
    assert not any((rt.settings.data_dir / "work").iterdir())  # work folder removed


def test_input_error_fails_at_once(rt: Runtime) -> None:
    t = _task(rt, make_account(rt), mode="input_error")
    assert run_task(rt, t.id, "w") == "failed"
    done = _get(rt, t)
    assert done.status == "failed" and done.status_msg == "image: no face found in the picture"
    assert done.attempt == 1


def test_crash_retries_then_fails(rt: Runtime) -> None:
    t = _task(rt, make_account(rt), mode="crash")
    assert run_task(rt, t.id, "w") == "requeued"
    assert _get(rt, t).status == "submitted"
    assert run_task(rt, t.id, "w") == "requeued"
    assert run_task(rt, t.id, "w") == "failed"
    done = _get(rt, t)
    assert done.status == "failed" and done.attempt == 3
    assert done.status_msg == "failed after 3 attempts: the engine stopped with an internal error"
    assert "exploded" not in done.status_msg  # the exception text stays in the server log


def test_crash_once_then_succeeds(rt: Runtime, tmp_path: Path) -> None:
    t = _task(rt, make_account(rt), mode="crash_once", marker=str(tmp_path / "m"))
    assert run_task(rt, t.id, "w") == "requeued"
    assert run_task(rt, t.id, "w") == "succeed"
    assert _get(rt, t).attempt == 2


def test_full_disk_fails_at_once_without_retries(rt: Runtime) -> None:
    t = _task(rt, make_account(rt), mode="disk_full")
    assert run_task(rt, t.id, "w") == "failed"
    done = _get(rt, t)
    assert done.status == "failed" and done.attempt == 1  # no attempt (or lease) burnt on a retry
    assert done.status_msg.startswith("no space left on device")
    assert "/" not in done.status_msg  # no server paths in what the client reads
    assert not any((rt.settings.data_dir / "work").iterdir())  # the partial output is gone


def test_missing_engine_fails_at_once(rt: Runtime) -> None:
    rt.settings.executors = {"avatar": "kinema.no_such_engine_module:execute"}
    t = _task(rt, make_account(rt))
    assert run_task(rt, t.id, "w") == "failed"
    msg = _get(rt, t).status_msg
    # the import error is for the operator's log; the client reads only that the engine is missing
    assert msg == "the avatar engine is not available on this server"
    t2 = _task(rt, make_account(rt), kind="tts")  # no executor for this kind
    assert run_task(rt, t2.id, "w") == "failed"
    assert _get(rt, t2).status_msg == "the tts engine is not available on this server"


def test_cancel_running_task(rt: Runtime) -> None:
    acct = make_account(rt)
    t = _task(rt, acct, seconds=20, steps=200)
    outcome: list[str] = []
    th = threading.Thread(target=lambda: outcome.append(run_task(rt, t.id, "w")))
    th.start()
    deadline = time.monotonic() + 10
    while _get(rt, t).status != "processing" and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    started = time.monotonic()
    service.cancel_task(rt, acct, "avatar", t.id)
    th.join(timeout=10)
    took = time.monotonic() - started
    assert outcome == ["cancelled"] and took < 2.0
    done = _get(rt, t)
    assert done.status == "failed" and done.status_msg == "cancelled by the client"


def test_lost_fence_stops_the_old_attempt(rt: Runtime) -> None:
    t = _task(rt, make_account(rt), seconds=20, steps=200)
    outcome: list[str] = []
    th = threading.Thread(target=lambda: outcome.append(run_task(rt, t.id, "old")))
    th.start()
    deadline = time.monotonic() + 10
    while _get(rt, t).status != "processing" and time.monotonic() < deadline:
        time.sleep(0.05)
    with rt.db.write() as s:  # as if the reaper had handed the task to attempt 2
        s.execute(update(Task).where(Task.id == t.id).values(attempt=2))
    th.join(timeout=10)
    assert outcome == ["lost"]
    after = _get(rt, t)
    assert after.status == "processing" and after.attempt == 2  # the old worker wrote nothing


def test_result_shapes() -> None:
    assert fmt_seconds(5.04) == "5.04" and fmt_seconds(5.1) == "5.1" and fmt_seconds(5) == "5.0"
    assert build_result([]) == {}


def test_a_watermarked_copy_sits_in_its_video_entry(tmp_path: Path) -> None:
    out = OutputFile(role="video", path=tmp_path / "v.mp4", duration_s=5.04)
    plain = build_result([_Stored(out, "11", "a/t/11.mp4", {"width": 640})])
    assert plain["videos"] == [{"id": "11", "key": "a/t/11.mp4", "duration": "5.04"}]
    marked = build_result([_Stored(out, "11", "a/t/11.mp4", {"watermark": "a/t/11.watermark.mp4"})])
    assert list(marked["videos"][0]) == ["id", "key", "watermark_key", "duration"]
    assert marked["videos"][0]["watermark_key"] == "a/t/11.watermark.mp4"
    assert "units" not in marked  # the price is fixed at create (contract/prices.py), not measured here


def test_concurrent_deliveries_claim_once(rt: Runtime) -> None:
    t = _task(rt, make_account(rt), seconds=0.3)
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda i: run_task(rt, t.id, f"w{i}"), range(6)))
    assert sorted(outcomes) == ["dropped"] * 5 + ["succeed"]
    assert _get(rt, t).attempt == 1
