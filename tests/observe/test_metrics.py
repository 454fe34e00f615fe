"""The metric functions write to the deployment's folder; a worker host can serve that folder itself."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from kinema.observe import metrics
from kinema.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_recorded_values_are_rendered_and_served_on_the_worker_port(tmp_path: Path) -> None:
    folder = metrics.configure(Settings(data_dir=tmp_path))  # the first call of this process wins
    assert folder.is_dir()
    before = metrics.render().decode()
    metrics.webhook_attempt("dead")
    metrics.fetch_failure("timeout")
    metrics.task_finished("avatar", "pro", "cancelled", None)
    after = metrics.render().decode()
    assert 'kinema_webhook_attempts_total{result="dead"}' in after and after != before
    assert 'kinema_tasks_finished_total{kind="avatar",mode="pro",outcome="cancelled"}' in after
    # never claimed (run_s None): counted as finished, no run time observed
    assert 'kinema_task_run_seconds_count{kind="avatar",mode="pro",outcome="cancelled"}' not in after
    port = _free_port()
    metrics.serve_http(port)
    served = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    assert 'kinema_input_fetch_failures_total{reason="timeout"}' in served


def test_a_missing_mode_is_labelled_none(tmp_path: Path) -> None:
    metrics.configure(Settings(data_dir=tmp_path))
    metrics.task_created("tts", None)
    assert 'kinema_tasks_created_total{kind="tts",mode="none"}' in metrics.render().decode()
