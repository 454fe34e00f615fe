"""The scale-out deployment the soak runs against, on this machine: PostgreSQL and Redis (already running on
127.0.0.1), an S3 server (moto's server mode, started here), N API processes and M worker processes.

Each API process and each worker has its own data folder (as separate hosts would: work folders only; the
database, queue and blobs are shared) and all share one metrics folder (one host). A fresh PostgreSQL
database and a fresh Redis queue name per run, removed at the end, so runs never see each other's tasks.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PG_ADMIN = os.environ.get("KINEMA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("KINEMA_TEST_REDIS", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")


@dataclass
class Cluster:
    root: Path
    apis: int = 2
    workers: int = 3
    procs_per_worker: int = 1
    db_name: str = field(default_factory=lambda: f"kinema_soak_{secrets.token_hex(4)}")
    queue: str = field(default_factory=lambda: f"kinema-soak-{secrets.token_hex(4)}")
    bucket: str = field(default_factory=lambda: f"soak-{secrets.token_hex(4)}")
    api_urls: list[str] = field(default_factory=list)
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker_procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    kills: int = 0
    s3_url: str = ""

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg://{PG_ADMIN.split('://', 1)[1].rsplit('/', 1)[0]}/{self.db_name}"

    def env(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "KINEMA_DATA_DIR": str(self.root / name),
            "KINEMA_DATABASE_URL": self.database_url,
            "KINEMA_QUEUE_URL": f"{REDIS}#{self.queue}",
            "KINEMA_STORAGE": "s3",
            "KINEMA_S3_BUCKET": self.bucket,
            "KINEMA_S3_ENDPOINT_URL": self.s3_url,
            "AWS_ACCESS_KEY_ID": "soak",
            "AWS_SECRET_ACCESS_KEY": "soak",
            "KINEMA_METRICS_DIR": str(self.root / "metrics"),
            "KINEMA_LOG_FORMAT": "json",
            "KINEMA_ALLOW_PRIVATE_URLS": "true",  # callbacks to the soak's receiver on 127.0.0.1
            "KINEMA_MAX_RUNNING_TASKS": "100000",
            "KINEMA_RATE_LIMIT_PER_MINUTE": "1000000",
            "KINEMA_LEASE_S": "8",
            "KINEMA_HEARTBEAT_S": "1",
            "KINEMA_REAPER_INTERVAL_S": "1",
            "KINEMA_WEBHOOK_BACKOFF_S": "0.2",
            "KINEMA_WORKERS": str(self.procs_per_worker),
        }

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        (self.root / name).mkdir(parents=True, exist_ok=True)
        log = (self.root / f"{name}.log").open("ab")
        cmd = [sys.executable, "-m", *args]
        proc = subprocess.Popen(
            cmd, env=self.env(name), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )  # its own group: a kill takes its job processes
        self._procs.append(proc)
        return proc

    def start(self) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        port = free_port()
        self.s3_url = f"http://127.0.0.1:{port}"
        moto = self._spawn("s3", ["moto.server", "-H", "127.0.0.1", "-p", str(port)])
        wait_healthy(self.s3_url + "/moto-api/", moto, self.root / "s3.log")
        for i in range(self.apis):  # one after the other: the first one runs the migrations
            port = free_port()
            proc = self._spawn(f"api{i}", ["kinema", "serve", "--api-only", "--port", str(port)])
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url + "/healthz", proc, self.root / f"api{i}.log")
            self.api_urls.append(url)
        for i in range(self.workers):
            self.start_worker(i)

    def start_worker(self, i: int) -> None:
        self.worker_procs[i] = self._spawn(f"worker{i}", ["kinema", "worker"])

    def busy_workers(self) -> list[int]:
        """The workers whose job processes hold a task now (``tasks.worker`` is ``host:pid`` of the job
        process, whose process group is its worker's)."""
        from sqlalchemy import select

        from kinema.db.engine import Database
        from kinema.db.models import Task

        db = Database(self.database_url)
        try:
            with db.read() as s:
                names = s.scalars(select(Task.worker).where(Task.status == "processing")).all()
        finally:
            db.dispose()
        groups = set()
        for name in names:
            try:
                groups.add(os.getpgid(int(str(name).rsplit(":", 1)[1])))
            except (ValueError, IndexError, ProcessLookupError):
                continue
        return [i for i, proc in self.worker_procs.items() if proc.pid in groups]

    def kill_worker(self, i: int) -> None:
        """SIGKILL worker ``i`` and its job processes (a crashed host), then start a new one."""
        proc = self.worker_procs[i]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self.kills += 1
        self.start_worker(i)

    def stop(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self._procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self._drop()

    def _drop(self) -> None:
        import psycopg
        import redis

        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(f"*{self.queue}*"):
            client.delete(key)
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
