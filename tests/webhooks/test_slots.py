"""Delivery slots: the caps overall, per receiver and per account, and what one receiver is."""

from __future__ import annotations

import pytest

from kinema.webhooks.slots import Candidate, Caps, Slots, receiver_key


def row(i: int, account: str = "a", url: str = "http://hooks.test/h") -> Candidate:
    return Candidate(id=i, account_id=account, url=url, next_attempt_at=0)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://Hooks.Test/h?task=1", "http://hooks.test:80"),
        ("http://user:pw@hooks.test:80/other", "http://hooks.test:80"),
        ("https://hooks.test/h", "https://hooks.test:443"),
        ("http://hooks.test:8080/h", "http://hooks.test:8080"),
        ("http://[::1]:9/h", "http://::1:9"),
    ],
)
def test_receiver_key_is_scheme_host_port(url: str, key: str) -> None:
    assert receiver_key(url) == key


def test_per_receiver_cap() -> None:
    slots = Slots(Caps(total=10, per_receiver=2, per_account=10))
    picked = slots.pick([row(1), row(2), row(3), row(4, url="http://other.test/")])
    assert [r.id for r in picked] == [1, 2, 4]
    assert slots.full_receiver_urls() == {"http://hooks.test/h"}
    slots.release(1)
    assert [r.id for r in slots.pick([row(3)])] == [3]


def test_per_account_cap() -> None:
    slots = Slots(Caps(total=10, per_receiver=10, per_account=2))
    rows = [row(1, url="http://a.test/"), row(2, url="http://b.test/"), row(3, url="http://c.test/")]
    picked = slots.pick([*rows, row(4, account="b")])
    assert [r.id for r in picked] == [1, 2, 4]
    assert slots.full_accounts() == {"a"}


def test_total_cap_and_release() -> None:
    slots = Slots(Caps(total=2, per_receiver=5, per_account=5))
    assert [r.id for r in slots.pick([row(1), row(2), row(3)])] == [1, 2]
    assert slots.free() == 0 and slots.pick([row(3)]) == []
    slots.release(2)
    slots.release(2)  # twice is harmless
    assert slots.free() == 1
    assert slots.pick([row(1)]) == []  # a row already held is never taken twice
