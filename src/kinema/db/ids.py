"""Numeric string ids like upstream's (``"878106242831892487"``): time-ordered, unique across processes."""

from __future__ import annotations

import secrets
import threading
import time

_lock = threading.Lock()
_last = 0


def new_id() -> str:
    """Milliseconds since 2020 in the high bits, 22 random bits below: sortable and collision-safe.

    Within one process ids only grow, even for several made in the same millisecond (the queue position
    and list order break ties on ``created_at`` by id). Across processes, ids of one millisecond are ordered
    by their random bits."""
    global _last
    ms = int(time.time() * 1000) - 1_577_836_800_000
    candidate = (ms << 22) | secrets.randbits(22)
    with _lock:
        if candidate <= _last:
            candidate = _last + 1
        _last = candidate
    return str(candidate)
