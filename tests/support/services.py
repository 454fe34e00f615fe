"""The machine's own services (PostgreSQL, Redis) as the scale-out tests find them on 127.0.0.1."""

from __future__ import annotations

import socket


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port`` (the tests that need it skip otherwise)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False
