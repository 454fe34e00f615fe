"""``GET /account/costs``: an account's "resource packs", in upstream's shape, made from its unit budget.

kinema has one pack per account at most: the unit budget the operator set (``kinema keys budget``), of type
``decreasing_total``. No budget → no pack (an empty list: the account is not metered). ``constant_period``
packs and the ``toBeOnline`` status (a pack bought to start later) do not exist here.
"""

from __future__ import annotations

from typing import Any

from kinema.accounts.policy import AccountRules, rules_of
from kinema.db.engine import Database, now_ms

PACK_NAME = "kinema unit budget"
PACK_TYPE = "decreasing_total"
#: ``invalid_time`` of a budget without an end: 9999-12-31T23:59:59Z in milliseconds.
NO_END_MS = 253_402_300_799_000


def pack_status(rules: AccountRules, now: int) -> str:
    """``online``; ``expired`` after its end; ``runOut`` when nothing is left (reserved units count)."""
    if rules.expires_at is not None and now >= rules.expires_at:
        return "expired"
    if (rules.remaining or 0) <= 0:
        return "runOut"
    return "online"


def resource_pack(rules: AccountRules, now: int) -> dict[str, Any] | None:
    """The account's budget as one ``resource_pack_subscribe_infos`` entry; None without a budget."""
    if rules.budget is None or rules.started_at is None:
        return None
    return {
        "resource_pack_name": PACK_NAME,
        "resource_pack_id": rules.pack_id or "",
        "resource_pack_type": PACK_TYPE,
        "total_quantity": rules.budget / 100,
        "remaining_quantity": (rules.remaining or 0) / 100,
        "purchase_time": rules.started_at,
        "effective_time": rules.started_at,
        "invalid_time": rules.expires_at if rules.expires_at is not None else NO_END_MS,
        "status": pack_status(rules, now),
    }


def account_costs(
    db: Database, account_id: str, start_time: int, end_time: int, resource_pack_name: str | None = None
) -> dict[str, Any]:
    """The ``data`` of ``GET /account/costs``: the packs valid at some time in ``[start_time, end_time]``
    (ms), of that name when one is given."""
    now = now_ms()
    pack = resource_pack(rules_of(db, account_id), now)
    packs = []
    if (
        pack is not None
        and pack["effective_time"] <= end_time
        and pack["invalid_time"] >= start_time
        and resource_pack_name in (None, "", pack["resource_pack_name"])
    ):
        packs.append(pack)
    return {"code": 0, "msg": "success", "resource_pack_subscribe_infos": packs}
