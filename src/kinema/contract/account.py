"""``GET /account/costs``: where it is served and what its query must hold (the 2026 notes §1.4).

Upstream serves it without a version (``/account/costs``); kinema also answers below the gateway prefix
without its version (``/kling/account/costs``), and, tolerantly, below both versioned prefixes, since some
clients call ``/v1/account/costs``. The server and the SDK read the paths and the query rules from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kinema.contract.errors import invalid
from kinema.contract.kinds import PREFIXES

COSTS_PATH = "/account/costs"


def unversioned(prefix: str) -> str:
    """``/kling/v1`` → ``/kling``, ``/v1`` → ``""``: the prefix the account routes live under."""
    return re.sub(r"/v\d+$", "", prefix.rstrip("/"))


#: The documented paths: official (no prefix) and gateway style.
COSTS_PATHS: tuple[str, ...] = tuple(dict.fromkeys(unversioned(p) + COSTS_PATH for p in PREFIXES))
#: Also answered, not documented: below the versioned prefixes.
TOLERATED_COSTS_PATHS: tuple[str, ...] = tuple(p + COSTS_PATH for p in PREFIXES)

#: Largest accepted time: 9999-12-31T23:59:59.999Z in milliseconds.
MAX_TIME_MS = 253_402_300_799_999


@dataclass(frozen=True)
class CostsQuery:
    start_time: int
    end_time: int
    resource_pack_name: str | None = None


def _time(name: str, value: str | None) -> int:
    if value is None or not value.strip():
        raise invalid(name, "is required (Unix time in milliseconds)")
    text = value.strip()
    if not re.fullmatch(r"\d{1,15}", text) or int(text) > MAX_TIME_MS:
        raise invalid(name, f"must be a Unix time in milliseconds (an integer >= 0), got {value!r}")
    return int(text)


def parse_costs_query(
    start_time: str | None, end_time: str | None, resource_pack_name: str | None = None
) -> CostsQuery:
    """The query of ``GET /account/costs``; 1201 naming ``start_time`` or ``end_time`` when missing or bad,
    or ``end_time`` when it is before ``start_time``."""
    start, end = _time("start_time", start_time), _time("end_time", end_time)
    if end < start:
        raise invalid("end_time", f"must not be before start_time ({end} < {start})")
    name = resource_pack_name.strip() if resource_pack_name else None
    return CostsQuery(start, end, name or None)
