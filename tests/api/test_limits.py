"""Per-account limits: running tasks (1303) and request rate (1302, creates only), both HTTP 429."""

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


def test_request_rate_limit_is_1302_counts_creates_and_is_per_account(tight: Server) -> None:
    hot, calm = tight.new_key("hot"), tight.new_key("calm")
    with tight.client(hot) as c:
        # 2 are accepted, then 1303 (two unfinished tasks) until the 30 tokens are spent, then 1302; the
        # bucket refills by one token every 2 s, so a slow machine may see a 1303 among the last ones
        image = png_b64(320, 320)
        codes = [c.post(BASE, json={"image": image}).json()["code"] for _ in range(40)]
        assert codes[:2] == [0, 0] and set(codes[2:28]) == {1303} and set(codes) == {0, 1302, 1303}, codes
        # queries never count, and still answer once creates are refused
        for path in (BASE, f"{BASE}/", "/v1/queue"):
            r = c.get(path)
            assert r.status_code == 200 and r.json()["code"] == 0, path
    with tight.client(calm) as c:
        r = c.post(BASE, json={"image": png_b64(seed=1)})
    assert r.status_code == 200 and r.json()["code"] == 0


def test_queries_never_count_against_the_rate(tight: Server) -> None:
    """Issue 14, item 7: upstream has no QPS limit on queries: 60 polls under a 30-a-minute limit answer."""
    key = tight.new_key("poller")
    with tight.client(key) as c:
        task_id = c.post(BASE, json={"image": png_b64(seed=3)}).json()["data"]["task_id"]
        codes = {c.get(f"{BASE}/{task_id}").json()["code"] for _ in range(60)}
        assert codes == {0}
        assert c.post(BASE, json={"image": png_b64(seed=4)}).json()["code"] == 0  # creates still have tokens
