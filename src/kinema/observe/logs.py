"""Log lines that say which request and which task they belong to, as text or as one JSON object per line.

Two context variables carry the ids: the API middleware sets ``request_id`` for each request (and the create
path sets ``task_id`` once the task exists); a worker sets ``task_id`` around each job. A filter on the
handler copies both onto every record, so any module's ``log.info(...)`` carries them without passing them
along. ``KINEMA_LOG_FORMAT=json`` writes ``{"ts", "level", "logger", "message", "request_id", "task_id",
"pid", "exc"?}`` per line (the ids only where there is one); the default is a human-readable line.

Standard library only: one formatter and one filter are all it takes, and the same records then reach any
other handler an embedding application adds.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("kinema_request_id", default=None)
task_id: ContextVar[str | None] = ContextVar("kinema_task_id", default=None)

HANDLER_NAME = "kinema"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s"


@contextmanager
def task_context(tid: str) -> Iterator[None]:
    """Every line logged inside belongs to task ``tid``."""
    token = task_id.set(tid)
    try:
        yield
    finally:
        task_id.reset(token)


class ContextFilter(logging.Filter):
    """Copies the current ``request_id`` and ``task_id`` onto the record (``None`` when there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid, tid = request_id.get(), task_id.get()
        record.request_id, record.task_id = rid, tid
        ids = [f"{k}={v}" for k, v in (("request_id", rid), ("task_id", tid)) if v]
        record.ids = f" [{' '.join(ids)}]" if ids else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; keys in a fixed order; the ids only when set."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key in ("request_id", "task_id"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str = "text", level: str = "INFO") -> None:
    """Install kinema's handler on the root logger (replacing an earlier one of ours, so calling it again
    switches the format). Other handlers are left alone."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("huey").setLevel(logging.WARNING)
