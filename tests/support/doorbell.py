"""A doorbell that records rings instead of enqueueing, to see what the job system asks of the queue."""

from __future__ import annotations


class RecordingDoorbell:
    """Satisfies ``kinema.runtime.Doorbell``; ``waiting`` is what ``pending()`` reports, ``broken`` makes
    every ring fail like an unreachable queue."""

    def __init__(self, *, waiting: int = 0, broken: bool = False) -> None:
        self.rung: list[str] = []
        self.lanes: list[str] = []  # the lane of each ring, in order
        self.waiting = waiting
        self.broken = broken

    def ring(self, task_id: str, lane: str = "cpu") -> None:
        if self.broken:
            raise ConnectionError("the queue is unreachable")
        self.rung.append(task_id)
        self.lanes.append(str(lane))

    def pending(self, lane: str = "cpu") -> int:
        return self.waiting
