"""``client.account_costs()``: sent below the unversioned prefix, checked before sending, and read into the
contract's model from a real server (sync and async)."""

from __future__ import annotations

import asyncio

import pytest

from kinema.accounts.packs import NO_END_MS
from kinema.accounts.policy import update_rules
from kinema.client import AccountError, AsyncClient, Client, InvalidRequestError
from kinema.contract.responses import AccountCosts
from tests.api.server import Server
from tests.client.test_core import Seen, recording

EMPTY = {"code": 0, "msg": "success", "resource_pack_subscribe_infos": []}


@pytest.mark.parametrize(
    ("prefix", "path"),
    [("/kling/v1", "/kling/account/costs"), ("/v1", "/account/costs"), ("/v1/", "/account/costs")],
)
def test_costs_go_below_the_prefix_without_its_version(prefix: str, path: str) -> None:
    seen: Seen = []
    with Client("http://k.test/", api_key="k", prefix=prefix, transport=recording(seen, EMPTY)) as k:
        assert k.account_costs(1, 2, "video").resource_pack_subscribe_infos == []
    assert seen == [("GET", f"{path}?start_time=1&end_time=2&resource_pack_name=video", None)]


def test_bad_times_are_refused_before_sending() -> None:
    seen: Seen = []
    with Client("http://k.test", api_key="k", transport=recording(seen, EMPTY)) as k:
        with pytest.raises(InvalidRequestError, match="end_time: must not be before start_time") as info:
            k.account_costs(10, 9)
        with pytest.raises(InvalidRequestError, match="start_time: must be a Unix time"):
            k.account_costs(-1, 9)
    assert seen == [] and info.value.request_id == "" and info.value.http_status == 400


def test_sync_and_async_clients_read_a_servers_costs(server: Server) -> None:
    rules = update_rules(server.db, "sdk-costs", units=1250)
    key = server.new_key("sdk-costs")
    with Client(server.base, api_key=key) as k:
        costs = k.account_costs(0, NO_END_MS)
    assert isinstance(costs, AccountCosts) and costs.code == 0
    [pack] = costs.resource_pack_subscribe_infos
    assert (pack.resource_pack_id, pack.total_quantity, pack.remaining_quantity, pack.status) == (
        rules.pack_id,
        12.5,
        12.5,
        "online",
    )

    async def go() -> AccountCosts:
        async with AsyncClient(server.base, api_key=key, prefix="/v1") as a:
            return await a.account_costs(0, NO_END_MS, resource_pack_name="kinema unit budget")

    assert asyncio.run(go()) == costs


def test_a_spent_budget_raises_the_account_family(server: Server) -> None:
    update_rules(server.db, "sdk-broke", units=0)
    with Client(server.base, api_key=server.new_key("sdk-broke")) as k, pytest.raises(AccountError) as info:
        k.text_to_audio.create(prompt="rain", duration=3)
    assert (info.value.code, info.value.http_status) == (1102, 429)
    assert "0 units remaining, this task needs 0.15" in info.value.message
