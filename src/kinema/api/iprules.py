"""The accounts' IP allow-lists (code 1304), read through a short cache.

Every authenticated call is checked, queries included: an allow-list that let any address read results
would not protect them. The list is cached per account for :data:`CACHE_TTL_S` seconds, as authentication
caches keys, so a hot polling path stays off the database; a change (``kinema keys budget --allow-ip``)
takes effect within that time, as a key revocation does.

The address is the connection's peer, or the client named by ``X-Forwarded-For`` when the peer is a trusted
proxy (uvicorn's ``FORWARDED_ALLOW_IPS``, default 127.0.0.1): see docs/accounts.md.
"""

from __future__ import annotations

import threading
import time

from kinema.accounts.policy import Network, gate_rules, ip_allowed
from kinema.api.auth import CACHE_TTL_S
from kinema.contract.errors import Code, KlingError
from kinema.db.engine import Database


class IpRules:
    """The allow-lists (and whether an account has spending rules at all), cached per account."""

    def __init__(self, db: Database, ttl_s: float = CACHE_TTL_S) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[float, tuple[Network, ...], bool]] = {}
        self._lock = threading.Lock()

    def _rules(self, account_id: str) -> tuple[tuple[Network, ...], bool]:
        now = time.monotonic()
        hit = self._cache.get(account_id)
        if hit and hit[0] > now:
            return hit[1], hit[2]
        networks, limited = gate_rules(self.db, account_id)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[account_id] = (now + self.ttl_s, networks, limited)
        return networks, limited

    def networks(self, account_id: str) -> tuple[Network, ...]:
        """The account's allow-list (empty: any address), at most ``ttl_s`` old."""
        return self._rules(account_id)[0]

    def may_refuse_spending(self, account_id: str) -> bool:
        """Whether the account is in arrears or has a unit budget, at most ``ttl_s`` old: without either,
        the early 1101/1102 check of a create is skipped (the create's own transaction always checks)."""
        return self._rules(account_id)[1]

    def check(self, account_id: str, address: str | None) -> None:
        """1304 (HTTP 429) when the account has an allow-list and ``address`` is not on it."""
        networks = self.networks(account_id)
        if networks and not ip_allowed(address, networks):
            raise KlingError(
                Code.IP_NOT_ALLOWED, f"IP {address or 'unknown'} is not in this account's IP whitelist"
            )
