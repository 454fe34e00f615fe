"""Numeric string ids like upstream's (``"878106242831892487"``): time-ordered, unique across processes."""

from __future__ import annotations

import secrets
import time


def new_id() -> str:
    """Milliseconds since 2020 in the high bits, 22 random bits below: sortable and collision-safe."""
    ms = int(time.time() * 1000) - 1_577_836_800_000
    return str((ms << 22) | secrets.randbits(22))
