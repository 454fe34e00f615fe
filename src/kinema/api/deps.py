"""Request-scoped helpers shared by the routers: the runtime, the caller's account, the limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.security import HTTPBearer
from pydantic import BaseModel

from kinema.accounts.policy import check_can_spend
from kinema.api.blocking import db_call
from kinema.api.body import NUL_RULE
from kinema.contract.errors import Code, KlingError, invalid
from kinema.contract.prices import price_hundredths
from kinema.db.engine import now_ms

if TYPE_CHECKING:
    from kinema.api.state import AppState

#: Refusals by the account's own rules, which give the create's rate token back.
REFUNDED_CODES = frozenset({Code.ARREARS, Code.RESOURCE_PACK_DEPLETED})

bearer_scheme = HTTPBearer(
    auto_error=False, description="An API key (sk-…) or an HS256 JWT signed with AK/SK."
)


def state(request: Request) -> AppState:
    st: AppState = request.app.state.kinema
    return st


def account(request: Request) -> str:
    """Authenticate the caller; the account id, or a KlingError (401/400, or 1304 when the account has an
    IP allow-list that the caller's address is not on). Queries, lists, cancels and the extension views
    never count against the request rate: upstream documents no QPS limit on queries."""
    st = state(request)
    account_id = st.auth.authenticate(request.headers.get("authorization"))
    st.ip_rules.check(account_id, request.client.host if request.client else None)
    refuse_nul_in_url(request)
    request.state.account_id = account_id
    return account_id


def account_for_create(request: Request) -> str:
    """:func:`account` for a create call, which also spends one of the account's request-rate tokens
    (1302, HTTP 429 when none is left): only creates count, as upstream's concurrency rules say. A create
    the account's rules then refuse (1101, 1102) gives its token back (:func:`give_back_token`)."""
    account_id = account(request)
    state(request).rate.check(account_id)
    request.state.rate_token_of = account_id
    return account_id


def give_back_token(request: Request, exc: KlingError) -> None:
    """Return the request-rate token of a create refused by its account's rules (arrears, budget): the
    refusal did no work, and a client told to settle its account must not be rate-limited as well."""
    spender = getattr(request.state, "rate_token_of", None)
    if spender and exc.code in REFUNDED_CODES:
        request.state.rate_token_of = None
        state(request).rate.give_back(spender)


def check_budget(request: Request, account_id: str, kind: str, req: BaseModel) -> None:
    """1101/1102 before any input of the create is fetched: the price is known from the request alone.
    The create's own transaction checks again (:func:`kinema.accounts.policy.check_can_spend`): this early
    answer saves the downloads, that one is what holds under concurrent creates."""
    rt = state(request).rt
    need = price_hundredths(kind, req.model_dump(mode="json"))
    with rt.db.read() as session:
        check_can_spend(session, account_id, need, now=now_ms())


async def check_budget_early(request: Request, account_id: str, kind: str, req: BaseModel) -> None:
    """:func:`check_budget` in a thread, for accounts that can be refused for money at all (arrears or a
    unit budget, per the rules cache): most accounts have neither, and their creates skip the database
    read and the thread hop (measured: bench/api_bench.py)."""
    if state(request).ip_rules.may_refuse_spending(account_id):
        await db_call(state(request).rt, check_budget, request, account_id, kind, req)


def refuse_nul_in_url(request: Request) -> None:
    """1201 naming the path or query parameter that holds a NUL (``%00``): PostgreSQL cannot compare text
    with one, so a look-up by such an id would fail with a 500 instead of a clear refusal. URL decoding
    replaces invalid UTF-8, so NUL is the only such character a URL can carry."""
    if "\x00" not in request.scope.get("path", "") and b"%00" not in request.scope.get("query_string", b""):
        return
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if "\x00" in name or "\x00" in str(value):
            raise invalid(name.replace("\x00", "\\x00"), NUL_RULE)
