"""The operator's routes: ``/healthz`` (liveness), ``/readyz`` (readiness) and ``/metrics`` (Prometheus).

Liveness answers while the process and its database do: a load balancer restarts a process that fails it.
Readiness says whether this node should get traffic now: the database, the queue and the storage each
answered a cheap call, and the CPU lane holds no more waiting tasks than ``KINEMA_READY_MAX_QUEUE_DEPTH``
(past it the workers are behind, and new work would only wait longer; 503 with code 5001 names what is
wrong). ``/metrics`` adds up the values of every process of the deployment on this host
(:mod:`kinema.observe.metrics`) and reads the queue figures from the database at scrape time.

None of these routes needs a key: they expose no account's data (the queue figures are totals, as any
operator dashboard shows them); put them behind the reverse proxy's allow-list (docs/deployment.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text

from kinema import __version__
from kinema.api import envelope, openapi
from kinema.api.blocking import db_call
from kinema.api.deps import state
from kinema.contract.errors import Code
from kinema.contract.ops_replies import ReadyReply
from kinema.contract.responses import HealthReply
from kinema.contract.vocabulary import Lane, TaskStatus
from kinema.db.engine import now_ms
from kinema.db.models import Task
from kinema.observe import metrics
from kinema.runtime import Runtime

PROBE_KEY = "kinema-readyz-probe"
METRICS_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "Prometheus text exposition format 0.0.4",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


def router() -> APIRouter:
    r = APIRouter(tags=["health"])

    @r.get(
        "/healthz",
        summary="Liveness: the API answers and the database is reachable",
        responses={**openapi.reply(HealthReply), **openapi.error_responses(500)},
    )
    async def healthz(request: Request) -> JSONResponse:
        rt = state(request).rt
        await db_call(rt, _ping, rt)
        return envelope.ok(request, {"status": "ok", "version": __version__, "pid": os.getpid()})

    @r.get(
        "/readyz",
        summary="Readiness: database, queue and storage reachable, and the queue not overloaded",
        responses={**openapi.reply(ReadyReply), **openapi.error_responses(503)},
    )
    async def readyz(request: Request) -> JSONResponse:
        rt = state(request).rt
        depth, failures = await db_call(rt, readiness, rt)
        limit = rt.settings.ready_max_queue_depth
        if limit and depth > limit:
            failures.append(
                f"overloaded: {depth} tasks wait, more than {limit} (KINEMA_READY_MAX_QUEUE_DEPTH)"
            )
        if failures:
            return envelope.error(request, Code.UNAVAILABLE, "not ready: " + "; ".join(failures))
        checks = {"database": "ok", "queue": "ok", "storage": "ok"}
        data = {"status": "ready", "checks": checks, "queue_depth": depth, "max_queue_depth": limit}
        return envelope.ok(request, data)

    @r.get(
        "/metrics",
        summary="Prometheus metrics of this deployment's processes on this host",
        response_class=Response,
        responses=METRICS_RESPONSES,
    )
    async def metrics_text(request: Request) -> Response:
        rt = state(request).rt
        body = await db_call(rt, metrics.render, [QueueCollector(rt)])
        return Response(body, media_type=metrics.CONTENT_TYPE)

    return r


def _ping(rt: Runtime) -> None:
    with rt.db.read() as session:
        session.execute(text("SELECT 1"))


def readiness(rt: Runtime) -> tuple[int, list[str]]:
    """(CPU tasks waiting, the dependencies that failed): each check is one cheap call, its error named
    but not quoted (an exception's text can hold a password of a URL)."""
    failures: list[str] = []
    depth = 0
    try:
        depth = _waiting(rt).get(Lane.CPU, (0, None))[0]
    except Exception as exc:
        failures.append(f"database unreachable ({type(exc).__name__})")
    try:
        rt.doorbell.pending(Lane.CPU)
    except Exception as exc:
        failures.append(f"queue unreachable ({type(exc).__name__})")
    try:
        rt.storage.info(PROBE_KEY)
    except Exception as exc:
        failures.append(f"storage unreachable ({type(exc).__name__})")
    return depth, failures


def _waiting(rt: Runtime) -> dict[str, tuple[int, int | None]]:
    """Per lane: submitted tasks and the oldest one's ``created_at``."""
    stmt = (
        select(Task.lane, func.count(), func.min(Task.created_at))
        .where(Task.status == TaskStatus.SUBMITTED)
        .group_by(Task.lane)
    )
    with rt.db.read() as session:
        return {str(lane): (int(n), oldest) for lane, n, oldest in session.execute(stmt).all()}


def _running(rt: Runtime) -> dict[str, int]:
    stmt = select(Task.lane, func.count()).where(Task.status == TaskStatus.PROCESSING).group_by(Task.lane)
    with rt.db.read() as session:
        return {str(lane): int(n) for lane, n in session.execute(stmt).all()}


class QueueCollector(Collector):
    """Queue figures read at scrape time (one process's gauge would be wrong with several processes)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[GaugeMetricFamily]:
        waiting, running, now = _waiting(self.rt), _running(self.rt), now_ms()
        depth = GaugeMetricFamily(
            "kinema_queue_depth", "Tasks waiting for a worker (submitted).", labels=["lane"]
        )
        busy = GaugeMetricFamily(
            "kinema_tasks_running", "Tasks being worked on (processing).", labels=["lane"]
        )
        oldest = GaugeMetricFamily(
            "kinema_queue_oldest_wait_seconds",
            "Age of the oldest waiting task (0: none waits).",
            labels=["lane"],
        )
        rings = GaugeMetricFamily(
            "kinema_queue_pending_messages",
            "Doorbell messages in the lane's queue (Redis or SQLite).",
            labels=["lane"],
        )
        for lane in Lane:
            count, first = waiting.get(lane, (0, None))
            depth.add_metric([lane], count)
            busy.add_metric([lane], running.get(lane, 0))
            oldest.add_metric([lane], max(0.0, (now - first) / 1000) if first else 0.0)
            rings.add_metric([lane], self.rt.doorbell.pending(lane))
        yield from (depth, busy, oldest, rings)
