"""Start a real ``kinema serve`` subprocess (API + workers) on a free loopback port for HTTP tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from kinema.accounts import create_aksk, create_api_key
from kinema.db.engine import Database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    data_dir: Path
    key: str
    proc: subprocess.Popen[bytes]

    @property
    def db(self) -> Database:
        return Database(f"sqlite:///{(self.data_dir / 'kinema.db').resolve()}")

    def client(self, key: str | None = None, timeout: float = 60.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key or self.key}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=timeout)

    def new_key(self, account: str) -> str:
        cred = create_api_key(self.db, account)
        assert cred.api_key
        return cred.api_key

    def new_aksk(self, account: str) -> tuple[str, str]:
        cred = create_aksk(self.db, account)
        assert cred.access_key and cred.secret_key
        return cred.access_key, cred.secret_key

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def kill(self) -> None:
        """SIGKILL the server and its workers (a crash)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


STARTED_DATA_DIRS: set[Path] = set()
"""Data folders of the servers this test session started (their metrics folders are removed at its end)."""


def start_server(
    data_dir: Path,
    *,
    api_only: bool = False,
    log_path: Path | None = None,
    port: int | None = None,
    **env: str,
) -> Server:
    """``log_path`` defaults to ``server.log`` in the data folder; a test that fills that folder's disk
    keeps the log elsewhere, so the log's growth does not change how much room is left. ``port``: a restart
    at the same address (default: a free one)."""
    port = port or free_port()
    full_env = {
        **os.environ,
        "KINEMA_DATA_DIR": str(data_dir),
        "KINEMA_PORT": str(port),
        "KINEMA_WORKERS": "1",
        "KINEMA_LEASE_S": "6",
        "KINEMA_HEARTBEAT_S": "1",
        "KINEMA_REAPER_INTERVAL_S": "1",
        "KINEMA_WEBHOOK_BACKOFF_S": "0.2",
        "KINEMA_WARM_KINDS": "[]",  # test servers load models on first use (a warm-up per start costs CPU)
        **env,
    }
    cmd = [sys.executable, "-m", "kinema", "serve"] + (["--api-only"] if api_only else [])
    data_dir.mkdir(parents=True, exist_ok=True)
    STARTED_DATA_DIRS.add(data_dir.resolve())
    log_path = log_path or data_dir / "server.log"
    log = log_path.open("ab")
    proc = subprocess.Popen(cmd, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not become healthy in 90 s")
    key = (data_dir / "dev-api-key").read_text().strip()
    return Server(base=base, data_dir=data_dir, key=key, proc=proc)


def wait_for(client: httpx.Client, path: str, *, timeout: float = 120.0, terminal: bool = True) -> dict:
    """Poll a task until it is terminal; the last task object."""
    deadline = time.monotonic() + timeout
    data: dict = {}
    while time.monotonic() < deadline:
        body = client.get(path).json()
        data = body["data"]
        if not terminal or data["task_status"] in ("succeed", "failed"):
            return data
        time.sleep(0.25)
    raise AssertionError(f"task at {path} not terminal after {timeout} s: {data}")
