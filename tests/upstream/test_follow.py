"""Following an upstream task: retries through outages, progress mirrored, failures relayed, callbacks."""

from __future__ import annotations

import time
from typing import Any

import pytest

from kinema.settings import Settings
from kinema.upstream.client import UpstreamBusy
from kinema.upstream.follow import UpstreamFailed, follow, mirrored_progress

SETTINGS = Settings(upstream_poll_s=0.01, upstream_retry_max_s=0.02)


class Script:
    """A stand-in client answering ``get`` from a list (an exception instance is raised)."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.calls = 0

    def get(self, path: str, task_id: str) -> dict[str, Any]:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)


def test_outage_is_waited_out_and_progress_mirrored() -> None:
    script = Script(
        [
            UpstreamBusy("down"),
            UpstreamBusy("down"),
            {"task_id": "7", "task_status": "processing", "task_progress": 50},
            {"task_id": "7", "task_status": "succeed", "task_result": {}},
        ]
    )
    ticks: list[float] = []
    done = follow(script, "/p", {"task_id": "7", "task_status": "submitted"}, SETTINGS, ticks.append)  # type: ignore[arg-type]
    assert done["task_status"] == "succeed" and script.calls == 4
    assert max(ticks) == pytest.approx(0.45)  # 50 % of the 90 % share
    assert ticks == sorted(ticks)


def test_a_failed_upstream_task_raises_its_message() -> None:
    script = Script([{"task_id": "7", "task_status": "failed", "task_status_msg": "content risk"}])
    with pytest.raises(UpstreamFailed, match="content risk"):
        follow(script, "/p", {"task_id": "7", "task_status": "processing"}, SETTINGS, lambda f: None)  # type: ignore[arg-type]


def test_a_callback_cuts_a_long_poll_wait() -> None:
    slow = Settings(upstream_poll_s=20)
    script = Script([{"task_id": "7", "task_status": "succeed"}])
    start = time.monotonic()
    follow(script, "/p", {"task_id": "7", "task_status": "processing"}, slow, lambda f: None, lambda: True)  # type: ignore[arg-type]
    assert time.monotonic() - start < 1


def test_progress_without_a_figure() -> None:
    assert mirrored_progress({"task_status": "submitted"}) == pytest.approx(0.045)
    assert mirrored_progress({"task_status": "processing"}) == pytest.approx(0.45)
