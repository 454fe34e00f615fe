"""The operator's rules for an account (``kinema keys budget``, docs/accounts.md) and the checks they make.

- **Unit budget** (one "resource pack"): a total, a start, an optional end. Every task created since the
  start spends its price (:mod:`kinema.contract.prices`) while it is queued or running (reserved) and once it
  has succeeded (deducted); a failed task gives its units back. A create that would overdraw the budget, or
  that comes after its end, is refused with 1102.
- **Arrears**: while set, every create is refused with 1101.
- **IP allow-list** (CIDRs): when not empty, a call from any other address is refused with 1304.

:func:`check_can_spend` runs in the create's own write transaction, after the account row is locked (on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), and :func:`reserve_units` adds the new task's
price to the account's spent count in that same transaction, so two concurrent creates cannot both spend the
last units. The count is kept rather than summed from the tasks so a create costs the same for an account with
fifty thousand tasks as for a new one (a sum took 67 ms per create there on SQLite); a failed task's
transaction takes its price back out (:func:`give_back_units`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.orm import Session

from kinema.accounts import ensure_account
from kinema.contract.errors import Code, KlingError
from kinema.contract.prices import units_text
from kinema.contract.vocabulary import TaskStatus
from kinema.db.engine import Database, now_ms
from kinema.db.ids import new_id
from kinema.db.models import Account, Task

DAY_MS = 86_400_000
#: The statuses whose price counts against a budget: reserved while unfinished, deducted once succeeded.
SPENDING_STATUSES: tuple[TaskStatus, ...] = (TaskStatus.SUBMITTED, TaskStatus.PROCESSING, TaskStatus.SUCCEED)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_RULES = select(
    Account.arrears,
    Account.budget_hundredths,
    Account.budget_spent_hundredths,
    Account.budget_expires_at,
).where(Account.id == bindparam("account_id"))
_RULES_LOCKED = _RULES.with_for_update()
_RESERVE = (
    update(Account)
    .where(Account.id == bindparam("account_id"), Account.budget_hundredths.is_not(None))
    .values(budget_spent_hundredths=Account.budget_spent_hundredths + bindparam("task_units"))
)
_GIVE_BACK = (
    update(Account)
    .where(
        Account.id == bindparam("account_id"),
        Account.budget_hundredths.is_not(None),
        Account.budget_started_at <= bindparam("task_created_at"),
    )
    .values(budget_spent_hundredths=Account.budget_spent_hundredths - bindparam("task_units"))
    .execution_options(synchronize_session=False)
)
_SPENT = select(func.coalesce(func.sum(Task.units_hundredths), 0)).where(
    Task.account_id == bindparam("account_id"),
    Task.created_at >= bindparam("since"),
    Task.status.in_(SPENDING_STATUSES),
)


@dataclass(frozen=True)
class AccountRules:
    """One account's rules and what its budget has spent (``spent`` counts reserved units too)."""

    account_id: str
    name: str
    budget: int | None  # hundredths of a unit
    pack_id: str | None
    started_at: int | None
    expires_at: int | None
    arrears: bool
    allowed_ips: tuple[str, ...]
    spent: int

    @property
    def remaining(self) -> int | None:
        return None if self.budget is None else max(self.budget - self.spent, 0)


def spent_hundredths(db: Session | Connection, account_id: str, since: int) -> int:
    """Units (hundredths) reserved or deducted by the account's tasks created at or after ``since``, summed
    from the tasks: what ``budget_spent_hundredths`` keeps, recomputed (tests compare the two)."""
    return int(db.execute(_SPENT, {"account_id": account_id, "since": since}).scalar() or 0)


def reserve_units(db: Session | Connection, account_id: str, units: int) -> None:
    """Count a new task's price as spent (a no-op without a budget): in the transaction that inserts it,
    after :func:`check_can_spend` allowed it."""
    if units:
        db.execute(_RESERVE, {"account_id": account_id, "task_units": units})


def give_back_units(db: Session | Connection, account_id: str, units: int | None, created_at: int) -> None:
    """A task of the account failed: its price is no longer spent, if it counted against the current pack
    (created since the pack started). In the transaction that marks it failed."""
    if units:
        db.execute(_GIVE_BACK, {"account_id": account_id, "task_units": units, "task_created_at": created_at})


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_can_spend(
    db: Session | Connection, account_id: str, need: int, *, now: int, lock: bool = False
) -> None:
    """1101 when the account is in arrears; 1102 when its budget has ended or has less than ``need``
    hundredths left. ``lock`` takes the account row's lock first (PostgreSQL), inside the caller's write
    transaction, so the answer holds until that transaction commits."""
    row = db.execute(_RULES_LOCKED if lock else _RULES, {"account_id": account_id}).first()
    if row is None:
        return
    arrears, budget, spent, expires_at = row
    if arrears:
        raise KlingError(Code.ARREARS, "account in arrears: new tasks are refused until it is settled")
    if budget is None:
        return
    if expires_at is not None and now >= expires_at:
        raise KlingError(
            Code.RESOURCE_PACK_DEPLETED, f"resource pack depleted: it expired at {_when(expires_at)}"
        )
    left = max(budget - spent, 0)
    if need > left:
        raise KlingError(
            Code.RESOURCE_PACK_DEPLETED,
            f"resource pack depleted: {units_text(left)} units remaining, this task needs {units_text(need)}",
        )


