"""API keys and HS256 JWTs from AK/SK pairs; codes 1000-1004 with HTTP 401; accounts are isolated."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from tests.api.server import Server

LIST = "/kling/v1/videos/image2video"


def _get(server: Server, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(server.base + LIST, headers=headers, timeout=30)


def test_missing_header_is_1001(server: Server) -> None:
    r = _get(server, {})
    assert r.status_code == 401 and r.json()["code"] == 1001


def test_bad_scheme_is_1002(server: Server) -> None:
    r = _get(server, {"Authorization": "Basic abc"})
    assert r.status_code == 401 and r.json()["code"] == 1002


def test_unknown_key_is_1000(server: Server) -> None:
    r = _get(server, {"Authorization": "Bearer sk-not-a-key"})
    assert r.status_code == 401 and r.json()["code"] == 1000


def _token(ak: str, sk: str, **claims: int) -> str:
    now = int(time.time())
    payload = {"iss": ak, "exp": now + 1800, "nbf": now - 5, **claims}
    return jwt.encode(payload, sk, algorithm="HS256", headers={"typ": "JWT"})


def test_jwt_signed_with_aksk_is_accepted(server: Server) -> None:
    ak, sk = server.new_aksk("jwt-user")
    r = _get(server, {"Authorization": f"Bearer {_token(ak, sk)}"})
    assert r.status_code == 200 and r.json()["code"] == 0


@pytest.mark.parametrize(
    ("claims", "code"),
    [({"exp": int(time.time()) - 100}, 1004), ({"nbf": int(time.time()) + 600}, 1003)],
)
def test_jwt_time_claims(server: Server, claims: dict[str, int], code: int) -> None:
    ak, sk = server.new_aksk("jwt-times")
    r = _get(server, {"Authorization": f"Bearer {_token(ak, sk, **claims)}"})
    assert r.status_code == 401 and r.json()["code"] == code


def test_jwt_with_wrong_secret_is_1002(server: Server) -> None:
    ak, _ = server.new_aksk("jwt-wrong")
    r = _get(server, {"Authorization": f"Bearer {_token(ak, 'not-the-secret')}"})
    assert r.status_code == 401 and r.json()["code"] == 1002


def test_jwt_with_unknown_access_key_is_1000(server: Server) -> None:
    r = _get(server, {"Authorization": f"Bearer {_token('AKnobody', 'x')}"})
    assert r.status_code == 401 and r.json()["code"] == 1000
