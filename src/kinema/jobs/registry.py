"""Which executor runs a task kind: a configured plug-in, else the built-in one its row in the kind table
(:mod:`kinema.contract.kinds`) names.

Plug-ins (``settings.executors``, e.g. ``{"avatar": "mypkg.gpu:execute"}``) win so a GPU engine can replace a
CPU one without touching kinema. An executor that cannot be imported is reported as
:class:`ExecutorUnavailable`; the runner fails the task at once with that reason instead of retrying or
hanging.

Whatever executor a kind has, requests whose ``model_name`` has a generative model configured
(``KINEMA_MODELS``) run on that model instead: :func:`kinema.jobs.executors.generative.routed` wraps it.
"""

from __future__ import annotations

import importlib
import logging
import time

from kinema.contract.kinds import KINDS
from kinema.jobs.executors import generative
from kinema.jobs.executors.base import Executor
from kinema.settings import Settings

log = logging.getLogger(__name__)

#: kind → ``module:function`` of its built-in executor (kinds served inside the request have none).
BUILTIN_EXECUTORS: dict[str, str] = {str(k): spec.executor for k, spec in KINDS.items() if spec.executor}


class ExecutorUnavailable(Exception):
    """No usable executor for a kind; ``str()`` is the client-facing ``task_status_msg``."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"the {kind} engine is not available: {reason}")
        self.kind = kind
        self.reason = reason


def executor_path(kind: str, settings: Settings) -> str:
    """The ``module:function`` that serves ``kind``."""
    if kind in settings.executors:
        return settings.executors[kind]
    if kind in BUILTIN_EXECUTORS:
        return BUILTIN_EXECUTORS[kind]
    raise ExecutorUnavailable(kind, "no executor is registered for this task kind")


def get_executor(kind: str, settings: Settings) -> Executor:
    """Import and return the executor for ``kind`` (raises :class:`ExecutorUnavailable`)."""
    path = executor_path(kind, settings)
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ExecutorUnavailable(kind, f"plug-in {path!r} is not of the form 'module:function'")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or an engine failing at import time
        raise ExecutorUnavailable(kind, f"{type(exc).__name__}: {exc}") from exc
    func = getattr(module, attr, None)
    if not callable(func):
        raise ExecutorUnavailable(kind, f"{module_name} has no callable {attr!r}")
    return generative.routed(kind, settings, func)


def warm_up(kinds: list[str], settings: Settings) -> None:
    """Let each kind's executor load its models now: a module-level ``warm_up()`` next to the executor
    function is called when it has one (built-in and plug-in executors alike). Failures are logged, never
    raised: a job loads what it needs anyway."""
    for kind in kinds:
        try:
            module = importlib.import_module(executor_path(kind, settings).partition(":")[0])
            hook = getattr(module, "warm_up", None)
            if callable(hook):
                started = time.perf_counter()
                hook()
                log.info("%s models loaded in %.1f s", kind, time.perf_counter() - started)
        except Exception:
            log.warning("warming up the %s engine failed; it loads on first use", kind, exc_info=True)
