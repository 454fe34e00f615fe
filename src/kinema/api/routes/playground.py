"""The playground's routes: the page at ``/``, its static modules, and the description its forms come from.

None of them is part of the Kling API, so none is in the OpenAPI document. The development key goes into
the description only for a caller on this machine's loopback that came through no proxy and asked for a
loopback host name: a reverse proxy on the same host would make every visitor look local, and it announces
itself with forwarding headers (uvicorn already replaces the peer by ``X-Forwarded-For``'s client when the
proxy is trusted).
"""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from kinema.accounts.devkey import read_dev_key
from kinema.api import envelope
from kinema.api.deps import state
from kinema.api.playground import STATIC_DIR
from kinema.api.playground.describe import describe

STATIC_PATH = "/playground/static"
DESCRIPTION_PATH = "/playground/description"
_FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host")
_NO_STORE = {"Cache-Control": "no-store"}


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name, or "testclient"
        return False


def is_local_caller(request: Request) -> bool:
    """Whether the caller sits on this machine: a loopback peer, no proxy in between, and a page loaded from
    a loopback name. The last rule stops DNS rebinding: a site whose name an attacker points at 127.0.0.1
    would otherwise be same-origin with this route in the victim's browser and could read the key."""
    if request.client is None or any(h in request.headers for h in _FORWARDING_HEADERS):
        return False
    host = request.url.hostname or ""
    return _is_loopback(request.client.host) and (host == "localhost" or _is_loopback(host))


def router() -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/")
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @r.get(DESCRIPTION_PATH)
    def description(request: Request) -> JSONResponse:
        st = state(request)
        key = read_dev_key(st.rt.settings.data_dir) if is_local_caller(request) else None
        reply = envelope.ok(request, describe(st.limits, key))
        reply.headers.update(_NO_STORE)
        return reply

    return r


def install(app: FastAPI) -> None:
    """Mount the page, its description and its static files on ``app``."""
    app.include_router(router())
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="playground-static")
