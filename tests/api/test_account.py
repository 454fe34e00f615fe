"""Account codes over HTTP: 1304 (IP allow-list), 1101 (arrears), 1102 (unit budget), a refused create that
keeps its rate token, and ``GET /account/costs`` with the figures tasks leave behind. In-process (the
ASGI app on SQLite and PostgreSQL, tasks run by the slow test executor) and, for the proxy header, a real
server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from kinema.accounts import create_api_key
from kinema.accounts.packs import NO_END_MS
from kinema.accounts.policy import update_rules
from kinema.api.app import create_app
from kinema.db.models import Task
from kinema.jobs.runner import run_task
from kinema.runtime import Runtime
from tests.api.media import png_b64
from tests.api.server import Server
from tests.support.db import BACKENDS, runtime

I2V = "/kling/v1/videos/image2video"
OUTSIDE = ("127.0.0.1", 40000)
ALL_COSTS_PATHS = ("/account/costs", "/kling/account/costs", "/v1/account/costs", "/kling/v1/account/costs/")
EVER = {"start_time": 0, "end_time": NO_END_MS}


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param)


class Api:
    """One app (one rate limiter, one allow-list cache) answering requests from a chosen address."""

    def __init__(self, rt: Runtime, **settings: Any) -> None:
        self.app = create_app(rt.settings.model_copy(update=settings), rt)

    def call(
        self, method: str, path: str, key: str, client: tuple[str, int] = OUTSIDE, **kw: Any
    ) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False, client=client)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.request(method, path, headers={"Authorization": f"Bearer {key}"}, **kw)

        return asyncio.run(go())


def _key(rt: Runtime, account: str) -> str:
    key = create_api_key(rt.db, account).api_key
    assert key
    return key


def _i2v(api: Api, key: str, **fields: Any) -> httpx.Response:
    return api.call("POST", I2V, key, json={"image": png_b64(480, 320), **fields})


def _error(r: httpx.Response) -> tuple[int, int, str]:
    body = r.json()
    return r.status_code, body["code"], body["message"]


def test_ip_allow_list_is_1304_for_every_call_from_elsewhere(rt: Runtime) -> None:
    update_rules(rt.db, "fenced", allowed_ips=["10.0.0.0/8", "2001:db8::/32"])
    fenced, free = _key(rt, "fenced"), _key(rt, "free")
    api = Api(rt)
    for method, path in (("GET", "/kling/v1/queue"), ("GET", "/account/costs?start_time=0&end_time=1")):
        status, code, message = _error(api.call(method, path, fenced))
        assert (status, code) == (429, 1304) and "127.0.0.1" in message and "whitelist" in message
    assert _error(_i2v(api, fenced))[:2] == (429, 1304)
    assert api.call("GET", "/kling/v1/queue", fenced, client=("10.2.3.4", 1)).status_code == 200
    assert api.call("GET", "/kling/v1/queue", fenced, client=("2001:db8::7", 1)).status_code == 200
    assert api.call("GET", "/kling/v1/queue", free).status_code == 200  # other accounts: anywhere


def test_arrears_is_1101_on_creates_only_and_keeps_the_rate_token(rt: Runtime) -> None:
    update_rules(rt.db, "late", arrears=True)
    key = _key(rt, "late")
    api = Api(rt, rate_limit_per_minute=2)
    for _ in range(4):  # more refusals than the rate allows: none of them spent a token
        status, code, message = _error(_i2v(api, key))
        assert (status, code) == (429, 1101) and "arrears" in message
    assert api.call("GET", I2V, key).status_code == 200  # queries still answer
    update_rules(rt.db, "late", arrears=False)
    assert _i2v(api, key).json()["code"] == 0
    assert _i2v(api, key).json()["code"] == 0
    assert _error(_i2v(api, key))[:2] == (429, 1302)  # the limiter itself still works


def test_spent_budget_is_1102_before_any_input_is_stored(rt: Runtime) -> None:
    account_id = update_rules(rt.db, "thrifty", units=50).account_id
    key = _key(rt, "thrifty")
    api = Api(rt, rate_limit_per_minute=1)
    status, code, message = _error(_i2v(api, key))
    assert (status, code) == (429, 1102)
    assert message == "resource pack depleted: 0.5 units remaining, this task needs 1"
    assert _error(_i2v(api, key, mode="pro"))[2].endswith("this task needs 3.5")  # token given back
    tts = {"text": "Hello.", "voice_id": "reader_en_m-v1", "voice_language": "en"}
    update_rules(rt.db, "thrifty", units=5)
    assert _error(api.call("POST", "/v1/audio/tts", key, json=tts))[1:] == (
        1102,
        "resource pack depleted: 0.05 units remaining, this task needs 0.1",
    )
    with rt.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Task).where(Task.account_id == account_id)) == 0
    inputs = rt.settings.data_dir / "blobs" / account_id
    assert not [p for p in inputs.rglob("*") if p.is_file()]


def _costs(api: Api, key: str, path: str = "/account/costs", **query: Any) -> dict[str, Any]:
    r = api.call("GET", path, key, params={**EVER, **query})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def _run(api: Api, rt: Runtime, key: str, **fields: Any) -> dict[str, Any]:
    """Create an image-to-video task, run it here, and return its task object."""
    created = _i2v(api, key, **fields).json()
    assert created["code"] == 0, created
    task_id = created["data"]["task_id"]
    assert run_task(rt, task_id, "w") == "succeed"
    task: dict[str, Any] = api.call("GET", f"{I2V}/{task_id}", key).json()["data"]
    return task


def test_costs_report_the_budget_and_what_tasks_used(rt: Runtime) -> None:
    key = _key(rt, "metered")
    api = Api(rt)
    assert _costs(api, key) == {"code": 0, "msg": "success", "resource_pack_subscribe_infos": []}
    rules = update_rules(rt.db, "metered", units=1000)  # hundredths: 10 units
    assert _run(api, rt, key)["final_unit_deduction"] == "1"  # std, 5 s
    assert _run(api, rt, key, mode="pro", duration="10")["final_unit_deduction"] == "7"
    for path in ALL_COSTS_PATHS:
        [pack] = _costs(api, key, path)["resource_pack_subscribe_infos"]
        assert pack == {
            "resource_pack_name": "kinema unit budget",
            "resource_pack_id": rules.pack_id,
            "resource_pack_type": "decreasing_total",
            "total_quantity": 10.0,
            "remaining_quantity": 2.0,
            "purchase_time": rules.started_at,
            "effective_time": rules.started_at,
            "invalid_time": NO_END_MS,
            "status": "online",
        }, path
    assert _error(_i2v(api, key, mode="pro"))[2] == (
        "resource pack depleted: 2 units remaining, this task needs 3.5"
    )
    queued = _i2v(api, key, duration="10").json()  # 2 units, reserved while it waits
    assert queued["code"] == 0 and queued["data"]["final_unit_deduction"] == "0"
    [pack] = _costs(api, key)["resource_pack_subscribe_infos"]
    assert (pack["remaining_quantity"], pack["status"]) == (0.0, "runOut")
    assert _costs(api, key, resource_pack_name="other")["resource_pack_subscribe_infos"] == []


def test_costs_query_errors_name_the_parameter(rt: Runtime) -> None:
    key, api = _key(rt, "asker"), Api(rt)
    for query, message in [
        ({"end_time": 1}, "start_time: is required"),
        ({"start_time": 1}, "end_time: is required"),
        ({"start_time": 5, "end_time": 4}, "end_time: must not be before start_time"),
        ({"start_time": "yesterday", "end_time": 4}, "start_time: must be a Unix time in milliseconds"),
    ]:
        status, code, text = _error(api.call("GET", "/kling/account/costs", key, params=query))
        assert (status, code) == (400, 1201) and text.startswith(message), query


def test_the_address_behind_a_local_proxy_is_the_forwarded_one(server: Server) -> None:
    """uvicorn trusts ``X-Forwarded-For`` from 127.0.0.1 (its FORWARDED_ALLOW_IPS default), as
    docs/accounts.md says: a reverse proxy on the same host passes the caller's address on."""
    update_rules(server.db, "proxied", allowed_ips=["198.51.100.0/24"])
    with server.client(server.new_key("proxied")) as c:
        direct = c.get("/kling/account/costs", params=EVER)
        assert (direct.status_code, direct.json()["code"]) == (429, 1304)
        forwarded = c.get("/account/costs", params=EVER, headers={"X-Forwarded-For": "198.51.100.9"})
        assert forwarded.status_code == 200
        assert forwarded.json()["data"]["resource_pack_subscribe_infos"] == []
        other = c.get("/account/costs", params=EVER, headers={"X-Forwarded-For": "203.0.113.5"})
        assert other.json()["code"] == 1304 and "203.0.113.5" in other.json()["message"]
