"""Follow an upstream task to its end: retried calls, polling with backoff, progress mirrored.

Every call goes through :func:`retrying`: a transient failure (:class:`UpstreamBusy`: the upstream down,
rate-limited or at its concurrency cap) waits ``upstream_poll_s`` doubling to ``upstream_retry_max_s`` and
tries again, for as long as the job may run (the runner's ``job_timeout_s``, enforced through ``tick``).
Waits are cut in slices of at most a quarter second, each calling ``tick``: that is how a cancel or a lost
lease stops a follow promptly (``tick`` raises).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from kinema.settings import Settings
from kinema.upstream.client import UpstreamBusy, UpstreamClient

T = TypeVar("T")
Tick = Callable[[float], None]
"""The runner's progress callback: a fraction in 0..1; raises to stop the job."""

POLL_MAX_S = 30.0
"""Longest wait between two polls of a running upstream task."""
UPSTREAM_SHARE = 0.9
"""Share of kinema's progress bar given to the upstream run; the rest is archival."""


class UpstreamFailed(Exception):
    """The upstream task ended ``failed``; ``str()`` is its ``task_status_msg``."""


SLICE_S = 0.25
"""How often a wait calls ``tick`` and reads ``nudged`` (one primary-key read): a callback is acted on within
this much."""


def wait(seconds: float, tick: Tick, fraction: float, nudged: Callable[[], bool] | None = None) -> bool:
    """Sleep ``seconds`` in slices of at most ``SLICE_S``, calling ``tick`` between them; a ``nudged()``
    that turns true (an upstream callback arrived) ends the wait early and returns True."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        tick(fraction)
        if nudged is not None and nudged():
            return True
        time.sleep(min(SLICE_S, left))
    tick(fraction)
    return False


def retrying(call: Callable[[], T], settings: Settings, tick: Tick, fraction: float) -> T:
    """``call()`` until it stops raising :class:`UpstreamBusy`, with exponential backoff."""
    delay = settings.upstream_poll_s
    while True:
        try:
            return call()
        except UpstreamBusy:
            wait(delay, tick, fraction)
            delay = min(delay * 2, settings.upstream_retry_max_s)


def mirrored_progress(task: dict[str, Any]) -> float:
    """kinema's progress fraction for an upstream task object. Kling sends no progress: then 5 % while
    queued and 50 % while processing; a kinema upstream sends ``task_progress``."""
    pct = task.get("task_progress")
    if isinstance(pct, int | float) and not isinstance(pct, bool):
        share = max(0.0, min(100.0, float(pct))) / 100
    else:
        share = 0.05 if task.get("task_status") == "submitted" else 0.5
    return share * UPSTREAM_SHARE


def follow(
    client: UpstreamClient,
    path: str,
    task: dict[str, Any],
    settings: Settings,
    tick: Tick,
    nudged: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Poll until the upstream task ``task`` (its create or query reply) is terminal; the ``succeed``
    object. Raises :class:`UpstreamFailed` for ``failed``. ``nudged()`` true (a callback came) polls at once
    and starts the backoff over."""
    delay = settings.upstream_poll_s
    task_id = str(task["task_id"])
    while True:
        status = str(task.get("task_status", ""))
        if status == "succeed":
            return task
        if status == "failed":
            raise UpstreamFailed(str(task.get("task_status_msg") or "the upstream task failed"))
        fraction = mirrored_progress(task)
        delay = (
            settings.upstream_poll_s if wait(delay, tick, fraction, nudged) else min(delay * 2, POLL_MAX_S)
        )
        task = retrying(lambda: client.get(path, task_id), settings, tick, fraction)
