"""Cheap checks run inline; heavy ones in threads, never more at once than the slots allow."""

from __future__ import annotations

import asyncio
import threading
import time

from kinema.media.check_slots import INLINE_MS, run_check


def test_cheap_checks_stay_on_the_loop_thread() -> None:
    async def main() -> tuple[int, int]:
        loop_thread = threading.get_ident()
        cheap = await run_check(INLINE_MS, 2, threading.get_ident)
        heavy = await run_check(INLINE_MS + 1, 2, threading.get_ident)
        assert cheap == loop_thread
        return cheap, heavy

    cheap, heavy = asyncio.run(main())
    assert cheap != heavy


def test_heavy_checks_share_the_slots_and_leave_the_loop_free() -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.1)  # stands in for a CPU-heavy decode
        with lock:
            running -= 1

    async def main() -> float:
        gaps: list[float] = []

        async def ticker() -> None:
            last = time.perf_counter()
            while True:
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        tick = asyncio.create_task(ticker())
        await asyncio.gather(*(run_check(1e9, 2, work) for _ in range(6)))
        await asyncio.sleep(0.02)  # let the ticker record the last gap
        tick.cancel()
        return max(gaps)

    worst_gap = asyncio.run(main())
    assert most == 2
    assert worst_gap < 0.08  # the loop kept ticking while six checks ran three rounds of two
