"""Engine and session factories with the SQLite settings measured in shared/notes/infra.md.

SQLite: WAL, ``synchronous=NORMAL``, ``busy_timeout``; write transactions open with ``BEGIN IMMEDIATE`` (a
deferred transaction that later writes fails with "database is locked" under concurrency, and busy_timeout
does not retry a lock upgrade). Reads use a plain deferred ``BEGIN`` so they never queue behind writers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from kinema.db.turns import WriterTurns, sqlite_file

WRITE_OPTION = "kinema_write"


def now_ms() -> int:
    """Epoch milliseconds: the one clock of rows and API replies."""
    return int(time.time() * 1000)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine; SQLite gets its pragmas and IMMEDIATE write transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            write = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


class Database:
    """Holds the engine and two session factories: ``read()`` and ``write()`` (BEGIN IMMEDIATE on SQLite)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        # SQLite allows one writer per file: writers of every process take turns (see ``kinema.db.turns``)
        # instead of sleeping in SQLite's busy handler. In-memory SQLite needs only the thread lock.
        self._turns: WriterTurns | None = None
        self._write_lock: threading.RLock | None = None
        if url.startswith("sqlite"):
            file = sqlite_file(url)
            if file is not None:
                self._turns = WriterTurns(file.with_name(file.name + ".writer-lock"))
            else:
                self._write_lock = threading.RLock()
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self._write = sessionmaker(self._write_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on error."""
        with self._turn(), self._write() as session, session.begin():
            yield session

    def _turn(self) -> AbstractContextManager[Any]:
        """This writer's turn: across processes for a SQLite file, across threads for in-memory SQLite."""
        return self._turns.turn() if self._turns else (self._write_lock or nullcontext())

    def writers_idle(self) -> bool:
        """SQLite file: no writer of any process holds the turn at this instant. Otherwise False (unknown)."""
        return self._turns is not None and self._turns.looks_free()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """The same write transaction as :meth:`write` on a bare Core connection: for the hot path of a
        task create, where the ORM's unit of work cost more than the SQL it ran."""
        with self._turn(), self._write_engine.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
