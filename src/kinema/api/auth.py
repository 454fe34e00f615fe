"""Bearer authentication: opaque API keys and HS256 JWTs signed with an AK/SK pair (spec §9).

JWT: the ``iss`` claim names the access key; the token is verified with that key's secret, and ``exp`` /
``nbf`` are checked (1004 / 1003). Missing header → 1001; malformed or badly signed → 1002; unknown key →
1000.
A short in-process cache keeps authentication off the database on hot paths.
"""

from __future__ import annotations

import time

import jwt

from kinema.accounts import account_for_key, secret_for_access_key
from kinema.contract.errors import Code, KlingError
from kinema.db.engine import Database

CACHE_TTL_S = 5.0
JWT_LEEWAY_S = 5


class Authenticator:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[str, tuple[float, str]] = {}

    def _cached(self, token: str) -> str | None:
        hit = self._cache.get(token)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        return None

    def _remember(self, token: str, account_id: str) -> None:
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[token] = (time.monotonic() + CACHE_TTL_S, account_id)

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
        account = self._jwt(token) if token.count(".") == 2 else self._key(token)
        self._remember(token, account)
        return account

    def _key(self, token: str) -> str:
        account = account_for_key(self.db, token)
        if account is None:
            raise KlingError(Code.AUTH_FAILED, "authentication failed: unknown or revoked API key")
        return account

    def _jwt(self, token: str) -> str:
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise KlingError(Code.AUTH_INVALID, f"Authorization is not a valid JWT: {exc}") from exc
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
            jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                leeway=JWT_LEEWAY_S,
                options={"require": ["exp", "iss"], "verify_nbf": True},
            )
        except jwt.ExpiredSignatureError as exc:
            raise KlingError(Code.TOKEN_EXPIRED, "token expired (exp)") from exc
        except jwt.ImmatureSignatureError as exc:
            raise KlingError(Code.TOKEN_NOT_YET_VALID, "token not yet valid (nbf)") from exc
        except jwt.PyJWTError as exc:
            raise KlingError(Code.AUTH_INVALID, f"Authorization invalid: {exc}") from exc
        return account
