"""The GPU lane in Redis mode, end to end: an API-only server, one ``kinema worker --gpu`` and one CPU
``kinema worker``, each a real process sharing a Redis queue pair (``<name>`` and ``<name>-gpu``).

A text-to-video task served by a tiny random Wan pipeline must run in the GPU worker (and wait while none
runs) and an image-to-video task on a CPU engine in the CPU worker. Which worker ran a task is read back two
ways: the ``host:pid`` the runner records on the task row belongs to that worker's process group (each
worker is started in its own session, and its job processes are its forks), and the claim line naming the
task is in that worker's log and not in the other's.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kinema.db.models import Task
from tests.api.media import png_b64
from tests.api.server import Server, start_server, wait_for
from tests.engines.generative.tiny import TINY, save_t2v
from tests.support.services import listening

pytestmark = [pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Worker:
    proc: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM the worker's group (running jobs are handed back), SIGKILL what lingers."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


def _start_worker(env: dict[str, str], log: Path, *args: str) -> Worker:
    with log.open("ab") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kinema", "worker", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(proc, log)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str], list[Worker]]]:
    """The API (no workers of its own) and the workers' shared settings; workers the test starts in the list
    are stopped, and the test's two Redis queues flushed, afterwards."""
    if not listening(6379):
        pytest.skip("Redis at 127.0.0.1:6379 is unreachable")
    t2v = save_t2v(tmp_path / "models" / "wan-t2v")
    env = {
        "KINEMA_DATA_DIR": str(tmp_path / "data"),
        "KINEMA_QUEUE_URL": f"redis://127.0.0.1:6379/0#kinema-lanes-{secrets.token_hex(4)}",
        "KINEMA_MODELS": json.dumps({"kling-v2-6": {"path": str(t2v), **TINY}}),
        "KINEMA_WORKERS": "1",
        "KINEMA_LEASE_S": "6",
        "KINEMA_HEARTBEAT_S": "1",
        "KINEMA_REAPER_INTERVAL_S": "1",
        "KINEMA_JOB_TIMEOUT_S": "300",
    }
    srv = start_server(tmp_path / "data", api_only=True, **env)
    workers: list[Worker] = []
    try:
        yield srv, env, workers
    finally:
        for w in workers:
            w.stop()
        srv.stop()
        from kinema.contract.vocabulary import Lane
        from kinema.queue import make_huey
        from kinema.settings import Settings

        settings = Settings(data_dir=tmp_path / "data", queue_url=env["KINEMA_QUEUE_URL"])
        for lane in (Lane.CPU, Lane.GPU):
            make_huey(settings, lane).flush()


def _create(c: httpx.Client, path: str, body: dict[str, object]) -> str:
    created = c.post(path, json=body).json()
    assert created["code"] == 0, created
    return str(created["data"]["task_id"])


def _ran_by(srv: Server, task_id: str) -> tuple[str, str]:
    """The task's lane and the ``host:pid`` that ran it, from the task row."""
    with srv.db.read() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return str(task.lane), str(task.worker)


def _assert_ran_in(srv: Server, task_id: str, lane: str, worker: Worker, other: Worker) -> None:
    row_lane, ran_by = _ran_by(srv, task_id)
    assert row_lane == lane
    host, pid = ran_by.rsplit(":", 1)
    assert host == socket.gethostname()
    # A worker leads its own session; its job processes are its forks, still alive while it runs.
    assert os.getpgid(int(pid)) == worker.proc.pid, (task_id, ran_by)
    assert f"task {task_id} attempt 1 claimed by {ran_by}" in worker.text()
    assert task_id not in other.text()


def test_gpu_work_runs_only_in_the_gpu_worker_and_cpu_work_in_the_cpu_worker(
    cluster: tuple[Server, dict[str, str], list[Worker]],
) -> None:
    """While only the CPU worker runs, the image-to-video task (CPU engine) completes and the
    text-to-video task (generative pipeline) waits, untouched; a GPU worker started then runs it."""
    srv, env, workers = cluster
    logs = srv.data_dir.parent
    cpu = _start_worker(env, logs / "cpu-worker.log")
    workers.append(cpu)
    with srv.client() as c:
        t2v = _create(c, "/v1/videos/text2video", {"model_name": "kling-v2-6", "prompt": "a cat dances"})
        i2v = _create(
            c,
            "/kling/v1/videos/image2video",
            {"model_name": "kling-v1", "image": png_b64(320, 320), "prompt": "the camera pans left"},
        )
        done_i2v = wait_for(c, f"/kling/v1/videos/image2video/{i2v}", timeout=180)
        assert done_i2v["task_status"] == "succeed", (done_i2v["task_status_msg"], cpu.text()[-2000:])
        time.sleep(1.5)  # a reaper round and more CPU-queue polls after the CPU work is done
        assert wait_for(c, f"/v1/videos/text2video/{t2v}", terminal=False)["task_status"] == "submitted"
        assert t2v not in cpu.text()

        gpu = _start_worker(env, logs / "gpu-worker.log", "--gpu")
        workers.append(gpu)
        done_t2v = wait_for(c, f"/v1/videos/text2video/{t2v}", timeout=180)
    assert done_t2v["task_status"] == "succeed", (done_t2v["task_status_msg"], gpu.text()[-2000:])
    assert float(done_t2v["task_result"]["videos"][0]["duration"]) == pytest.approx(5.0, abs=0.05)
    _assert_ran_in(srv, t2v, "gpu", gpu, cpu)
    _assert_ran_in(srv, i2v, "cpu", cpu, gpu)
    assert "1 process workers, gpu lane" in gpu.text()
    assert "1 process workers, cpu lane" in cpu.text()
