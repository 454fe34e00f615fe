"""An account's rules, in the create transaction: a unit budget spent by task prices (1102), arrears (1101),
the IP allow-list's matching, and no overdraft when creates race (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from kinema.accounts.packs import NO_END_MS, account_costs
from kinema.accounts.policy import (
    AccountRules,
    ip_allowed,
    parse_networks,
    rules_of,
    spent_hundredths,
    update_rules,
)
from kinema.contract.errors import Code, KlingError
from kinema.db.engine import now_ms
from kinema.db.models import Account
from kinema.jobs import service
from kinema.jobs.runner import run_task
from kinema.runtime import Runtime
from tests.support.db import BACKENDS, runtime
from tests.support.slow_executor import slow_params


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param)


def _create(rt: Runtime, account_id: str, **knobs: object) -> service.Task:
    """An avatar task of the slow test executor: price 1 unit (avatar, std)."""
    params = slow_params(seconds=0.05, **knobs)
    return service.create_task(rt, account_id=account_id, kind="avatar", params=params, inputs={})


def _rules(rt: Runtime, account_id: str) -> AccountRules:
    """The account's rules; its kept spent count always equals the sum over its tasks."""
    rules = rules_of(rt.db, account_id)
    with rt.db.read() as s:
        assert rules.spent == spent_hundredths(s, account_id, rules.started_at or 0)
    return rules


def _refusal(rt: Runtime, account_id: str) -> KlingError:
    with pytest.raises(KlingError) as info:
        _create(rt, account_id)
    return info.value


def test_budget_counts_reserved_and_succeeded_tasks_and_gives_back_failed_ones(rt: Runtime) -> None:
    account_id = update_rules(rt.db, "metered", units=250).account_id
    first, second = _create(rt, account_id), _create(rt, account_id, mode="input_error")
    assert first.units_hundredths == second.units_hundredths == 100
    err = _refusal(rt, account_id)
    assert err.code == Code.RESOURCE_PACK_DEPLETED and err.http_status == 429
    assert err.message == "resource pack depleted: 0.5 units remaining, this task needs 1"
    assert run_task(rt, first.id, "w") == "succeed"  # deducted: still spent
    assert _refusal(rt, account_id).code == Code.RESOURCE_PACK_DEPLETED
    assert run_task(rt, second.id, "w") == "failed"  # a failed task deducts nothing: its unit comes back
    assert _rules(rt, account_id).spent == 100
    third = _create(rt, account_id)
    assert _rules(rt, account_id).remaining == 50 and third.status == "submitted"
    service.cancel_task(rt, account_id, "avatar", third.id)  # a cancelled task fails: its unit comes back
    assert _rules(rt, account_id).remaining == 150


def test_tasks_from_before_the_budget_do_not_count_and_a_top_up_keeps_the_pack(rt: Runtime) -> None:
    account_id = update_rules(rt.db, "before").account_id
    _create(rt, account_id)  # no budget yet: nothing is counted
    first = update_rules(rt.db, "before", units=100)
    assert first.spent == 0 and first.remaining == 100
    _create(rt, account_id)
    topped = update_rules(rt.db, "before", units=300)
    assert (topped.pack_id, topped.started_at, topped.spent) == (first.pack_id, first.started_at, 100)
    assert _rules(rt, account_id).spent == 100
    update_rules(rt.db, "before", clear_budget=True)
    _create(rt, account_id)  # no budget: never refused
    fresh = update_rules(rt.db, "before", units=100)
    assert fresh.pack_id != first.pack_id and fresh.spent == 0


def test_an_ended_budget_refuses_with_1102(rt: Runtime) -> None:
    rules = update_rules(rt.db, "ending", units=1000, valid_days=30)
    assert rules.expires_at == rules.started_at + 30 * 86_400_000  # type: ignore[operator]
    with rt.db.write() as s:
        ended = update(Account).where(Account.id == rules.account_id).values(budget_expires_at=now_ms() - 1)
        s.execute(ended)
    err = _refusal(rt, rules.account_id)
    assert err.code == Code.RESOURCE_PACK_DEPLETED and "expired at" in err.message
    packs = account_costs(rt.db, rules.account_id, 0, NO_END_MS)["resource_pack_subscribe_infos"]
    assert [p["status"] for p in packs] == ["expired"]


def test_arrears_refuse_every_create_until_cleared(rt: Runtime) -> None:
    account_id = update_rules(rt.db, "late", arrears=True).account_id
    err = _refusal(rt, account_id)
    assert (err.code, err.http_status) == (Code.ARREARS, 429) and "arrears" in err.message
    update_rules(rt.db, "late", arrears=False)
    assert _create(rt, account_id).status == "submitted"


def test_concurrent_creates_never_overdraw_the_budget(rt: Runtime) -> None:
    account_id = update_rules(rt.db, "racing", units=300).account_id
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def create() -> None:
        start.wait()
        try:
            _create(rt, account_id)
            result = "created"
        except KlingError as exc:
            result = str(int(exc.code))
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["1102"] * 5 + ["created"] * 3
    assert _rules(rt, account_id).remaining == 0


def test_costs_reply_reports_the_budget_as_one_pack(rt: Runtime) -> None:
    rules = update_rules(rt.db, "packs", units=250)
    _create(rt, rules.account_id)
    data = account_costs(rt.db, rules.account_id, 0, NO_END_MS)
    assert (data["code"], data["msg"]) == (0, "success")
    assert data["resource_pack_subscribe_infos"] == [
        {
            "resource_pack_name": "kinema unit budget",
            "resource_pack_id": rules.pack_id,
            "resource_pack_type": "decreasing_total",
            "total_quantity": 2.5,
            "remaining_quantity": 1.5,
            "purchase_time": rules.started_at,
            "effective_time": rules.started_at,
            "invalid_time": NO_END_MS,
            "status": "online",
        }
    ]
    assert rules.started_at is not None
    before = account_costs(rt.db, rules.account_id, 0, rules.started_at - 1)
    other_name = account_costs(rt.db, rules.account_id, 0, NO_END_MS, "video pack")
    assert before["resource_pack_subscribe_infos"] == other_name["resource_pack_subscribe_infos"] == []
    unmetered = update_rules(rt.db, "free").account_id
    assert account_costs(rt.db, unmetered, 0, NO_END_MS)["resource_pack_subscribe_infos"] == []


def test_ip_allow_lists_match_addresses_and_networks() -> None:
    nets = parse_networks(["10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "10.1.0.0/16"])
    assert nets == ("10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32", "10.1.0.0/16")
    import ipaddress

    networks = [ipaddress.ip_network(n) for n in nets]
    assert ip_allowed("10.200.3.4", networks) and ip_allowed("192.168.1.7", networks)
    assert ip_allowed("::ffff:10.0.0.1", networks) and ip_allowed("2001:db8::1", networks)
    assert not ip_allowed("192.168.1.8", networks) and not ip_allowed("127.0.0.1", networks)
    assert not ip_allowed(None, networks) and not ip_allowed("not-an-ip", networks)
    with pytest.raises(ValueError, match="not an IP address or CIDR"):
        parse_networks(["10.0.0.0/33"])
