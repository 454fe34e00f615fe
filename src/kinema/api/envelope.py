"""The reply envelope of every response: ``{code, message, request_id, data?}`` (spec §1, §8).

``request_id`` is made per request by the middleware and also sent as the ``X-Request-Id`` header.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from kinema.contract.errors import HTTP_STATUS, Code, KlingError

REQUEST_ID_HEADER = "X-Request-Id"


def new_request_id() -> str:
    return str(uuid.uuid4())


def request_id_of(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if not rid:
        rid = new_request_id()
        request.state.request_id = rid
    return str(rid)


def ok(request: Request, data: Any) -> JSONResponse:
    rid = request_id_of(request)
    return JSONResponse(
        {"code": 0, "message": "SUCCEED", "request_id": rid, "data": data}, headers={REQUEST_ID_HEADER: rid}
    )


def error(request: Request, code: Code, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    rid = request_id_of(request)
    return JSONResponse(
        {"code": int(code), "message": message, "request_id": rid},
        status_code=HTTP_STATUS[code],
        headers={REQUEST_ID_HEADER: rid, **(headers or {})},
    )


def from_exception(request: Request, exc: KlingError) -> JSONResponse:
    headers = {"Retry-After": "1"} if exc.http_status == 429 else None
    return error(request, exc.code, exc.message, headers)
