"""Writer turns exclude writers across threads and processes, and re-enter within one thread."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from kinema.db.turns import WriterTurns, sqlite_file


def _bump(lock_path: str, counter_path: str, times: int) -> None:
    turns = WriterTurns(Path(lock_path))
    counter = Path(counter_path)
    for _ in range(times):
        with turns.turn():
            value = int(counter.read_text())  # read-modify-write: loses updates without the lock
            counter.write_text(str(value + 1))


def test_processes_and_threads_take_turns(tmp_path: Path) -> None:
    lock, counter = tmp_path / "db.writer-lock", tmp_path / "counter"
    counter.write_text("0")
    ctx = multiprocessing.get_context("fork")  # a forked child must not share the parent's lock
    turns = WriterTurns(lock)
    with turns.turn():  # the parent opens its handle before forking
        pass
    procs = [ctx.Process(target=_bump, args=(str(lock), str(counter), 200)) for _ in range(3)]
    threads = [threading.Thread(target=_bump, args=(str(lock), str(counter), 200)) for _ in range(2)]
    for worker in [*procs, *threads]:
        worker.start()
    for worker in [*procs, *threads]:
        worker.join(timeout=60)
    assert all(p.exitcode == 0 for p in procs)
    assert int(counter.read_text()) == 5 * 200


def test_a_thread_can_take_its_turn_again(tmp_path: Path) -> None:
    turns = WriterTurns(tmp_path / "lock")
    with turns.turn(), turns.turn():
        pass
    with turns.turn():  # released after the outer exit
        pass


def test_sqlite_file_of_urls() -> None:
    assert sqlite_file("sqlite:////data/kinema.db") == Path("/data/kinema.db")
    assert sqlite_file("sqlite:///rel.db?timeout=3") == Path("rel.db")
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("postgresql://u@h/db") is None


def _hold(lock_path: str, held: object, release: object) -> None:
    turns = WriterTurns(Path(lock_path))
    with turns.turn():
        held.set()  # type: ignore[attr-defined]
        release.wait(30)  # type: ignore[attr-defined]


def test_looks_free_sees_writers_of_other_processes_and_threads(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    turns = WriterTurns(lock)
    assert turns.looks_free()
    with turns.turn():
        assert turns.looks_free()  # this thread holds it: running inline cannot wait on itself
    ctx = multiprocessing.get_context("fork")
    held, release = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_hold, args=(str(lock), held, release))
    child.start()
    try:
        assert held.wait(30)
        assert not turns.looks_free()
    finally:
        release.set()
        child.join(30)
    assert turns.looks_free()
    in_thread, go = threading.Event(), threading.Event()

    def hold_in_thread() -> None:
        with turns.turn():
            in_thread.set()
            go.wait(30)

    worker = threading.Thread(target=hold_in_thread)
    worker.start()
    assert in_thread.wait(30)
    assert not turns.looks_free()
    go.set()
    worker.join(30)
