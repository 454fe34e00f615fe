"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from kinema.db.migrate import upgrade
from kinema.db.models import Base
from tests.support.db import pg_url


def _diff(url: str) -> list[object]:
    upgrade(url)
    upgrade(url)  # idempotent at head
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))
    finally:
        engine.dispose()


def test_sqlite_schema_matches_models(tmp_path: Path) -> None:
    assert _diff(f"sqlite:///{tmp_path / 'm.db'}") == []


def test_postgres_schema_matches_models() -> None:
    base = pg_url()  # skips, saying why, when the server is unreachable
    name = f"kinema_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        assert _diff(base.rsplit("/", 1)[0] + f"/{name}") == []
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
