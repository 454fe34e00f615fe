"""Pure ASGI middleware (Starlette's ``BaseHTTPMiddleware`` costs a task and a queue per request).

Every reply gets ``X-Request-Id`` — the same id as the body's ``request_id`` — and an exception that escaped
every handler still becomes the Kling envelope instead of a bare 500: code 5001 (HTTP 503) with
"no space left on device" when the disk or quota is full — whichever layer hit it, and the client should
come back later — else 5000 with a fixed message (never the exception's text).
"""

from __future__ import annotations

import logging
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinema.api import envelope
from kinema.contract.errors import Code
from kinema.observe import logs, metrics
from kinema.storage.space import NO_SPACE_MESSAGE, is_out_of_space

log = logging.getLogger("kinema.api")
NO_SPACE_REPLY = f"{NO_SPACE_MESSAGE}: the server cannot store this request now; try again later"


def route_template(scope: Scope) -> str:
    """The matched route's path with its parameters as ``{name}``, prefix included
    (``/v1/audio/tts/{task_id}``): a label of bounded cardinality. ``unmatched`` for a path no route has.
    Built from the path, because a route of an included router knows its path without the prefix."""
    if "route" not in scope:
        return "unmatched"
    path: str = scope["path"]
    for name, value in (scope.get("path_params") or {}).items():
        text = str(value)
        at = path.rfind("/" + text)
        if text and at >= 0:
            path = f"{path[: at + 1]}{{{name}}}{path[at + 1 + len(text):]}"
    return path


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = envelope.new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        token = logs.request_id.set(rid)
        header = (envelope.REQUEST_ID_HEADER.lower().encode(), rid.encode())
        started = False
        status = 500
        began = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != header[0]]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            await self._answer_error(scope, receive, send_with_id, exc, started)
        finally:
            metrics.http_request(scope["method"], route_template(scope), status, time.perf_counter() - began)
            logs.request_id.reset(token)

    @staticmethod
    async def _answer_error(
        scope: Scope, receive: Receive, send: Send, exc: Exception, started: bool
    ) -> None:
        """The envelope for an exception no handler took (re-raised when the reply has already begun)."""
        if started:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            raise exc
        if is_out_of_space(exc):
            # One line, no traceback: on a full disk the log file is often on that disk too.
            log.error("no space left on device on %s %s", scope.get("method"), scope.get("path"))
            response = envelope.error(Request(scope), Code.UNAVAILABLE, NO_SPACE_REPLY)
        else:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            response = envelope.error(Request(scope), Code.INTERNAL, "internal server error")
        await response(scope, receive, send)
