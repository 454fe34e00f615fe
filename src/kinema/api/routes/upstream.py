"""``POST /upstream/callbacks/{task_id}/{token}``: where an upstream Kling reports on a task kinema forwarded.

Not part of the client API (hidden from the OpenAPI document): the upstream calls it, authenticated by the
per-task token in the path (:mod:`kinema.upstream.callbacks`). The body is not trusted: a callback only
counts, which makes the worker following the task poll the upstream at once (docs/gateway.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kinema.api import envelope
from kinema.api.blocking import db_write_call
from kinema.api.deps import state
from kinema.contract.errors import Code
from kinema.jobs.upstream import note_callback
from kinema.upstream.callbacks import PATH, valid


def router() -> APIRouter:
    r = APIRouter()

    @r.post(PATH + "/{task_id}/{token}", include_in_schema=False)
    async def upstream_callback(request: Request, task_id: str, token: str) -> JSONResponse:
        rt = state(request).rt
        if not valid(rt.settings.signing_key(), task_id, token):
            return envelope.error(request, Code.AUTH_FAILED, "upstream callback token is invalid")
        counted = await db_write_call(rt, note_callback, rt, task_id)
        return envelope.ok(request, {"task_id": task_id, "counted": counted})

    return r
