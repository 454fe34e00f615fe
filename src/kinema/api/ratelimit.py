"""Per-account request rate limit (code 1302): a token bucket per account in this API process.

Only create calls spend tokens (``deps.account_for_create``): upstream documents no QPS limit on queries, and
a client polling its tasks must never be refused for it.

With several API processes each enforces the limit on its own share; documented in the README.
"""

from __future__ import annotations

import threading
import time

from kinema.contract.errors import Code, KlingError


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(max(per_minute, 1))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, account_id: str) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(account_id, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[account_id] = (tokens, now)
                raise KlingError(Code.RATE_LIMIT, "rate limit exceeded: too many requests for this account")
            self._buckets[account_id] = (tokens - 1.0, now)

    def give_back(self, account_id: str) -> None:
        """Return one token spent by a request that was then refused for another reason (never above the
        bucket's capacity)."""
        if self.rate <= 0:
            return
        with self._lock:
            found = self._buckets.get(account_id)
            if found is not None:
                self._buckets[account_id] = (min(self.capacity, found[0] + 1.0), found[1])
