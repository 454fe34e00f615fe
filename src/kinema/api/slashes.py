"""Trailing slashes: ``POST /v1/videos/image2video/`` is the same route as ``POST /v1/videos/image2video``.

The official examples write create paths with a trailing slash. Starlette's default answer to that is a 307
redirect, and clients that do not follow redirects on POST (httpx's default) then get an empty reply. Routing
on a path normalised before the router sees it serves both spellings with no redirect, and keeps each route
once in the OpenAPI document (registering a second, hidden route per path would double the route table).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class TrailingSlashMiddleware:
    """Pure ASGI: strip trailing slashes from ``path`` and ``raw_path`` of HTTP requests (never ``/``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = {**scope, "path": path.rstrip("/") or "/"}
                raw = scope.get("raw_path")
                if isinstance(raw, bytes) and raw.endswith(b"/"):
                    scope["raw_path"] = raw.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)
