"""Queue selection and the doorbell."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

from kinema.queue import enqueue, make_huey, pending_count
from kinema.settings import Settings


def test_sqlite_by_default_and_enqueue(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    huey = make_huey(settings)
    assert isinstance(huey, SqliteHuey) and (tmp_path / "queue.db").exists()
    enqueue(settings, "123")
    enqueue(settings, "123")  # duplicates are fine: the claim drops them
    assert pending_count(settings) == 2


def test_redis_url_and_queue_name(tmp_path: Path) -> None:
    huey = make_huey(Settings(data_dir=tmp_path, queue_url="redis://127.0.0.1:6379/0#kinema-x"))
    assert isinstance(huey, RedisHuey) and huey.name == "kinema-x"
    assert make_huey(Settings(data_dir=tmp_path, queue_url="redis://127.0.0.1:6379/0")).name == "kinema"


def test_unsupported_queue_url(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="KINEMA_QUEUE_URL must be a redis:// URL"):
        make_huey(Settings(data_dir=tmp_path, queue_url="amqp://localhost"))
