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


def _signed(ak: str, sk: str, claims: dict[str, object]) -> str:
    return jwt.encode({"iss": ak, **claims}, sk, algorithm="HS256", headers={"typ": "JWT"})


YEAR_3000 = 32_503_680_000


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"exp": 1e100}, 1004),
        ({"exp": 10**400}, 1004),
        ({"exp": YEAR_3000}, 1004),
        ({"exp": "offset+1800"}, 1004),
        ({"exp": True}, 1004),
        ({"exp": float("inf")}, 1004),
        ({"exp": float("nan")}, 1004),
        ({"exp": -1}, 1004),
        ({"exp": "now+2d"}, 1004),  # over the default 24 h cap
        ({"exp": "now+1800", "nbf": 1e100}, 1003),
        ({"exp": "now+1800", "nbf": "yesterday"}, 1003),
        ({"exp": "now+1800", "iat": "now+3600"}, 1003),
        ({"exp": "now+1800", "iat": float("-inf")}, 1003),
        ({"nbf": "now-5"}, 1002),  # no exp at all
    ],
)
def test_absurd_or_overlong_time_claims_are_refused(
    server: Server, claims: dict[str, object], code: int
) -> None:
    ak, sk = server.new_aksk("jwt-absurd")
    now = int(time.time())
    relative = {"now+1800": now + 1800, "now+2d": now + 2 * 86400, "now+3600": now + 3600, "now-5": now - 5}
    payload = {k: relative.get(v, v) if isinstance(v, str) else v for k, v in claims.items()}
    r = _get(server, {"Authorization": f"Bearer {_signed(ak, sk, payload)}"})
    body = r.json()
    assert r.status_code == 401 and body["code"] == code, body
    assert "integer" not in body["message"] and "Expiration Time" not in body["message"]  # not PyJWT's text


@pytest.mark.parametrize("exp_in", [1800, 1800.75, 23 * 3600])
def test_sane_lifetimes_are_accepted(server: Server, exp_in: float) -> None:
    ak, sk = server.new_aksk("jwt-sane")
    now = time.time()
    token = _signed(ak, sk, {"exp": now + exp_in, "nbf": int(now) - 5, "iat": int(now)})
    r = _get(server, {"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["code"] == 0, r.text


def test_the_lifetime_cap_is_a_setting(server: Server) -> None:
    from kinema.api.auth import Authenticator
    from kinema.contract.errors import KlingError

    ak, sk = server.new_aksk("jwt-setting")
    auth = Authenticator(server.db, jwt_max_lifetime_s=600)
    now = int(time.time())
    assert auth.authenticate(f"Bearer {_signed(ak, sk, {'exp': now + 300})}")
    with pytest.raises(KlingError) as refused:
        auth.authenticate(f"Bearer {_signed(ak, sk, {'exp': now + 1800})}")
    assert refused.value.code == 1004 and "at most 600 s" in refused.value.message
