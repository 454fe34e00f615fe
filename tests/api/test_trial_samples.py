"""The trial-sample maker of the voice routes: one synthesis per voice however many ask at once, at most
``SAMPLE_SLOTS`` at a time, in threads (the event loop keeps answering), none once the sample is stored."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from kinema.api.routes import voices
from kinema.runtime import Runtime
from kinema.settings import Settings
from kinema.storage.local import LocalStorage


class SlowMaker:
    """Stands in for ``make_sample``: stores a few bytes after a pause, counting calls and overlap."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.running = self.most_at_once = 0
        self.threads: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self, rt: Any, voice_id: str, language: str, key: str, setup: Any = None) -> float:
        with self._lock:
            self.calls.append(voice_id)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.threads.add(threading.get_ident())
        time.sleep(0.2)
        rt.storage.put_bytes(key, b"ID3 sample", "audio/mpeg")
        with self._lock:
            self.running -= 1
        return 1.0


@pytest.fixture
def maker(monkeypatch: pytest.MonkeyPatch) -> SlowMaker:
    fake = SlowMaker()
    monkeypatch.setattr(voices, "make_sample", fake)
    return fake


def _runtime(tmp_path: Path) -> Runtime:
    settings = Settings(data_dir=tmp_path)  # the TTS engines it names are part of the sample's key
    return cast(Runtime, SimpleNamespace(storage=LocalStorage(tmp_path), settings=settings))


def test_one_synthesis_per_voice_however_many_ask(tmp_path: Path, maker: SlowMaker) -> None:
    rt, samples = _runtime(tmp_path), voices.TrialSamples()

    async def run() -> list[str]:
        return await asyncio.gather(*(samples.ensure(rt, "uk_man2", "en") for _ in range(6)))

    keys = asyncio.run(run())
    assert len(set(keys)) == 1 and maker.calls == ["uk_man2"]
    asyncio.run(samples.ensure(rt, "uk_man2", "en"))  # stored now: not made again
    assert maker.calls == ["uk_man2"]


def test_at_most_the_slots_run_at_once_off_the_event_loop(tmp_path: Path, maker: SlowMaker) -> None:
    rt, samples = _runtime(tmp_path), voices.TrialSamples()
    ticks = 0

    async def heartbeat(until: asyncio.Future[Any]) -> None:
        nonlocal ticks
        while not until.done():
            ticks += 1
            await asyncio.sleep(0.01)

    async def run() -> None:
        ids = ["uk_man2", "AOT", "calm_story1", "uk_boy1", "cartoon-girl-01"]
        work = asyncio.ensure_future(asyncio.gather(*(samples.ensure(rt, v, "en") for v in ids)))
        await asyncio.gather(work, heartbeat(work))

    loop_thread = threading.get_ident()
    asyncio.run(run())
    assert sorted(maker.calls) == sorted(["uk_man2", "AOT", "calm_story1", "uk_boy1", "cartoon-girl-01"])
    assert maker.most_at_once == voices.SAMPLE_SLOTS
    assert loop_thread not in maker.threads
    assert ticks >= 20  # ~0.6 s of making: the loop kept running meanwhile
