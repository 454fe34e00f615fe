"""Where a route runs its database calls: on the event loop for SQLite, in the thread pool otherwise.

FastAPI runs a plain ``def`` route in a thread pool. For SQLite that hop cost more than the work: a task
look-up is a local read of tens of microseconds, while handing it to a thread and back (and the GIL traffic
that follows) cost about a millisecond, doubled the GET latency tail at 8 concurrent clients and halved its
throughput (measured with ``bench/api_bench.py``). SQLite reads in WAL mode never wait for writers, so they
run inline. A server database (PostgreSQL) answers over a socket and may be far away: its calls still go
to the pool, so a slow query never stalls the loop.

Writes to SQLite take turns across processes (``kinema.db.turns``), so a write may have to wait for another
process's. :func:`db_write_call` runs it inline only when no writer holds the turn at that instant, and in the
pool otherwise: an uncontended create does not pay the thread hop, and the loop never sleeps behind another
process's transaction. (Runs here with creates always in the pool gave 227–358 creates/s against 225–468
inline, inside this VM's noise; the hop's cost shows clearly on reads, where it halved GET throughput.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from fastapi.concurrency import run_in_threadpool

from kinema.runtime import Runtime

P = ParamSpec("P")
T = TypeVar("T")


async def db_call(rt: Runtime, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)``: inline when the database is SQLite, in the thread pool otherwise."""
    if rt.db.is_sqlite:
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)


async def db_write_call(rt: Runtime, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` that writes: inline when SQLite's writers are idle, in the thread pool else."""
    if rt.db.writers_idle():
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)
