"""A doorbell that records rings instead of enqueueing, to see what the job system asks of the queue."""

from __future__ import annotations


class RecordingDoorbell:
    """Satisfies ``kinema.runtime.Doorbell``; ``waiting`` is what ``pending()`` reports, ``broken`` makes
    every ring fail like an unreachable queue."""

    def __init__(self, *, waiting: int = 0, broken: bool = False) -> None:
        self.rung: list[str] = []
        self.waiting = waiting
        self.broken = broken

    def ring(self, task_id: str) -> None:
        if self.broken:
            raise ConnectionError("the queue is unreachable")
        self.rung.append(task_id)

    def pending(self) -> int:
        return self.waiting
