"""Log lines as text (default) or one JSON object per line, with the request and task they belong to."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from kinema.observe import logs


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    # A task created in-process earlier in the session (the CLI tests) leaves its id on this thread's
    # context, as it should for the rest of that command: start each test from a clean one.
    tokens = (logs.request_id.set(None), logs.task_id.set(None))
    yield stream
    logs.request_id.reset(tokens[0])
    logs.task_id.reset(tokens[1])
    for handler in [h for h in root.handlers if h not in saved[0]]:
        root.removeHandler(handler)
    root.setLevel(saved[1])


def _configure(fmt: str, stream: io.StringIO) -> None:
    logs.configure_logging(fmt, "INFO")
    (ours,) = [h for h in logging.getLogger().handlers if h.get_name() == logs.HANDLER_NAME]
    assert isinstance(ours, logging.StreamHandler)
    ours.setStream(stream)


def test_json_lines_carry_the_ids_where_there_are_some(captured: io.StringIO) -> None:
    _configure("json", captured)
    log = logging.getLogger("kinema.test")
    log.info("no ids here")
    token = logs.request_id.set("req-1")
    with logs.task_context("task-9"):
        log.warning("inside %s", "both")
    logs.request_id.reset(token)
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    first, second, third = (json.loads(line) for line in captured.getvalue().splitlines())
    assert first["message"] == "no ids here" and "request_id" not in first and "task_id" not in first
    assert second["message"] == "inside both" and second["level"] == "WARNING"
    assert (second["request_id"], second["task_id"], second["logger"]) == ("req-1", "task-9", "kinema.test")
    assert "ValueError: boom" in third["exc"] and third["pid"] > 0


def test_text_is_the_default_and_names_the_ids(captured: io.StringIO) -> None:
    _configure("text", captured)
    with logs.task_context("task-3"):
        logging.getLogger("kinema.test").info("hello")
    logging.getLogger("kinema.test").info("bye")
    first, second = captured.getvalue().splitlines()
    assert first.endswith("INFO kinema.test [task_id=task-3]: hello")
    assert second.endswith("INFO kinema.test: bye") and not second.startswith("{")


def test_configuring_again_replaces_kinema_handler(captured: io.StringIO) -> None:
    logs.configure_logging("text")
    logs.configure_logging("json")
    assert [h.get_name() for h in logging.getLogger().handlers].count(logs.HANDLER_NAME) == 1
