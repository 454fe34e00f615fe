"""Recognising a full disk (or a spent quota), whichever layer hit it.

A full disk surfaces in many forms: ``OSError`` with ``ENOSPC``/``EDQUOT`` from a file write, PyAV's
``av.error.OSError`` (the same errno) from an encoder, SQLite's ``SQLITE_FULL`` and PostgreSQL's ``disk_full``
wrapped by SQLAlchemy, and any of these as the cause of an engine's own exception. Callers ask one question,
:func:`is_out_of_space`, so the API can answer 5001 and a worker can fail the task at once with
:data:`NO_SPACE_MESSAGE` instead of retrying a job that cannot write its output.
"""

from __future__ import annotations

import errno

NO_SPACE_MESSAGE = "no space left on device"
"""The words clients see (API message, ``task_status_msg``), the same whichever layer ran out."""

NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
SQLITE_FULL = 13
"""SQLite's primary result code for "database or disk is full"."""
PG_DISK_FULL = "53100"
"""PostgreSQL's SQLSTATE ``disk_full``."""
_MAX_CHAIN = 16


def _is_no_space(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in NO_SPACE_ERRNOS:
        return True
    if getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL:
        return True
    return getattr(exc, "sqlstate", None) == PG_DISK_FULL


def is_out_of_space(exc: BaseException) -> bool:
    """Whether ``exc``, or an exception it was raised from (``__cause__``/``__context__``), says the disk or
    the quota is full. Walks a bounded chain, so a cyclic or very long chain cannot hang a caller."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        if _is_no_space(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
