"""Pure ASGI middleware (Starlette's ``BaseHTTPMiddleware`` costs a task and a queue per request).

Every reply gets ``X-Request-Id`` — the same id as the body's ``request_id`` — and an exception that escaped
every handler still becomes the Kling envelope (code 5000) instead of a bare 500.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinema.api import envelope
from kinema.contract.errors import Code

log = logging.getLogger("kinema.api")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = envelope.new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        header = (envelope.REQUEST_ID_HEADER.lower().encode(), rid.encode())
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [h for h in message.get("headers", []) if h[0].lower() != header[0]]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = envelope.error(Request(scope), Code.INTERNAL, "internal server error")
            await response(scope, receive, send_with_id)
