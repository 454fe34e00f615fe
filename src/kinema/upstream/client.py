"""Calls to the upstream Kling API: authentication, the ``{code, message, data}`` envelope, and which
failures are worth a retry.

The upstream base URL is set by the operator, so it is trusted (no SSRF guard here: it may well be on a
private network); the result URLs the upstream returns are not, and :mod:`kinema.upstream.archive` fetches
them through the guard.

Errors are sorted into two kinds. :class:`UpstreamBusy` (network failure, HTTP 429/5xx, codes 1302 rate
limit, 1303 concurrency, 5xxx server errors) means "try again later"; :class:`UpstreamRejected` (any other
non-zero code) is the upstream's final answer, relayed to the client with its code and message.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt

from kinema.settings import Settings

TOKEN_LIFETIME_S = 1800
"""Lifetime of a signed JWT, as the official clients sign them; a new one is signed per call."""
RETRY_CODES = frozenset({1302, 1303, 5000, 5001, 5002})
"""Rate limit, concurrency cap, and the server-side errors (internal, unavailable, timeout)."""


class UpstreamError(Exception):
    """Base of what a call to the upstream can raise."""


class UpstreamBusy(UpstreamError):
    """A transient failure: retry with backoff. ``timed_out`` tells a deadline missed (the call timed out,
    HTTP 504, code 5002) from the rest, for a synchronous create that must say which (5002 or 5001)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class UpstreamRejected(UpstreamError):
    """The upstream refused the call for good; ``code`` and ``message`` are its own."""

    def __init__(self, code: int, message: str, http_status: int) -> None:
        super().__init__(f"upstream error {code}: {message}")
        self.code, self.message, self.http_status = code, message, http_status


def auth_header(settings: Settings, now: float | None = None) -> str:
    """``Bearer <key>``, or ``Bearer <HS256 JWT>`` signed with the access/secret key pair."""
    if settings.upstream_access_key and settings.upstream_secret_key:
        t = int(time.time() if now is None else now)
        claims = {"iss": settings.upstream_access_key, "exp": t + TOKEN_LIFETIME_S, "nbf": t - 5}
        token = jwt.encode(claims, settings.upstream_secret_key, algorithm="HS256", headers={"typ": "JWT"})
        return f"Bearer {token}"
    if settings.upstream_api_key:
        return f"Bearer {settings.upstream_api_key}"
    raise UpstreamRejected(
        1000,
        "no upstream credentials are configured (KINEMA_UPSTREAM_API_KEY or "
        "KINEMA_UPSTREAM_ACCESS_KEY + KINEMA_UPSTREAM_SECRET_KEY)",
        0,
    )


class UpstreamClient:
    """A synchronous client of one upstream (the job runner is synchronous); one per task attempt."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        if not settings.upstream_url:
            raise UpstreamRejected(1000, "KINEMA_UPSTREAM_URL is not set", 0)
        self.settings = settings
        self.base = settings.upstream_url.rstrip("/") + "/" + settings.upstream_prefix.strip("/")
        self.http = httpx.Client(timeout=settings.upstream_timeout_s, trust_env=False, transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> UpstreamClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, path: str, *, json: Any = None, params: Any = None) -> Any:
        """One call: the envelope's ``data`` on code 0, else raises :class:`UpstreamError`."""
        headers = {"Authorization": auth_header(self.settings)}
        try:
            resp = self.http.request(method, self.base + path, json=json, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise UpstreamBusy(f"upstream timed out: {type(exc).__name__}", timed_out=True) from exc
        except httpx.HTTPError as exc:
            raise UpstreamBusy(f"upstream unreachable: {type(exc).__name__}") from exc
        try:
            body = resp.json()
        except ValueError:
            body = None
        code = body.get("code") if isinstance(body, dict) else None
        # HTTP 429 is busy unless the envelope says otherwise: 1100-1102 (account, arrears, no balance) come
        # with 429 too and no wait mends them
        final_429 = isinstance(code, int) and code != 0 and code not in RETRY_CODES
        if (resp.status_code == 429 and not final_429) or resp.status_code >= 500 or code in RETRY_CODES:
            late = resp.status_code == 504 or code == 5002
            raise UpstreamBusy(f"upstream busy: HTTP {resp.status_code}, code {code}", timed_out=late)
        if not isinstance(body, dict) or not isinstance(code, int):
            raise UpstreamBusy(f"upstream reply is not a Kling envelope (HTTP {resp.status_code})")
        if code != 0:
            raise UpstreamRejected(code, str(body.get("message", "")), resp.status_code)
        return body.get("data")

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", path, json=body))

    def get(self, path: str, task_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"{path}/{task_id}"))

    def find_external(self, path: str, external_task_id: str) -> dict[str, Any] | None:
        """The upstream task created with this ``external_task_id``, or None when there is none. The path slot
        takes a task id or an external id; a task found under its own id is not ours, so it is checked."""
        try:
            found = self.get(path, external_task_id)
        except UpstreamRejected as exc:
            if exc.http_status == 404 or exc.code == 1203:
                return None
            raise
        info = found.get("task_info") or {}
        return found if info.get("external_task_id") == external_task_id else None

    def check(self, path: str) -> list[Any]:
        """A list call with pageSize=1: proves reachability and credentials (``kinema upstream check``)."""
        return list(self.call("GET", path, params={"pageNum": 1, "pageSize": 1}) or [])
