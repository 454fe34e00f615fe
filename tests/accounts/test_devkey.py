"""The development key: made once, kept (0600) in the data folder, read back by the playground."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kinema.accounts import account_for_key
from kinema.accounts.devkey import FILENAME, ensure_dev_key, read_dev_key
from kinema.runtime import Runtime
from tests.support.db import runtime


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, "sqlite")


def test_made_once_private_and_read_back(rt: Runtime) -> None:
    data_dir = rt.settings.data_dir
    assert read_dev_key(data_dir) is None
    key = ensure_dev_key(rt)
    assert ensure_dev_key(rt) == key and read_dev_key(data_dir) == key
    assert account_for_key(rt.db, key) is not None
    assert stat.S_IMODE((data_dir / FILENAME).stat().st_mode) == 0o600


def test_a_key_the_database_does_not_know_is_replaced(rt: Runtime) -> None:
    (rt.settings.data_dir / FILENAME).write_text("sk-kinema-stale\n")
    key = ensure_dev_key(rt)
    assert key != "sk-kinema-stale" and read_dev_key(rt.settings.data_dir) == key
