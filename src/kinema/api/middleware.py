"""Pure ASGI middleware (Starlette's ``BaseHTTPMiddleware`` costs a task and a queue per request).

Every reply gets ``X-Request-Id`` — the same id as the body's ``request_id`` — and an exception that escaped
every handler still becomes the Kling envelope instead of a bare 500: code 5001 (HTTP 503) with
"no space left on device" when the disk or quota is full — whichever layer hit it, and the client should
come back later — else 5000 with a fixed message (never the exception's text).
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinema.api import envelope
from kinema.contract.errors import Code
from kinema.storage.space import NO_SPACE_MESSAGE, is_out_of_space

log = logging.getLogger("kinema.api")
NO_SPACE_REPLY = f"{NO_SPACE_MESSAGE}: the server cannot store this request now; try again later"


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
        except Exception as exc:
            if started:
                log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
                raise
            if is_out_of_space(exc):
                # One line, no traceback: on a full disk the log file is often on that disk too.
                log.error("no space left on device on %s %s", scope.get("method"), scope.get("path"))
                response = envelope.error(Request(scope), Code.UNAVAILABLE, NO_SPACE_REPLY)
            else:
                log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
                response = envelope.error(Request(scope), Code.INTERNAL, "internal server error")
            await response(scope, receive, send_with_id)
