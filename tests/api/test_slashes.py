"""Every route answers with and without a trailing slash, on both prefixes, with no redirect (issue 14,
item 2); the OpenAPI document lists each route once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kinema.contract.kinds import PREFIXES
from tests.api.media import png_b64
from tests.api.server import Server, start_server

I2V = "/videos/image2video"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """API only: tasks stay queued, which is all routing needs."""
    srv = start_server(Path(tmp_path_factory.mktemp("kinema-slashes")), api_only=True)
    yield srv
    srv.stop()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_create_query_and_list_with_a_trailing_slash(api: Server, prefix: str) -> None:
    with api.client() as c:  # httpx does not follow redirects: a 307 would fail here
        ext = "slash-" + prefix.strip("/").replace("/", "-")
        body = {"image": png_b64(320, 320), "external_task_id": ext}
        created = c.post(f"{prefix}{I2V}/", json=body)
        assert created.status_code == 200 and created.json()["code"] == 0, created.text
        task_id = created.json()["data"]["task_id"]
        for path in (f"{prefix}{I2V}/{task_id}/", f"{prefix}{I2V}/{task_id}"):
            one = c.get(path)
            assert one.status_code == 200 and one.json()["data"]["task_id"] == task_id, path
        for path in (f"{prefix}{I2V}/", f"{prefix}{I2V}"):
            page = c.get(path, params={"pageSize": 500})
            assert page.status_code == 200, path
            assert task_id in {t["task_id"] for t in page.json()["data"]}, path
        queue = c.get(f"{prefix}/queue/")
        assert queue.status_code == 200 and queue.json()["code"] == 0


def test_refusals_keep_their_codes_with_a_slash(api: Server) -> None:
    """The slash changes nothing else: a bad body is still 1201, an unknown path still 1203."""
    with api.client() as c:
        bad = c.post(f"/v1{I2V}/", json={"image": png_b64(320, 320), "mode": "turbo"})
        assert bad.status_code == 400 and bad.json()["code"] == 1201
        assert bad.json()["message"].startswith("mode: ")
        missing = c.get("/v1/videos/no-such-family/")
        assert missing.status_code == 404 and missing.json()["code"] == 1203
    assert httpx.get(api.base + "/healthz/", timeout=30).json()["data"]["status"] == "ok"


def test_openapi_lists_each_route_once(api: Server) -> None:
    paths = httpx.get(api.base + "/openapi.json", timeout=30).json()["paths"]
    assert f"/v1{I2V}" in paths and f"/kling/v1{I2V}" in paths
    assert not [p for p in paths if p.endswith("/") and p != "/"]
