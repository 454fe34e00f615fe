"""App-level routes: the queue overview counts only the caller's own tasks (no view into other accounts)."""

from __future__ import annotations

import uuid

import httpx

from tests.api.media import png_b64
from tests.api.server import Server

I2V = "/kling/v1/videos/image2video"


def test_queue_figures_are_per_account(server: Server) -> None:
    busy = server.new_key(f"queue-busy-{uuid.uuid4().hex[:6]}")
    quiet = server.new_key(f"queue-quiet-{uuid.uuid4().hex[:6]}")
    with server.client(busy) as b, server.client(quiet) as q:
        ids = [
            b.post(I2V, json={"image": png_b64(320, 320, seed=i)}).json()["data"]["task_id"] for i in range(3)
        ]
        # One worker renders one at a time, so busy's tasks are still queued or running here.
        busy_view = b.get("/kling/v1/queue").json()["data"]
        assert busy_view["depth"] + busy_view["running"] >= 2, busy_view
        for prefix in ("/kling/v1", "/v1"):
            assert q.get(f"{prefix}/queue").json()["data"] == {"depth": 0, "running": 0, "position": 0}
        own = q.post(I2V, json={"image": png_b64(320, 320)}).json()["data"]["task_id"]
        view = q.get(f"{I2V}/{own}/queue").json()["data"]
        assert view["depth"] + view["running"] == 1 and view["position"] in (0, 1), view
        assert q.get(f"{I2V}/{ids[0]}/queue").status_code == 404  # another account's task


def test_parameter_errors_are_in_our_words(server: Server) -> None:
    """Query parameters FastAPI validates get a message naming the parameter, not pydantic's text."""
    r = httpx.get(server.base + "/files/some/key.mp4", params={"exp": "soon", "sig": "x"}, timeout=30)
    body = r.json()
    assert r.status_code == 400 and body["code"] == 1201
    assert body["message"] == "exp: must be an integer", body
