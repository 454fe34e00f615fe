"""``/metrics``, ``/readyz`` and JSON logs of a real ``kinema serve`` (API process + worker process)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.server import Server, start_server, wait_for


@pytest.fixture(scope="module")
def ops_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(Path(tmp_path_factory.mktemp("ops")), KINEMA_LOG_FORMAT="json")
    yield srv
    srv.stop()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series of a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        series, value = line.rsplit(" ", 1)
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


def test_metrics_count_tasks_http_and_queue_across_processes(ops_server: Server) -> None:
    with ops_server.client() as c:
        done = c.post("/v1/audio/text-to-audio", json={"prompt": "rain on a tin roof", "duration": 3}).json()
        assert done["code"] == 0, done
        task = wait_for(c, f"/v1/audio/text-to-audio/{done['data']['task_id']}")
        assert task["task_status"] == "succeed"
        bad = c.post("/v1/audio/text-to-audio", json={"prompt": "wind", "duration": 99})
        assert bad.json()["code"] == 1201
        fetch = c.post(
            "/v1/audio/video-to-audio",
            json={"video_url": "http://127.0.0.1:9/none.mp4", "sound_effect_prompt": "x"},
        )
        assert fetch.json()["code"] == 1201
        reply = httpx.get(ops_server.base + "/metrics", timeout=30)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/plain")
    text = reply.text
    # Created in the API process, claimed and finished in a forked job process of the worker: one scrape.
    assert sample(text, "kinema_tasks_created_total", kind="text_to_audio") >= 1
    assert sample(text, "kinema_tasks_finished_total", kind="text_to_audio", outcome="succeed") >= 1
    assert sample(text, "kinema_task_queue_wait_seconds_count", kind="text_to_audio", lane="cpu") >= 1
    assert sample(text, "kinema_task_run_seconds_count", kind="text_to_audio", outcome="succeed") >= 1
    assert sample(text, "kinema_engine_stage_seconds_count", kind="text_to_audio", stage="engine") >= 1
    route = "/v1/audio/text-to-audio/{task_id}"
    assert sample(text, "kinema_http_requests_total", method="GET", route=route, status="200") >= 1
    assert (
        sample(
            text, "kinema_http_requests_total", method="POST", route="/v1/audio/text-to-audio", status="400"
        )
        >= 1
    )
    assert sample(text, "kinema_http_request_duration_seconds_count", method="GET", route=route) >= 1
    assert (
        sample(text, "kinema_input_fetch_failures_total", reason="refused") >= 1
    )  # loopback: the SSRF guard
    assert 'kinema_queue_depth{lane="cpu"}' in text and 'kinema_tasks_running{lane="gpu"}' in text


def test_readyz_reports_each_dependency(ops_server: Server) -> None:
    reply = httpx.get(ops_server.base + "/readyz", timeout=30)
    assert reply.status_code == 200, reply.text
    data = reply.json()["data"]
    assert data["status"] == "ready" and data["checks"] == {"database": "ok", "queue": "ok", "storage": "ok"}
    assert data["max_queue_depth"] == 1000 and data["queue_depth"] >= 0


def test_json_logs_carry_request_and_task_ids(ops_server: Server) -> None:
    with ops_server.client() as c:
        created = c.post("/v1/audio/text-to-audio", json={"prompt": "birds at dawn", "duration": 3})
        task_id, request_id = created.json()["data"]["task_id"], created.headers["X-Request-Id"]
        wait_for(c, f"/v1/audio/text-to-audio/{task_id}")
    lines = (ops_server.data_dir / "server.log").read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]  # every line is a JSON object
    mine = [e for e in entries if e.get("task_id") == task_id]
    api = [e for e in mine if e.get("request_id") == request_id]
    assert api and api[0]["message"] == "text_to_audio task created (cpu lane)", mine  # the API's line
    assert any("claimed" in e["message"] and "request_id" not in e for e in mine), mine  # the worker's
    assert all({"ts", "level", "logger", "message", "pid"} <= e.keys() for e in entries)


def test_readyz_is_503_when_overloaded_or_a_dependency_fails(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from kinema.accounts import create_api_key
    from kinema.api.app import create_app
    from kinema.settings import Settings

    app = create_app(Settings(data_dir=tmp_path, ready_max_queue_depth=1))  # no worker runs here
    rt = app.state.kinema.rt
    key = create_api_key(rt.db, "ops").api_key
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as c:
        assert c.get("/readyz").status_code == 200
        for _ in range(2):
            assert (
                c.post("/v1/audio/text-to-audio", json={"prompt": "wind", "duration": 3}).json()["code"] == 0
            )
        reply = c.get("/readyz")
        assert reply.status_code == 503 and reply.json()["code"] == 5001
        assert "overloaded: 2 tasks wait, more than 1" in reply.json()["message"]

        def unreachable(_key: str) -> None:
            raise ConnectionError("s3://secret@host")

        rt.storage.info = unreachable
        message = c.get("/readyz").json()["message"]
        assert "storage unreachable (ConnectionError)" in message and "secret" not in message
