"""Ids sort in creation order within a process, even many in one millisecond."""

from __future__ import annotations

from kinema.db.ids import new_id


def test_ids_grow_within_a_millisecond() -> None:
    ids = [new_id() for _ in range(2000)]  # far more than one per millisecond
    assert len(set(ids)) == len(ids)
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)
    assert all(len(i) == len(ids[0]) for i in ids)  # so string order is numeric order too
