"""The upstream client: how it signs, and which upstream answers it retries or relays."""

from __future__ import annotations

import json

import httpx
import jwt
import pytest

from kinema.settings import Settings
from kinema.upstream.client import UpstreamBusy, UpstreamClient, UpstreamRejected, auth_header

SECRET = "SK1-a-secret-key-of-thirty-two-bytes"


def _settings(**kw: object) -> Settings:
    return Settings(upstream_url="http://up.example", **kw)  # type: ignore[arg-type]


def test_jwt_carries_iss_exp_nbf_as_the_official_clients_sign_them() -> None:
    header = auth_header(_settings(upstream_access_key="AK1", upstream_secret_key=SECRET), now=1_000_000)
    token = header.removeprefix("Bearer ")
    claims = jwt.decode(
        token, SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False}
    )
    assert claims == {"iss": "AK1", "exp": 1_000_000 + 1800, "nbf": 1_000_000 - 5}
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}


def test_bearer_key_is_sent_as_is_and_missing_credentials_are_refused() -> None:
    assert auth_header(_settings(upstream_api_key="k-123")) == "Bearer k-123"
    with pytest.raises(UpstreamRejected, match="no upstream credentials"):
        auth_header(_settings())


def _client(status: int, body: object) -> tuple[UpstreamClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=json.dumps(body).encode())

    settings = _settings(upstream_api_key="k", upstream_prefix="/kling/v1")
    return UpstreamClient(settings, transport=httpx.MockTransport(handler)), seen


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (429, {"code": 1302, "message": "rate limited"}),
        (429, {"code": 1303, "message": "too many running tasks"}),
        (429, "no envelope"),
        (500, {"code": 5000, "message": "internal"}),
        (503, "not json"),
        (200, ["not an envelope"]),
    ],
)
def test_transient_answers_are_busy(status: int, body: object) -> None:
    client, _ = _client(status, body)
    with pytest.raises(UpstreamBusy):
        client.get("/videos/image2video", "1")


def test_no_balance_is_final_though_it_comes_with_http_429() -> None:
    client, _ = _client(429, {"code": 1102, "message": "resource pack depleted", "request_id": "r"})
    with pytest.raises(UpstreamRejected) as info:
        client.create("/videos/image2video", {"prompt": "x"})
    assert (info.value.code, info.value.http_status) == (1102, 429)


def test_a_refusal_is_relayed_with_the_upstream_code_and_message() -> None:
    client, seen = _client(400, {"code": 1201, "message": "prompt: too long", "request_id": "r"})
    with pytest.raises(UpstreamRejected) as info:
        client.create("/videos/image2video", {"prompt": "x"})
    assert (info.value.code, info.value.message, info.value.http_status) == (1201, "prompt: too long", 400)
    assert str(seen[0].url) == "http://up.example/kling/v1/videos/image2video"
    assert seen[0].headers["authorization"] == "Bearer k"


def test_find_external_is_none_when_the_upstream_has_no_such_task() -> None:
    client, seen = _client(404, {"code": 1203, "message": "task not found"})
    assert client.find_external("/audio/text-to-audio", "77") is None
    assert seen[0].url.path == "/kling/v1/audio/text-to-audio/77"


def test_find_external_ignores_a_task_that_only_shares_the_id() -> None:
    other = {"code": 0, "data": {"task_id": "77", "task_info": {"external_task_id": "someone-else"}}}
    client, _ = _client(200, other)
    assert client.find_external("/videos/image2video", "77") is None
    ours = {"code": 0, "data": {"task_id": "5", "task_info": {"external_task_id": "77"}}}
    client, _ = _client(200, ours)
    assert client.find_external("/videos/image2video", "77") == ours["data"]


def test_unreachable_upstream_is_busy() -> None:
    settings = _settings(upstream_api_key="k", upstream_timeout_s=0.5)
    client = UpstreamClient(settings.model_copy(update={"upstream_url": "http://127.0.0.1:9"}))
    with pytest.raises(UpstreamBusy, match="unreachable"):
        client.get("/videos/image2video", "1")
