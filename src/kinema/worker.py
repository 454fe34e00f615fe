"""``kinema worker``: the Huey consumer with process workers, plus the service threads of the job system.

A worker consumes one lane's queue (:class:`~kinema.contract.vocabulary.Lane`): ``kinema worker`` the CPU
work, ``kinema worker --gpu`` (one process) the tasks that run on a generative pipeline.

This is the worker's composition root, the one place that knows both the queue and the job system: it
hands :func:`kinema.jobs.runner.run_task` to the queue as the doorbell's handler and starts the reaper,
callback sender and retention sweeper. Neither ``queue`` nor ``jobs`` imports the other.

Process workers (``-k process``) so a crash or a SIGKILL takes down one job, not the pool; the consumer
replaces a dead worker within a second. Queue polling is short (≤ 0.5 s between polls when idle) so an idle
worker picks up a new task within a second. The reaper, the callback sender and the retention sweeper are
threads of the consumer's main process, started after the workers are forked. Each worker process loads the
models of ``settings.warm_kinds`` (default: the avatar's) in the background as it starts.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from huey.consumer import ConsumerStopped

from kinema.contract.vocabulary import Lane
from kinema.jobs.reaper import requeue_submitted, run_reaper
from kinema.jobs.registry import warm_up
from kinema.jobs.retention import run_sweeper
from kinema.jobs.runner import run_task
from kinema.observe import logs, metrics
from kinema.queue.app import get_queue, set_handler
from kinema.runtime import Runtime, build_runtime
from kinema.settings import Settings
from kinema.webhooks.sender import run_sender

log = logging.getLogger(__name__)

POLL_INITIAL_S = 0.1
POLL_MAX_S = 0.5
HEALTH_CHECK_S = 1.0


def worker_name() -> str:
    """``host:pid``: the reaper reads it back to tell a dead local worker from a slow remote one."""
    return f"{socket.gethostname()}:{os.getpid()}"


class RunTasks:
    """The doorbell's handler: run the task in this process, on this process's own runtime.

    The runtime is built on first use in each process (so after the fork, never inherited: database
    connections must not cross a fork) and kept for the process's later jobs."""

    def __init__(self, settings: Settings, lane: Lane = Lane.CPU) -> None:
        self.settings = settings
        self.lane = lane
        self._runtime: tuple[int, Runtime] | None = None

    def runtime(self) -> Runtime:
        pid = os.getpid()
        if self._runtime is None or self._runtime[0] != pid:
            self._runtime = (pid, build_runtime(self.settings, migrate=False))
        return self._runtime[1]

    def __call__(self, task_id: str) -> None:
        with logs.task_context(task_id):
            run_task(self.runtime(), task_id, worker_name(), self.lane)


def _thread(
    name: str, target: Callable[[Runtime, threading.Event], None], rt: Runtime, stop: threading.Event
) -> threading.Thread:
    t = threading.Thread(target=target, args=(rt, stop), name=name, daemon=True)
    t.start()
    return t


IDLE_THREADS_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}
"""OpenMP threads (ctranslate2's, under Whisper's language ID) sleep when idle instead of spinning: on two
cores the spinning threads took the cores from the job's other threads (hama, the face) — ≈ 1 CPU s per
avatar job (docs/avatar.md "Speed"). An operator's own value wins."""


def quiet_idle_threads() -> None:
    """Set :data:`IDLE_THREADS_ENV` in this process (before any OpenMP runtime loads, so it takes effect)."""
    for name, value in IDLE_THREADS_ENV.items():
        os.environ.setdefault(name, value)


def _warm_up_in_background(settings: Settings) -> None:
    """In each worker process as it starts: load the models of ``settings.warm_kinds`` in a thread, so the
    process takes tasks at once and its first task of those kinds does not pay the model loads."""
    threading.Thread(target=warm_up, args=(settings.warm_kinds, settings), name="kinema-warm-up",
                     daemon=True).start()


def run_worker(settings: Settings, workers: int, lane: Lane = Lane.CPU) -> None:
    """Run until SIGINT (graceful: running jobs finish) or SIGTERM (running jobs are handed back to the
    queue at once, without spending an attempt). ``lane``: the queue consumed (a GPU worker is one process,
    so one generative job at a time on its device, its pipeline kept warm between tasks)."""
    logs.configure_logging(settings.log_format, settings.log_level)
    quiet_idle_threads()
    rt = build_runtime(settings)  # before the fork: job processes write to the deployment's metrics folder
    if settings.worker_metrics_port:
        metrics.serve_http(settings.worker_metrics_port)
    set_handler(RunTasks(settings, lane))
    huey, _ = get_queue(settings, lane)
    if lane == Lane.CPU and settings.warm_kinds:
        huey.on_startup("kinema-warm-up")(lambda: _warm_up_in_background(settings))
    consumer = huey.create_consumer(
        workers=max(1, workers),
        worker_type="process",
        periodic=False,
        initial_delay=POLL_INITIAL_S,
        backoff=1.15,
        max_delay=POLL_MAX_S,
        check_worker_health=True,
        health_check_interval=HEALTH_CHECK_S,
    )
    consumer.start()  # fork the workers before this process has any other thread
    n = requeue_submitted(rt, (lane,))
    huey.storage.close()  # workers re-forked later must not inherit this thread's queue connection
    log.info("kinema worker: %d process workers, %s lane, %d queued tasks re-enqueued", workers, lane, n)
    stop = threading.Event()
    threads = [
        _thread("kinema-reaper", run_reaper, rt, stop),
        _thread("kinema-webhooks", run_sender, rt, stop),
        _thread("kinema-retention", run_sweeper, rt, stop),
    ]
    health = time.monotonic()
    try:
        while True:
            try:
                health = consumer.loop(health)
            except ConsumerStopped:
                break
        huey.notify_interrupted_tasks()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=5)
        rt.close()
        log.info("kinema worker stopped")
