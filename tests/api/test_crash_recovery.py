"""Nothing accepted is lost: SIGKILL the whole server (API + workers) mid-job, start it again, and the task
still ends ``succeed`` (the reaper hands the stale lease back and a worker re-runs it)."""

from __future__ import annotations

import time
from pathlib import Path

from kinema.db.models import Task
from tests.api.media import png_b64
from tests.api.server import start_server, wait_for

I2V = "/kling/v1/videos/image2video"


def test_killed_server_finishes_the_task_after_restart(tmp_path: Path) -> None:
    srv = start_server(tmp_path)
    key = srv.key
    with srv.client() as c:
        created = c.post(
            I2V, json={"image": png_b64(1280, 720), "duration": "10", "mode": "pro", "prompt": "slow zoom in"}
        ).json()
        assert created["code"] == 0, created
        task_id = created["data"]["task_id"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            data = c.get(f"{I2V}/{task_id}").json()["data"]
            if data["task_status"] == "processing":
                break
            time.sleep(0.1)
        assert data["task_status"] == "processing", data
    srv.kill()

    again = start_server(tmp_path)
    try:
        assert again.key == key  # the development key survives restarts
        with again.client() as c:
            done = wait_for(c, f"{I2V}/{task_id}", timeout=240)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        assert done["task_result"]["videos"][0]["duration"].startswith("10")
        with again.db.read() as s:
            task = s.get(Task, task_id)
        assert task is not None and task.attempt >= 2  # it really was re-run after the crash
    finally:
        again.stop()
