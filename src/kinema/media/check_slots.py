"""Where an input check runs: inline when it is cheap, else in a thread, a bounded number at a time.

The API serves every request from one event loop, so a check that takes 0.65 s there (a 190 KB PNG that
declares 7000×7000 pixels) stalls every client, health checks included. Whether a check is cheap is decided
from the work the file declares (pixels, inflated bytes; see :func:`kinema.media.image_probe.check_cost_ms`),
never from its size on the wire. Cheap checks stay inline because the thread hop costs more than they do:
on the create path of ``bench/api_bench.py`` (a 30 KB JPEG, ~1 ms to check) a hop per create cost
measurable throughput (see :mod:`kinema.api.blocking`).

Checks that do leave the loop share ``Limits.media_checks_concurrent`` slots per event loop, so their memory
(each bounded by ``Limits.image_check_memory_bytes``) and CPU are bounded in total however many creates
arrive at once; the rest wait their turn without holding a thread.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: A check estimated to take at most this long runs on the event loop.
INLINE_MS = 3.0

_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def _semaphore(size: int) -> asyncio.Semaphore:
    per_loop = _slots.setdefault(asyncio.get_running_loop(), {})
    if size not in per_loop:
        per_loop[size] = asyncio.Semaphore(max(1, size))
    return per_loop[size]


async def run_check(cost_ms: float, slots: int, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)``: inline if ``cost_ms`` ≤ :data:`INLINE_MS`, otherwise in a worker thread
    once one of ``slots`` is free."""
    if cost_ms <= INLINE_MS:
        return fn(*args, **kwargs)
    async with _semaphore(slots):
        return await asyncio.to_thread(fn, *args, **kwargs)
