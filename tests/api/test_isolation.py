"""One account can never read, list, cancel or collide with another's tasks."""

from __future__ import annotations

import uuid

from tests.api.media import png_b64
from tests.api.server import Server

BASE = "/kling/v1/videos/image2video"


def test_accounts_are_isolated(server: Server) -> None:
    alice, bob = server.new_key("alice"), server.new_key("bob")
    ext = f"iso-{uuid.uuid4().hex[:8]}"
    with server.client(alice) as a, server.client(bob) as b:
        created = a.post(BASE, json={"image": png_b64(), "external_task_id": ext, "duration": "5"}).json()
        assert created["code"] == 0, created
        task_id = created["data"]["task_id"]
        assert created["data"]["task_info"]["external_task_id"] == ext

        assert a.get(f"{BASE}/{task_id}").json()["data"]["task_id"] == task_id
        assert a.get(BASE, params={"external_task_id": ext}).json()["data"]["task_id"] == task_id
        assert a.get(f"{BASE}/{ext}").json()["data"]["task_id"] == task_id

        for path in (f"{BASE}/{task_id}", f"{BASE}/{ext}"):
            r = b.get(path)
            assert r.status_code == 404 and r.json()["code"] == 1203
        assert b.get(BASE, params={"external_task_id": ext}).status_code == 404
        assert all(t["task_id"] != task_id for t in b.get(BASE, params={"pageSize": 500}).json()["data"])
        assert b.post(f"{BASE}/{task_id}/cancel").status_code == 404

        # external_task_id is unique per account, not globally
        dup = a.post(BASE, json={"image": png_b64(), "external_task_id": ext})
        assert (
            dup.status_code == 400
            and dup.json()["code"] == 1201
            and "external_task_id" in dup.json()["message"]
        )
        other = b.post(BASE, json={"image": png_b64(), "external_task_id": ext})
        assert other.json()["code"] == 0


def test_list_is_newest_first_and_paged(server: Server) -> None:
    key = server.new_key(f"pager-{uuid.uuid4().hex[:6]}")
    with server.client(key) as c:
        ids = [c.post(BASE, json={"image": png_b64(seed=i)}).json()["data"]["task_id"] for i in range(3)]
        page = c.get(BASE, params={"pageNum": 1, "pageSize": 2}).json()["data"]
        assert [t["task_id"] for t in page] == [ids[2], ids[1]]
        page2 = c.get(BASE, params={"pageNum": 2, "pageSize": 2}).json()["data"]
        assert [t["task_id"] for t in page2] == [ids[0]]
        for t in page + page2:
            assert isinstance(t["created_at"], int) and t["created_at"] > 1_600_000_000_000
            assert t["task_status"] in ("submitted", "processing", "succeed", "failed")
