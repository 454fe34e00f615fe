"""Callbacks: every status change POSTed in order, signed the Standard-Webhooks way, attempts listed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from tests.api.media import png_b64
from tests.api.receiver import start_receiver
from tests.api.server import Server, wait_for

BASE = "/kling/v1/videos/image2video"
SECRET = "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI="  # set on the shared test server


def verify(headers: dict[str, str], body: bytes) -> bool:
    """Written from the spec (§6), independently of kinema's own signer."""
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")]
    return (
        any(hmac.compare_digest(expected, s) for s in offered)
        and abs(int(headers["webhook-timestamp"]) - time.time()) < 300
    )


def test_every_status_change_is_delivered_signed_and_in_order(server: Server) -> None:
    rec = start_receiver(fail_first=1)  # the first delivery fails once and must be retried
    try:
        with server.client() as c:
            created = c.post(
                BASE,
                json={
                    "image": png_b64(480, 320),
                    "prompt": "slow zoom in",
                    "callback_url": rec.url,
                    "external_task_id": "cb-1",
                },
            ).json()
            assert created["code"] == 0, created
            task_id = created["data"]["task_id"]
            final = wait_for(c, f"{BASE}/{task_id}")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                statuses = [json.loads(x.body)["task_status"] for x in rec.calls[1:]]
                if statuses and statuses[-1] == final["task_status"]:
                    break
                time.sleep(0.2)
            attempts = c.get(f"{BASE}/{task_id}/callbacks").json()["data"]
        bodies = [json.loads(x.body) for x in rec.calls]
        delivered = [b["task_status"] for b in bodies[1:]]  # bodies[0] was answered 500
        assert delivered == ["submitted", "processing", final["task_status"]], delivered
        assert bodies[0]["task_status"] == "submitted"  # the retried one
        for call in rec.calls:
            assert verify(call.headers, call.body)
            body = json.loads(call.body)
            assert "code" not in body and body["task_id"] == task_id  # bare task object
            assert body["task_info"]["external_task_id"] == "cb-1"
        assert len(attempts) >= 4 and any(a.get("status_code") == 500 for a in attempts)
    finally:
        rec.stop()
