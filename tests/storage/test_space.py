"""A full disk is recognised in each form it takes: file writes, SQLite through SQLAlchemy, PostgreSQL, and
as the cause of another exception; nothing else is mistaken for it."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import psycopg.errors
import pytest
from sqlalchemy import create_engine, text

from kinema.storage.local import LocalStorage
from kinema.storage.space import is_out_of_space
from tests.support.tmpfs import fill, small_tmpfs


def test_real_full_disk_errors_are_recognised(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "disk", 2 * 1024 * 1024) as disk:
        engine = create_engine(f"sqlite:///{disk / 'db.sqlite'}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x BLOB)"))
        store = LocalStorage(disk / "blobs")
        fill(disk)
        with pytest.raises(OSError) as file_error:
            store.put_bytes("acct/inputs/a.bin", b"x" * 200_000, "application/octet-stream")
        assert is_out_of_space(file_error.value)
        with pytest.raises(Exception) as db_error, engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": b"y" * 200_000})
        assert is_out_of_space(db_error.value)  # sqlalchemy.exc.OperationalError around SQLITE_FULL
        engine.dispose()


def _raised_from(cause: BaseException) -> RuntimeError:
    try:
        try:
            raise cause
        except BaseException as exc:
            raise RuntimeError("the encoder failed") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "exc",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        psycopg.errors.DiskFull("could not extend file"),
        _raised_from(OSError(errno.ENOSPC, "No space left on device")),
    ],
)
def test_every_form_of_no_space(exc: BaseException) -> None:
    assert is_out_of_space(exc)


@pytest.mark.parametrize(
    "exc",
    [
        OSError(errno.ENOENT, "No such file or directory"),
        PermissionError(errno.EACCES, "Permission denied"),
        sqlite3.OperationalError("database is locked"),
        RuntimeError("no space left on device"),  # words are not enough: only codes count
        _raised_from(ValueError("bad frame")),
    ],
)
def test_other_errors_are_not_mistaken_for_it(exc: BaseException) -> None:
    assert not is_out_of_space(exc)


def test_a_cyclic_chain_ends() -> None:
    a, b = RuntimeError("a"), RuntimeError("b")
    a.__context__, b.__context__ = b, a
    assert not is_out_of_space(a)
