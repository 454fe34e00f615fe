"""The pydantic validation context of the create models: which limits are in force, and whether the request
is being read back from a task row (``stored``) rather than parsed from a client's body.

Both sides of the row use it: ``contract.parsing`` when a client creates a task, ``contract.stored`` when a
worker rebuilds the typed request; the field rules in ``contract.requests.fields`` read it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationInfo

from kinema.contract.limits import Limits


def validation_context(limits: Limits, *, stored: bool = False) -> dict[str, Any]:
    """``stored``: media fields hold references to stored inputs instead of URLs or base64."""
    return {"limits": limits, "stored": stored}


def limits_of(info: ValidationInfo) -> Limits:
    ctx = info.context or {}
    limits = ctx.get("limits")
    return limits if isinstance(limits, Limits) else Limits()


def is_stored(info: ValidationInfo) -> bool:
    return bool((info.context or {}).get("stored"))
