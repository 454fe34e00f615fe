"""Test databases: a fresh SQLite file per test, and one PostgreSQL database per test process (dropped at
exit) whose tables are emptied between tests. PostgreSQL tests skip, saying why, only when the server at
127.0.0.1:5432 is unreachable."""

from __future__ import annotations

import atexit
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from kinema.db.engine import now_ms
from kinema.db.ids import new_id
from kinema.db.models import Account
from kinema.runtime import Runtime, build_runtime
from kinema.settings import Settings

PG_ADMIN = os.environ.get("KINEMA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TABLES = ["webhook_attempts", "webhook_outbox", "assets", "tasks", "api_keys", "accounts"]

_pg: dict[str, Any] = {}


def _drop(name: str) -> None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception:
        pass


def pg_url() -> str:
    """The SQLAlchemy URL of this process's PostgreSQL test database (created and migrated once)."""
    if "url" in _pg:
        return str(_pg["url"])
    if "error" in _pg:
        pytest.skip(_pg["error"])
    try:
        import psycopg

        name = f"kinema_test_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        _pg["error"] = f"PostgreSQL at {PG_ADMIN} is unreachable: {exc}"
        print(_pg["error"])
        pytest.skip(_pg["error"])
    atexit.register(_drop, name)
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    from kinema.db.migrate import upgrade

    upgrade(url)
    _pg["url"] = url
    return url


def make_settings(tmp_path: Path, backend: str = "sqlite", **overrides: Any) -> Settings:
    """Settings for a test: short lease/heartbeat/reaper, fast webhook retries, the slow test executor."""
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": pg_url() if backend == "postgres" else None,
        "url_signing_secret": "test-secret",
        "lease_s": 2.0,
        "heartbeat_s": 0.4,
        "reaper_interval_s": 0.3,
        "job_max_attempts": 3,
        "webhook_backoff_s": 0.2,
        "webhook_timeout_s": 2.0,
        "webhook_max_attempts": 4,
        "executors": {
            "avatar": "tests.support.slow_executor:execute",
            "image2video": "tests.support.slow_executor:execute",
        },
        "workers": 1,
    }
    values.update(overrides)
    return Settings(**values)


def clean(rt: Runtime) -> None:
    """Empty every table (PostgreSQL is shared by the tests of one process)."""
    if rt.db.is_sqlite:
        return
    with rt.db.write() as session:
        session.execute(text("TRUNCATE " + ", ".join(TABLES) + " RESTART IDENTITY CASCADE"))


def runtime(tmp_path: Path, backend: str, **overrides: Any) -> Iterator[Runtime]:
    """Generator for fixtures: a migrated runtime with empty tables."""
    rt = build_runtime(make_settings(tmp_path, backend, **overrides))
    clean(rt)
    try:
        yield rt
    finally:
        clean(rt)
        rt.close()


def make_account(rt: Runtime, name: str | None = None) -> str:
    account_id = new_id()
    with rt.db.write() as session:
        session.add(Account(id=account_id, name=name or f"acct-{account_id}", created_at=now_ms()))
    return account_id
