"""``GET /account/costs`` (also ``/kling/account/costs``): the caller's resource packs, made from its unit
budget (:mod:`kinema.accounts.packs`). A query: it never spends a request-rate token."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Security
from fastapi.responses import JSONResponse

from kinema.accounts.packs import account_costs
from kinema.api import envelope
from kinema.api.blocking import db_call
from kinema.api.deps import account, bearer_scheme, state
from kinema.api.openapi import ERROR_RESPONSES, reply
from kinema.contract.account import COSTS_PATHS, TOLERATED_COSTS_PATHS, parse_costs_query
from kinema.contract.responses import AccountCostsReply


def _costs(
    request: Request, start_time: str | None, end_time: str | None, resource_pack_name: str | None
) -> JSONResponse:
    account_id = account(request)
    query = parse_costs_query(start_time, end_time, resource_pack_name)
    data = account_costs(
        state(request).rt.db, account_id, query.start_time, query.end_time, query.resource_pack_name
    )
    return envelope.ok(request, data)


def router() -> APIRouter:
    r = APIRouter(tags=["account"], dependencies=[Security(bearer_scheme)], responses=ERROR_RESPONSES)

    async def costs(
        request: Request,
        start_time: str | None = Query(None, description="Required: Unix time in milliseconds."),
        end_time: str | None = Query(None, description="Required: Unix time in milliseconds, >= start_time."),
        resource_pack_name: str | None = Query(None, description="Only the pack of this name."),
    ) -> JSONResponse:
        return await db_call(state(request).rt, _costs, request, start_time, end_time, resource_pack_name)

    for path in COSTS_PATHS:
        r.add_api_route(
            path,
            costs,
            methods=["GET"],
            summary="Resource packs of the account: its unit budget and what is left (docs/accounts.md)",
            responses=reply(AccountCostsReply),
        )
    for path in TOLERATED_COSTS_PATHS:
        r.add_api_route(path, costs, methods=["GET"], include_in_schema=False)
    return r
