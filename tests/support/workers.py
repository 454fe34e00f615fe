"""Real ``run_worker`` processes for durability tests: started in their own process group so a test can
SIGKILL one job process, the whole group, or stop it with SIGTERM like ``kinema serve`` does."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kinema.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def settings_env(settings: Settings) -> dict[str, str]:
    """The ``KINEMA_*`` variables that rebuild ``settings`` in a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINEMA_")}
    fields = [
        "data_dir",
        "database_url",
        "queue_url",
        "url_signing_secret",
        "lease_s",
        "heartbeat_s",
        "reaper_interval_s",
        "job_max_attempts",
        "workers",
        "webhook_secret",
        "webhook_backoff_s",
        "webhook_timeout_s",
        "webhook_max_attempts",
        "retention_days",
    ]
    for name in fields:
        value = getattr(settings, name)
        if value is not None:
            env[f"KINEMA_{name.upper()}"] = str(value)
    env["KINEMA_EXECUTORS"] = json.dumps(settings.executors)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


class WorkerProcess:
    def __init__(self, settings: Settings, log: Path) -> None:
        self.log = log
        self._fh = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.worker_main"],
            cwd=ROOT,
            env=settings_env(settings),
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM the group (as ``kinema serve`` does), then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            self.kill_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill_group(signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.kill_group(signal.SIGKILL)  # any orphaned job process
        self._fh.close()
        return self.proc.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(
    cond: Callable[[], object], timeout: float, what: str, log: WorkerProcess | None = None
) -> float:
    """Poll ``cond`` until truthy; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if cond():
            return time.monotonic() - started
        time.sleep(0.05)
    tail = log.output()[-3000:] if log else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")
