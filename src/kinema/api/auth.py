"""Bearer authentication: opaque API keys and HS256 JWTs signed with an AK/SK pair (spec §9).

JWT: the ``iss`` claim names the access key; the token is verified with that key's secret, then its time
claims are checked here rather than by the JWT library, so that every rule and message is ours:

- ``exp`` is required (1002 without it), must be a plain number of seconds since 1970, not in the past
  (1004), and at most ``jwt_max_lifetime_s`` ahead (1004): a token valid for years, or for ``1e100``
  seconds, is as good as a password that never expires. The official clients sign 30-minute tokens.
- ``nbf`` and ``iat``, when present, must be plain numbers too and not in the future (1003).

"Plain number" means a JSON integer or finite decimal between 0 and the end of year 9999: not a string, a
boolean, ``Infinity`` or ``NaN``, nor a number too large to be a date. Missing header → 1001; malformed or
badly signed → 1002; unknown key → 1000. Messages never carry the JWT library's text.

A short in-process cache keeps authentication off the database on hot paths; a JWT is never cached past
its own ``exp``.
"""

from __future__ import annotations

import math
import time
from typing import Any

import jwt

from kinema.accounts import account_for_key, secret_for_access_key
from kinema.contract.errors import Code, KlingError
from kinema.db.engine import Database

CACHE_TTL_S = 5.0
JWT_LEEWAY_S = 5
DEFAULT_JWT_MAX_LIFETIME_S = 24 * 3600
LATEST_NUMERIC_DATE = 253_402_300_799
"""9999-12-31T23:59:59Z: no time claim of a real token lies beyond it."""


class Authenticator:
    def __init__(self, db: Database, jwt_max_lifetime_s: float = DEFAULT_JWT_MAX_LIFETIME_S) -> None:
        self.db = db
        self.jwt_max_lifetime_s = jwt_max_lifetime_s
        self._cache: dict[str, tuple[float, str]] = {}

    def _cached(self, token: str) -> str | None:
        hit = self._cache.get(token)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        return None

    def _remember(self, token: str, account_id: str, ttl_s: float = CACHE_TTL_S) -> None:
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[token] = (time.monotonic() + min(ttl_s, CACHE_TTL_S), account_id)

    def authenticate(self, authorization: str | None) -> str:
        """The account id for an ``Authorization`` header value, or a KlingError with the right code."""
        if not authorization or not authorization.strip():
            raise KlingError(Code.AUTH_EMPTY, "Authorization header is empty")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise KlingError(Code.AUTH_INVALID, "Authorization must be 'Bearer <token>'")
        token = token.strip()
        cached = self._cached(token)
        if cached:
            return cached
        if token.count(".") == 2:
            account, valid_for_s = self._jwt(token)
            self._remember(token, account, valid_for_s)
        else:
            account = self._key(token)
            self._remember(token, account)
        return account

    def _key(self, token: str) -> str:
        account = account_for_key(self.db, token)
        if account is None:
            raise KlingError(Code.AUTH_FAILED, "authentication failed: unknown or revoked API key")
        return account

    def _jwt(self, token: str) -> tuple[str, float]:
        """(account id, seconds the token stays valid)."""
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise KlingError(Code.AUTH_INVALID, "Authorization is not a valid JWT") from exc
        if header.get("alg") != "HS256":
            raise KlingError(Code.AUTH_INVALID, "JWT must be signed with HS256")
        iss = claims.get("iss")
        if not isinstance(iss, str) or not iss:
            raise KlingError(Code.AUTH_INVALID, "JWT has no iss (access key) claim")
        found = secret_for_access_key(self.db, iss)
        if found is None:
            raise KlingError(Code.AUTH_FAILED, "authentication failed: unknown access key")
        account, secret = found
        try:
            verified = jwt.decode(  # time claims are checked below, by our rules
                token,
                secret,
                algorithms=["HS256"],
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.InvalidSignatureError as exc:
            raise KlingError(Code.AUTH_INVALID, "JWT signature does not match the access key") from exc
        except jwt.PyJWTError as exc:
            raise KlingError(Code.AUTH_INVALID, "Authorization invalid: the JWT cannot be verified") from exc
        return account, check_time_claims(verified, time.time(), self.jwt_max_lifetime_s)


def _numeric_date(claims: dict[str, Any], name: str, code: Code) -> float | None:
    """The claim as seconds since 1970, None when absent; ``code`` when it is no plausible date."""
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KlingError(code, f"JWT {name} claim must be a number of seconds since 1970")
    if isinstance(value, float) and not math.isfinite(value):
        raise KlingError(code, f"JWT {name} claim must be a finite number of seconds since 1970")
    if not 0 <= value <= LATEST_NUMERIC_DATE:  # compared before float(): 10**400 has no float
        raise KlingError(code, f"JWT {name} claim must be a date between 1970 and 9999")
    return float(value)


def check_time_claims(claims: dict[str, Any], now: float, max_lifetime_s: float) -> float:
    """Apply the ``exp``/``nbf``/``iat`` rules (module docstring); the seconds until ``exp``."""
    exp = _numeric_date(claims, "exp", Code.TOKEN_EXPIRED)
    if exp is None:
        raise KlingError(Code.AUTH_INVALID, "JWT has no exp (expiry) claim")
    nbf = _numeric_date(claims, "nbf", Code.TOKEN_NOT_YET_VALID)
    iat = _numeric_date(claims, "iat", Code.TOKEN_NOT_YET_VALID)
    if exp + JWT_LEEWAY_S <= now:
        raise KlingError(Code.TOKEN_EXPIRED, "token expired (exp)")
    if exp - now > max_lifetime_s + JWT_LEEWAY_S:
        raise KlingError(
            Code.TOKEN_EXPIRED,
            f"token lifetime too long (exp): at most {max_lifetime_s:g} s ahead is accepted, "
            f"this one is {exp - now:.0f} s (setting KINEMA_JWT_MAX_LIFETIME_S)",
        )
    if nbf is not None and nbf - JWT_LEEWAY_S > now:
        raise KlingError(Code.TOKEN_NOT_YET_VALID, "token not yet valid (nbf)")
    if iat is not None and iat - JWT_LEEWAY_S > now:
        raise KlingError(Code.TOKEN_NOT_YET_VALID, "token issued in the future (iat)")
    return exp + JWT_LEEWAY_S - now
