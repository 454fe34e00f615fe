"""Request-scoped helpers shared by the routers: the runtime, the caller's account, the limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.security import HTTPBearer

if TYPE_CHECKING:
    from kinema.api.state import AppState

bearer_scheme = HTTPBearer(
    auto_error=False, description="An API key (sk-…) or an HS256 JWT signed with AK/SK."
)


def state(request: Request) -> AppState:
    st: AppState = request.app.state.kinema
    return st


def account(request: Request) -> str:
    """Authenticate the caller and apply its rate limit; the account id, or a KlingError (401/429)."""
    st = state(request)
    account_id = st.auth.authenticate(request.headers.get("authorization"))
    st.rate.check(account_id)
    request.state.account_id = account_id
    return account_id
