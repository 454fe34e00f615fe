"""Queue selection, the doorbell, and the handler a worker hands in."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey
from huey.signals import SIGNAL_ERROR

from kinema.contract.vocabulary import Lane
from kinema.queue import HueyDoorbell, enqueue, make_huey, pending_count, set_handler
from kinema.queue import app as queue_app
from kinema.queue.app import get_queue
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
    gpu = make_huey(Settings(data_dir=tmp_path, queue_url="redis://127.0.0.1:6379/0#kinema-x"), Lane.GPU)
    assert gpu.name == "kinema-x-gpu"  # the GPU lane: its own list in the same Redis


def test_each_lane_is_its_own_queue_in_the_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    enqueue(settings, "1", Lane.GPU)
    assert pending_count(settings, Lane.GPU) == 1 and pending_count(settings, Lane.CPU) == 0
    assert make_huey(settings, Lane.GPU).name == "kinema-gpu"


def test_unsupported_queue_url(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="KINEMA_QUEUE_URL must be a redis:// URL"):
        make_huey(Settings(data_dir=tmp_path, queue_url="amqp://localhost"))


def test_the_doorbell_rings_and_counts(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    bell = HueyDoorbell(settings)
    bell.ring("7")
    assert bell.pending() == 1 == pending_count(settings)


def test_a_ring_runs_the_handler_set_by_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue_app, "_handler", None)  # restored after the test
    settings = Settings(data_dir=tmp_path)
    huey, _ = get_queue(settings)
    errors: list[BaseException | None] = []
    huey.signal(SIGNAL_ERROR)(lambda signal, task, exc=None: errors.append(exc))
    enqueue(settings, "8")
    huey.execute(huey.dequeue())  # an API-only process has no handler: the ring fails loudly
    assert len(errors) == 1 and "no job handler" in str(errors[0])
    seen: list[str] = []
    set_handler(seen.append)
    enqueue(settings, "9")
    huey.execute(huey.dequeue())
    assert seen == ["9"]