def parse_networks(cidrs: Iterable[str]) -> tuple[str, ...]:
    """CIDRs (or single addresses) as normalised network strings; ValueError naming a bad one."""
    out: list[str] = []
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            raise ValueError(f"not an IP address or CIDR: {cidr!r}") from None
        if str(net) not in out:
            out.append(str(net))
    return tuple(out)


def ip_allowed(address: str | None, networks: Sequence[Network]) -> bool:
    """Whether ``address`` lies in one of ``networks`` (an IPv4-mapped IPv6 address counts as its IPv4)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in networks)


def allowed_networks(db: Database, account_id: str) -> tuple[Network, ...]:
    """The account's IP allow-list; empty: calls from anywhere are accepted."""
    return gate_rules(db, account_id)[0]


def gate_rules(db: Database, account_id: str) -> tuple[tuple[Network, ...], bool]:
    """What the API checks on every call, in one read: the IP allow-list, and whether a create can be
    refused for money at all (arrears, or a unit budget). An account with neither never is, so the API can
    skip its early budget check (the create's transaction still checks, whatever a cache said)."""
    with db.read() as s:
        columns = select(Account.allowed_ips, Account.arrears, Account.budget_hundredths)
        row = s.execute(columns.where(Account.id == account_id)).first()
    if row is None:
        return (), False
    cidrs, arrears, budget = row
    networks = tuple(ipaddress.ip_network(c, strict=False) for c in cidrs or [])
    return networks, bool(arrears) or budget is not None


def update_rules(
    db: Database,
    name: str,
    *,
    units: int | None = None,
    clear_budget: bool = False,
    valid_days: float | None = None,
    arrears: bool | None = None,
    allowed_ips: Sequence[str] | None = None,
) -> AccountRules:
    """Change what is given, keep the rest; the account (created when new) with its rules after.

    ``units`` sets the budget's total. The first budget (or the first after ``clear_budget``) starts now, a
    new pack; setting ``units`` again keeps its start and what it has spent (a top-up). ``valid_days`` ends
    it that many days after its start. ``allowed_ips`` replaces the list (``[]``: from anywhere)."""
    if valid_days is not None and valid_days <= 0:
        raise ValueError("valid_days must be > 0")
    cidrs = parse_networks(allowed_ips) if allowed_ips is not None else None
    account_id = ensure_account(db, name)
    now = now_ms()
    with db.write() as s:
        acc = s.get(Account, account_id, with_for_update=not db.is_sqlite)
        assert acc is not None
        if clear_budget:
            acc.budget_hundredths = acc.budget_pack_id = acc.budget_started_at = acc.budget_expires_at = None
            acc.budget_spent_hundredths = 0
        if units is not None:
            if acc.budget_hundredths is None:  # a new pack: counts the tasks created from now on
                acc.budget_pack_id, acc.budget_started_at, acc.budget_expires_at = new_id(), now, None
                acc.budget_spent_hundredths = 0
            acc.budget_hundredths = units
        if valid_days is not None:
            if acc.budget_started_at is None:
                raise ValueError("valid_days needs a budget: give units too")
            acc.budget_expires_at = acc.budget_started_at + int(valid_days * DAY_MS)
        if arrears is not None:
            acc.arrears = arrears
        if cidrs is not None:
            acc.allowed_ips = list(cidrs)
    return rules_of(db, account_id)


def _rules(acc: Account) -> AccountRules:
    spent = 0 if acc.budget_hundredths is None else acc.budget_spent_hundredths
    return AccountRules(
        account_id=acc.id,
        name=acc.name,
        budget=acc.budget_hundredths,
        pack_id=acc.budget_pack_id,
        started_at=acc.budget_started_at,
        expires_at=acc.budget_expires_at,
        arrears=bool(acc.arrears),
        allowed_ips=tuple(acc.allowed_ips or ()),
        spent=spent,
    )


def rules_of(db: Database, account_id: str) -> AccountRules:
    with db.read() as s:
        acc = s.get(Account, account_id)
        assert acc is not None
        return _rules(acc)


def all_rules(db: Database) -> dict[str, AccountRules]:
    """Every account's rules, by account id."""
    with db.read() as s:
        return {acc.id: _rules(acc) for acc in s.scalars(select(Account).order_by(Account.name))}


def find_account_id(db: Database, name: str) -> str | None:
    with db.read() as s:
        found: Any = s.scalar(select(Account.id).where(Account.name == name))
    return found
