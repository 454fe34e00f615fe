"""Every Prometheus series kinema exports, and the one place that defines them.

Callers record through the functions below (``task_created(kind, mode)``…), never through the metric
objects, so a name, a label or a bucket is written once. Values live in the deployment's multiprocess
folder (:mod:`kinema.observe.multiproc`): :func:`configure` runs at process start, before any value is
recorded (``kinema.runtime.build_runtime`` calls it: API processes, workers before they fork, CLI commands
alike); ``GET /metrics`` (:func:`render`) adds up every
process of the deployment on this host.

Label values are bounded sets (kinds, modes, outcomes, route templates, fixed reasons): never ids or URLs.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from kinema.observe import multiproc
from kinema.settings import Settings

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
HTTP_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
STAGE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)


@dataclass(frozen=True)
class _Series:
    tasks_created: Counter
    tasks_finished: Counter
    queue_wait: Histogram
    task_run: Histogram
    stage: Histogram
    webhook_attempts: Counter
    fetch_failures: Counter
    http_requests: Counter
    http_latency: Histogram


def _define() -> _Series:
    """Fresh metric objects (registered nowhere: the multiprocess collector reads their files)."""
    return _Series(
        tasks_created=Counter(
            "kinema_tasks_created", "Tasks accepted, by kind and mode.", ["kind", "mode"], registry=None
        ),
        tasks_finished=Counter(
            "kinema_tasks_finished",
            "Tasks that reached a final state: outcome succeed, failed or cancelled.",
            ["kind", "mode", "outcome"],
            registry=None,
        ),
        queue_wait=Histogram(
            "kinema_task_queue_wait_seconds",
            "From create to the first claim by a worker.",
            ["kind", "lane"],
            buckets=TASK_BUCKETS,
            registry=None,
        ),
        task_run=Histogram(
            "kinema_task_run_seconds",
            "From the first claim to the final state (retries included).",
            ["kind", "mode", "outcome"],
            buckets=TASK_BUCKETS,
            registry=None,
        ),
        stage=Histogram(
            "kinema_engine_stage_seconds",
            "Time in one stage of a job: engine (the executor as a whole) and the engine's own stages.",
            ["kind", "stage"],
            buckets=STAGE_BUCKETS,
            registry=None,
        ),
        webhook_attempts=Counter(
            "kinema_webhook_attempts",
            "Callback delivery attempts: delivered, retry (failed, another attempt is scheduled) or "
            "dead (failed, no attempt left).",
            ["result"],
            registry=None,
        ),
        fetch_failures=Counter(
            "kinema_input_fetch_failures",
            "Media URLs that could not be fetched, by reason.",
            ["reason"],
            registry=None,
        ),
        http_requests=Counter(
            "kinema_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=None,
        ),
        http_latency=Histogram(
            "kinema_http_request_duration_seconds",
            "HTTP request latency, until the last byte of the reply is sent.",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
            registry=None,
        ),
    )


_series = _define()
_folder: Path | None = None


RAM_FOLDER = Path("/dev/shm")


def metrics_folder(settings: Settings) -> Path:
    """``KINEMA_METRICS_DIR``, else a folder of this deployment (named after its data folder) in RAM.

    Not under the data folder by default: prometheus-client memory-maps its value files and grows them
    sparsely, so when their disk is full the first write to a new page kills the process with SIGBUS — a full
    data disk must give 5001 answers, not a dead API (tests/api/test_disk_full.py). ``/dev/shm`` is the tmpfs
    the client's own docs suggest; without it (not Linux), ``<data_dir>/metrics``."""
    if settings.metrics_dir is not None:
        return settings.metrics_dir.resolve()
    data = settings.data_dir.resolve()
    if RAM_FOLDER.is_dir() and os.access(RAM_FOLDER, os.W_OK):
        tag = hashlib.sha256(str(data).encode()).hexdigest()[:16]
        return RAM_FOLDER / f"kinema-metrics-{tag}"
    return data / "metrics"


def configure(settings: Settings) -> Path:
    """Write this process's values into the deployment's folder. The first call wins for the process (a
    test process builds many apps; the values recorded so far stay where they are)."""
    global _folder, _series
    if _folder is not None:
        return _folder
    folder = metrics_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    values.ValueClass = values.MultiProcessValue()
    _series = _define()  # children made before this point were in memory only
    _folder = folder
    try:
        multiproc.compact(folder)
    except OSError:
        log.warning("could not compact the metrics folder %s", folder, exc_info=True)
    return folder


def render(extra: Iterable[Collector] = ()) -> bytes:
    """The text exposition of every process of the deployment on this host, plus ``extra`` collectors
    (figures read at scrape time, such as the queue depth)."""
    if _folder is None:
        raise RuntimeError("kinema.observe.metrics.configure() was not called in this process")
    multiproc.compact_now_and_then(_folder)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(_folder))
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


def serve_http(port: int) -> None:
    """Serve :func:`render` on ``port`` from a daemon thread (a worker host without an API process)."""
    if _folder is None:
        raise RuntimeError("kinema.observe.metrics.configure() was not called in this process")
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(_folder))
    start_http_server(port, registry=registry)
    log.info("metrics of %s served on port %d", _folder, port)


def _mode(mode: object) -> str:
    return str(mode) if mode else "none"


def task_created(kind: str, mode: object) -> None:
    _series.tasks_created.labels(kind, _mode(mode)).inc()


def task_finished(kind: str, mode: object, outcome: str, run_s: float | None) -> None:
    """``run_s``: from the first claim to now (None for a task that never ran, e.g. cancelled queued)."""
    _series.tasks_finished.labels(kind, _mode(mode), outcome).inc()
    if run_s is not None:
        _series.task_run.labels(kind, _mode(mode), outcome).observe(max(0.0, run_s))


def task_started(kind: str, lane: str, waited_s: float) -> None:
    _series.queue_wait.labels(kind, lane).observe(max(0.0, waited_s))


def stage_time(kind: str, stage: str, seconds: float) -> None:
    _series.stage.labels(kind, stage).observe(max(0.0, seconds))


def webhook_attempt(result: str) -> None:
    _series.webhook_attempts.labels(result).inc()


def fetch_failure(reason: str) -> None:
    _series.fetch_failures.labels(reason).inc()


def http_request(method: str, route: str, status: int, seconds: float) -> None:
    _series.http_requests.labels(method, route, str(status)).inc()
    _series.http_latency.labels(method, route).observe(seconds)
