"""The queued task kinds: create, query (by id or external id), list, cancel, queue, callbacks.

One factory builds the same set of routes for every queued kind of the kind table (avatar, image2video,
video-to-audio), because their wire behaviour is identical apart from what the table row says.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Security
from fastapi.responses import JSONResponse

from kinema.api import envelope
from kinema.api.blocking import db_call, db_write_call
from kinema.api.body import read_body
from kinema.api.callback_url import check_callback_url
from kinema.api.deps import account, account_for_create, bearer_scheme, check_budget_early, state
from kinema.api.inputs import discard_stored_inputs, prepare_inputs
from kinema.api.openapi import ERROR_RESPONSES, body_schema, callbacks_doc, reply
from kinema.contract.errors import Code, KlingError
from kinema.contract.kinds import KindSpec, queued_kinds
from kinema.contract.parsing import parse_page, parse_request
from kinema.contract.responses import TASK_REPLIES, CallbackAttemptsReply, QueueReply
from kinema.contract.tasks import task_object
from kinema.db.models import Task
from kinema.jobs import service
from kinema.jobs.executors.generative import admit
from kinema.jobs.lanes import settle
from kinema.upstream.routes import goes_upstream
from kinema.webhooks.sender import list_attempts


def wire(request: Request, task: Task) -> dict[str, Any]:
    base = str(request.base_url)
    urls = state(request).rt.urls
    return task_object(task, lambda key: urls.url(key, base))


def _not_found(what: str) -> KlingError:
    return KlingError(Code.NOT_FOUND, f"task not found: {what}")


async def _admit(request: Request, account_id: str, kind: str, req: Any) -> None:
    """The checks a valid body still has to pass before anything is stored: the engine that would run it
    (a generative model's controls; no engine for text2video), the account's budget, the callback URL."""
    st = state(request)
    if not goes_upstream(st.rt.settings, kind, req.model_dump()):  # upstream: its models, its rules
        admit(kind, req, st.rt.settings)
    await check_budget_early(request, account_id, kind, req)
    await check_callback_url(getattr(req, "callback_url", None), st.rt.settings)


def make_router(spec: KindSpec) -> APIRouter:  # noqa: C901 -- five routes as closures over one kind
    """The routes of one queued kind, below its path (mounted under every prefix by the app)."""
    kind, path, model, summary = str(spec.kind), spec.path, spec.request, spec.summary
    router = APIRouter(tags=[kind], dependencies=[Security(bearer_scheme)], responses=ERROR_RESPONSES)
    replies = TASK_REPLIES[kind]

    @router.post(
        path,
        summary=f"Create — {summary}",
        openapi_extra={**body_schema(model), **callbacks_doc(replies.callback)},
        responses=reply(replies.one, "The new task (submitted)"),
    )
    async def create(request: Request) -> JSONResponse:
        account_id = account_for_create(request)
        st = state(request)
        raw = await read_body(request, st.max_body_bytes)
        req = parse_request(model, raw, st.limits)
        await _admit(request, account_id, kind, req)
        inputs, params, info = await prepare_inputs(st, account_id, spec, req)
        try:
            req, lane = settle(st.rt, kind, req, params, info)  # the workers that run it (docs/gpu.md)
            task = await db_write_call(
                st.rt,
                service.create_task,
                st.rt,
                account_id=account_id,
                kind=kind,
                params=params,
                inputs=inputs,
                task_info=info,
                external_task_id=getattr(req, "external_task_id", None) or None,
                callback_url=getattr(req, "callback_url", None) or None,
                lane=lane,
            )
        except BaseException:  # refused (1201, 1101-1102, 1303) or failed (full disk, database): keep nothing
            discard_stored_inputs(st.rt, inputs)
            raise
        data = wire(request, task)
        return envelope.ok(request, data)

    def list_or_find_sync(
        request: Request, pageNum: str | None, pageSize: str | None, external_task_id: str | None
    ) -> JSONResponse:
        account_id = account(request)
        st = state(request)
        if external_task_id is not None:
            task = service.get_task(st.rt, account_id, kind, external_task_id=external_task_id)
            if task is None:
                raise _not_found(f"external_task_id {external_task_id!r}")
            return envelope.ok(request, wire(request, task))
        page_num, page_size = parse_page(pageNum, pageSize, st.limits)
        tasks = service.list_tasks(st.rt, account_id, kind, page_num, page_size)
        return envelope.ok(request, [wire(request, t) for t in tasks])

    @router.get(
        path, summary=f"List tasks (or one by ?external_task_id=) — {kind}", responses=reply(replies.page)
    )
    async def list_or_find(
        request: Request,
        pageNum: str | None = Query(None, description="1..1000, default 1"),
        pageSize: str | None = Query(None, description="1..500, default 30"),
        external_task_id: str | None = Query(None),
    ) -> JSONResponse:
        rt = state(request).rt
        return await db_call(rt, list_or_find_sync, request, pageNum, pageSize, external_task_id)

    def lookup(request: Request, task_id: str) -> Task:
        account_id = account(request)
        rt = state(request).rt
        task = service.get_task(rt, account_id, kind, task_id=task_id)
        if task is None:
            task = service.get_task(rt, account_id, kind, external_task_id=task_id)
        if task is None:
            raise _not_found(task_id)
        return task

    def get_one_sync(request: Request, task_id: str) -> JSONResponse:
        return envelope.ok(request, wire(request, lookup(request, task_id)))

    @router.get(
        path + "/{task_id}",
        summary=f"Query one task by task_id or external_task_id — {kind}",
        responses=reply(replies.one),
    )
    async def get_one(request: Request, task_id: str) -> JSONResponse:
        return await db_call(state(request).rt, get_one_sync, request, task_id)

    @router.post(
        path + "/{task_id}/cancel",
        summary=f"Cancel a task (kinema extension) — {kind}",
        responses=reply(replies.one, "The task after the cancel: failed if it was queued, else unchanged"),
    )
    def cancel(request: Request, task_id: str) -> JSONResponse:
        task = lookup(request, task_id)
        cancelled = service.cancel_task(state(request).rt, task.account_id, kind, task.id)
        return envelope.ok(request, wire(request, cancelled or task))

    def queue_sync(request: Request, task_id: str) -> JSONResponse:
        task = lookup(request, task_id)
        return envelope.ok(request, service.queue_view(state(request).rt, task.account_id, task))

    @router.get(
        path + "/{task_id}/queue",
        summary=f"Queue position of a task (kinema extension) — {kind}",
        responses=reply(QueueReply),
    )
    async def queue(request: Request, task_id: str) -> JSONResponse:
        return await db_call(state(request).rt, queue_sync, request, task_id)

    def callbacks_sync(request: Request, task_id: str) -> JSONResponse:
        task = lookup(request, task_id)
        return envelope.ok(request, list_attempts(state(request).rt, task.account_id, task.id))

    @router.get(
        path + "/{task_id}/callbacks",
        summary=f"Callback delivery attempts (kinema extension) — {kind}",
        responses=reply(CallbackAttemptsReply),
    )
    async def callbacks(request: Request, task_id: str) -> JSONResponse:
        return await db_call(state(request).rt, callbacks_sync, request, task_id)

    return router


def routers() -> list[APIRouter]:
    return [make_router(spec) for spec in queued_kinds()]
