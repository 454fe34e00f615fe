"""A full disk, for real: the data folder on a small tmpfs, filled with a file, then freed.

Creates and TTS answer 5001 (HTTP 503) "no space left on device" and keep nothing; a task whose worker runs
out of room fails at once with that message (one attempt, no lease spent waiting); once the file is deleted
everything works again at once.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kinema.db.models import Task
from tests.api.media import png_b64
from tests.api.server import Server, start_server, wait_for
from tests.support.tmpfs import fill, free, small_tmpfs

I2V = "/kling/v1/videos/image2video"
TTS = "/kling/v1/audio/tts"
SPEAK = {"text": "Space is back.", "voice_id": "oversea_male1", "voice_language": "en"}


def _wait_for_worker(log_path: Path, timeout: float = 90.0) -> None:
    """The API answers before its worker process is up; a worker that starts on a full disk cannot open
    its queue and exits, so the disk is filled only once the worker has started."""
    deadline = time.monotonic() + timeout
    while "kinema worker:" not in log_path.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.2)


@pytest.fixture
def disk_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    with small_tmpfs(tmp_path / "disk", 48 * 1024 * 1024) as disk:
        log_path = tmp_path / "server.log"
        srv = start_server(disk / "data", log_path=log_path)
        try:
            _wait_for_worker(log_path)
            yield srv, disk
        finally:
            srv.stop()


def _leftovers(srv: Server) -> list[Path]:
    """Stored inputs and partial uploads: what a refused create must not leave behind."""
    blobs = srv.data_dir / "blobs"
    files = [p for p in blobs.rglob("*") if p.is_file()]
    return [p for p in files if "/inputs/" in str(p) or p.name.startswith(".up-")]


def _no_space(body: dict) -> bool:
    return body["code"] == 5001 and body["message"].startswith("no space left on device")


def test_full_disk_is_reported_and_recovery_is_immediate(disk_server: tuple[Server, Path]) -> None:
    srv, disk = disk_server
    image = png_b64(1024, 1024)  # ~2.2 MB: a worker's copy of it needs that much room again
    with srv.client() as c:
        fill(disk)
        create = c.post(I2V, json={"image": image})
        assert create.status_code == 503 and _no_space(create.json()), create.text
        speak = c.post(TTS, json=SPEAK)
        assert speak.status_code == 503 and _no_space(speak.json()), speak.text
        assert _leftovers(srv) == []

        # Room for the create (its input and a few database pages), not for the worker's copy of the input.
        free(disk)
        fill(disk, leave=len(base64.b64decode(image)) + 400_000)
        created = c.post(I2V, json={"image": image})
        assert created.status_code == 200, created.text
        task_id = created.json()["data"]["task_id"]
        started = time.monotonic()
        done = wait_for(c, f"{I2V}/{task_id}", timeout=60)
        took = time.monotonic() - started
        assert done["task_status"] == "failed", done
        assert done["task_status_msg"].startswith("no space left on device"), done
        assert took < 15, took  # at once: before, three leases of 6 s each ran out first
        with srv.db.read() as session:
            assert session.scalar(select(Task.attempt).where(Task.id == task_id)) == 1
        assert not any((srv.data_dir / "work").iterdir())

        free(disk)
        assert c.post(TTS, json=SPEAK).json()["code"] == 0
        again = c.post(I2V, json={"image": png_b64(320, 320), "duration": "5"})
        assert again.status_code == 200, again.text
        finished = wait_for(c, f"{I2V}/{again.json()['data']['task_id']}", timeout=120)
        assert finished["task_status"] == "succeed", finished
