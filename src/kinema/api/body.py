"""Reading request bodies with a size cap, so a huge upload is refused before it is buffered whole."""

from __future__ import annotations

from fastapi import Request

from kinema.contract.errors import Code, KlingError


async def read_body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise KlingError(Code.BAD_REQUEST, f"request body: larger than {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise KlingError(Code.BAD_REQUEST, f"request body: larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
