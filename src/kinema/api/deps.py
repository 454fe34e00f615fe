"""Request-scoped helpers shared by the routers: the runtime, the caller's account, the limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.security import HTTPBearer

from kinema.api.body import NUL_RULE
from kinema.contract.errors import invalid

if TYPE_CHECKING:
    from kinema.api.state import AppState

bearer_scheme = HTTPBearer(
    auto_error=False, description="An API key (sk-…) or an HS256 JWT signed with AK/SK."
)


def state(request: Request) -> AppState:
    st: AppState = request.app.state.kinema
    return st


def account(request: Request) -> str:
    """Authenticate the caller; the account id, or a KlingError (401/400). Queries, lists, cancels and the
    extension views never count against the request rate: upstream documents no QPS limit on queries."""
    account_id = state(request).auth.authenticate(request.headers.get("authorization"))
    refuse_nul_in_url(request)
    request.state.account_id = account_id
    return account_id


def account_for_create(request: Request) -> str:
    """:func:`account` for a create call, which also spends one of the account's request-rate tokens
    (1302, HTTP 429 when none is left): only creates count, as upstream's concurrency rules say."""
    account_id = account(request)
    state(request).rate.check(account_id)
    return account_id


def refuse_nul_in_url(request: Request) -> None:
    """1201 naming the path or query parameter that holds a NUL (``%00``): PostgreSQL cannot compare text
    with one, so a look-up by such an id would fail with a 500 instead of a clear refusal. URL decoding
    replaces invalid UTF-8, so NUL is the only such character a URL can carry."""
    if "\x00" not in request.scope.get("path", "") and b"%00" not in request.scope.get("query_string", b""):
        return
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if "\x00" in name or "\x00" in str(value):
            raise invalid(name.replace("\x00", "\\x00"), NUL_RULE)
