"""Delivery slots: how many callbacks may be in flight at once, overall, per receiver and per account.

One pool shared first come, first served let one account's hanging receiver hold every slot: with sixteen
of its tasks waiting on a receiver that never answered, another account's callback waited 72.6 s (issue 13,
item 6). So each receiver (scheme, host and port of the callback URL) and each account may hold only a few
slots at a time; a slow receiver then delays its own callbacks and nobody else's. The caps are per sender
(one per ``kinema worker`` process).

Not thread-safe: owned by the sender's event loop.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import httpx

from kinema.settings import Settings


@dataclass(frozen=True)
class Candidate:
    """An outbox row that is due and first in line for its task (not yet claimed)."""

    id: int
    account_id: str
    url: str
    next_attempt_at: int


@dataclass(frozen=True)
class Caps:
    total: int
    per_receiver: int
    per_account: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Caps:
        return cls(
            total=settings.webhook_max_inflight,
            per_receiver=settings.webhook_max_inflight_per_receiver,
            per_account=settings.webhook_max_inflight_per_account,
        )


@lru_cache(maxsize=4096)
def receiver_key(url: str) -> str:
    """``scheme://host:port`` of a callback URL, lower-case and without credentials: what one receiver is.

    Paths do not count (``/hook?task=1`` and ``/hook?task=2`` are one receiver); an unparsable URL is its own
    receiver (its delivery fails at once anyway)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return url
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return f"{parsed.scheme}://{parsed.host}:{port}".lower()


class Slots:
    """The deliveries in flight, by outbox row id."""

    def __init__(self, caps: Caps) -> None:
        self.caps = caps
        self._held: dict[int, Candidate] = {}
        self._by_receiver: Counter[str] = Counter()
        self._by_account: Counter[str] = Counter()

    def free(self) -> int:
        return max(0, self.caps.total - len(self._held))

    def admits(self, row: Candidate) -> bool:
        return (
            self.free() > 0
            and self._by_receiver[receiver_key(row.url)] < self.caps.per_receiver
            and self._by_account[row.account_id] < self.caps.per_account
        )

    def take(self, row: Candidate) -> None:
        self._held[row.id] = row
        self._by_receiver[receiver_key(row.url)] += 1
        self._by_account[row.account_id] += 1

    def release(self, row_id: int) -> None:
        row = self._held.pop(row_id, None)
        if row is None:
            return
        self._by_receiver[receiver_key(row.url)] -= 1
        self._by_account[row.account_id] -= 1

    def pick(self, rows: list[Candidate]) -> list[Candidate]:
        """Take a slot for each row the caps admit, in the order given (the caller orders them fairly)."""
        picked: list[Candidate] = []
        for row in rows:
            if not self.free():
                break
            if row.id not in self._held and self.admits(row):
                self.take(row)
                picked.append(row)
        return picked

    def full_accounts(self) -> set[str]:
        """Accounts at their cap: the next look-up can leave their rows out."""
        return {acct for acct, n in self._by_account.items() if n >= self.caps.per_account}

    def full_receiver_urls(self) -> set[str]:
        """The URLs being delivered to receivers at their cap: rows with these URLs cannot be taken now, so
        the next look-up leaves them out (and a long queue for one receiver does not fill its window)."""
        full = {key for key, n in self._by_receiver.items() if n >= self.caps.per_receiver}
        return {row.url for row in self._held.values() if receiver_key(row.url) in full}
