"""Result downloads at signed, expiring URLs, with HTTP Range (browsers and players seek with it)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from kinema.api import envelope
from kinema.api.deps import state
from kinema.api.openapi import error_responses
from kinema.contract.errors import Code

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")

#: The types results are stored with (the storage's pinned table); anything else gets its extension's type.
RESULT_TYPES = ("video/mp4", "audio/mpeg", "audio/wav")
_BYTES = {"schema": {"type": "string", "format": "binary"}}
DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The whole file", "content": {t: _BYTES for t in RESULT_TYPES}},
    206: {
        "description": "The requested byte range (Content-Range)",
        "content": {t: _BYTES for t in RESULT_TYPES},
    },
    416: {"description": "Range not satisfiable: no body, Content-Range gives the size"},
    **error_responses(401, 404),
}


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(start, end) inclusive; None for no/ignored Range; "unsatisfiable" for a range past the end."""
    if not header:
        return None
    m = RANGE_RE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None  # multi-range or garbage: serve the whole file (allowed by RFC 9110)
    if not m.group(1):  # suffix: last N bytes
        n = int(m.group(2))
        if n == 0:
            return "unsatisfiable"
        return max(size - n, 0), size - 1
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)


def router() -> APIRouter:
    r = APIRouter(tags=["files"])

    @r.head("/files/{key:path}", include_in_schema=False)
    @r.get(
        "/files/{key:path}",
        summary="Download a result (signed URL); HEAD works too",
        response_class=Response,
        responses=DOWNLOAD_RESPONSES,
    )
    def download(request: Request, key: str, exp: int = Query(0), sig: str = Query("")) -> Response:
        st = state(request)
        if not st.rt.urls.verify(key, exp, sig):
            return envelope.error(request, Code.AUTH_FAILED, "file URL signature is invalid or expired")
        return serve_blob(request, key)

    return r


def serve_blob(request: Request, key: str) -> Response:
    """The stored blob ``key`` (whole, or the Range asked for; HEAD gives the headers only), once the caller
    has checked that the request may have it."""
    st = state(request)
    info = st.rt.storage.info(key)
    if info is None:
        return envelope.error(request, Code.NOT_FOUND, "file not found (it may have expired)")
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600"}
    rng = parse_range(request.headers.get("range"), info.size)
    if rng == "unsatisfiable":
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{info.size}"})
    start, end = rng if isinstance(rng, tuple) else (0, info.size - 1)
    status = 206 if isinstance(rng, tuple) else 200
    if isinstance(rng, tuple):
        headers["Content-Range"] = f"bytes {start}-{end}/{info.size}"
    headers["Content-Length"] = str(max(end - start + 1, 0))
    if request.method == "HEAD" or info.size == 0:
        return Response(status_code=status, headers=headers, media_type=info.content_type)
    return StreamingResponse(
        st.rt.storage.open_range(key, start, end),
        status_code=status,
        headers=headers,
        media_type=info.content_type,
    )
