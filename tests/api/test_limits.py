"""Per-account limits: running tasks (1303) and request rate (1302), both HTTP 429."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.media import png_b64
from tests.api.server import Server, start_server

BASE = "/kling/v1/videos/image2video"


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # API only: tasks stay submitted, so the running-task count is deterministic.
    srv = start_server(
        Path(tmp_path_factory.mktemp("tight")),
        api_only=True,
        KINEMA_MAX_RUNNING_TASKS="2",
        KINEMA_RATE_LIMIT_PER_MINUTE="30",
    )
    yield srv
    srv.stop()


def test_running_task_limit_is_1303(tight: Server) -> None:
    key = tight.new_key("busy")
    with tight.client(key) as c:
        for i in range(2):
            assert c.post(BASE, json={"image": png_b64(seed=i)}).json()["code"] == 0
        r = c.post(BASE, json={"image": png_b64(seed=9)})
        assert r.status_code == 429 and r.json()["code"] == 1303
        # queries never count against concurrency
        assert c.get(BASE).json()["code"] == 0


def test_request_rate_limit_is_1302_and_per_account(tight: Server) -> None:
    hot, calm = tight.new_key("hot"), tight.new_key("calm")
    with tight.client(hot) as c:
        codes = [c.get(BASE).json()["code"] for _ in range(40)]
    assert 1302 in codes and codes[0] == 0
    with tight.client(calm) as c:
        r = c.get(BASE)
    assert r.status_code == 200 and r.json()["code"] == 0
