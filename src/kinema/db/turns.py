"""Writers of one SQLite file take turns on a lock that wakes the next one at once.

SQLite allows one writer per file. A writer that finds the file locked sleeps in SQLite's busy handler, in
naps that grow to 100 ms, and retries; under load two API processes spent most of their time asleep there
(creates/s fell when a second process was added, with a 0.7 s p99). Here a writer first takes its turn on an
exclusive ``flock`` of a side file next to the database: the kernel wakes the next waiter the moment the lock
is released, so the SQLite lock is almost always free when ``BEGIN IMMEDIATE`` runs. Threads of one process
queue on an ``RLock`` first (``flock`` locks belong to an open file, which the threads share).

Writers that do not take the turn (Huey's consumer, an ``sqlite3`` shell) still work: they meet SQLite's own
lock and busy handler as before.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WriterTurns:
    """Cross-thread and cross-process mutual exclusion for the writers of one file. Re-entrant per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        self._pid = 0

    def _handle(self) -> int:
        # A forked child must not reuse its parent's open file: both would hold "the same" flock.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd

    def looks_free(self) -> bool:
        """Whether no writer holds the turn right now (a snapshot: it may be taken a moment later). Lets the
        API run a write on its event loop when it will not wait, and hand it to a thread when it would."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            if self._depth:
                return True  # this thread already holds the turn
            fd = self._handle()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        finally:
            self._lock.release()

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                fd = self._handle()
                fcntl.flock(fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if outermost:
                    fcntl.flock(fd, fcntl.LOCK_UN)


def sqlite_file(url: str) -> Path | None:
    """The database file of a ``sqlite:///…`` URL, or None (other databases, in-memory SQLite)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix) :].split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)
