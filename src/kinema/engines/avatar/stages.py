"""Where an avatar job's time goes: wall seconds per stage, and the process's CPU seconds per stage.

Wall time on a shared machine follows the other processes' load; CPU seconds do not (much), so both are kept:
``<stage>_s`` is the wall time, ``<stage>_cpu_s`` the CPU time of the whole process over the same span
(every thread, native pools included: the encoder's and onnxruntime's threads count too). Stages that overlap
(the face and the speech stages run side by side) only get wall times; their common span gets the CPU.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageClock:
    """Collects stage timings for :attr:`kinema.engines.avatar.AvatarResult.timings`."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, cpu: bool = True) -> Iterator[None]:
        """Time the ``with`` body as ``name``; ``cpu=False`` for a stage other threads overlap."""
        wall, used = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - wall)
            if cpu:
                self.add(f"{name}_cpu", time.process_time() - used)

    def add(self, name: str, seconds: float) -> None:
        """Add ``seconds`` to ``<name>_s`` (a stage may be timed in several pieces)."""
        key = f"{name}_s"
        self.values[key] = self.values.get(key, 0.0) + seconds

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.values.items()}
