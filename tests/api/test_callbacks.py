"""Callbacks: every status change POSTed in order, signed the Standard-Webhooks way, attempts listed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.media import png_b64, portrait_b64, wav_bytes
from tests.api.receiver import start_receiver
from tests.api.server import Server, start_server, wait_for

BASE = "/kling/v1/videos/image2video"
AVATAR = "/kling/v1/videos/avatar/image2video"
V2A = "/kling/v1/audio/video-to-audio"
TTS = "/kling/v1/audio/tts"
NOT_ALLOWED = "callback_url: address not allowed: non-public or unresolvable host"
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


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the default SSRF guard (private addresses refused); API only, nothing runs."""
    srv = start_server(
        Path(tmp_path_factory.mktemp("kinema-guarded")), api_only=True, KINEMA_ALLOW_PRIVATE_URLS="false"
    )
    yield srv
    srv.stop()


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::ffff:127.0.0.1]",
        "2130706433",
        "0x7f000001",
        "[::1]",
        "10.0.0.1",
        "169.254.169.254",
        "no-such-host.invalid",
    ],
)
def test_private_callback_urls_are_refused_at_create(guarded: Server, host: str) -> None:
    """Issue 13, item 1: every create endpoint refuses a callback_url that is not public (1201, HTTP 400,
    naming the field, without revealing what the name resolves to), before storing any input."""
    rec = start_receiver()
    try:
        port = rec.url.rsplit(":", 1)[1].split("/")[0]
        url = f"http://{host}:{port}/hook"
        bodies = {
            BASE: {"image": png_b64(480, 320), "prompt": "slow zoom in"},
            AVATAR: {"image": portrait_b64(), "sound_file": base64.b64encode(wav_bytes(2.5)).decode()},
            V2A: {"video_id": "no-such-video"},
        }
        with guarded.client() as c:
            for path, body in bodies.items():
                reply = c.post(path, json={**body, "callback_url": url})
                assert reply.status_code == 400, (path, reply.text)
                assert reply.json()["code"] == 1201 and reply.json()["message"] == NOT_ALLOWED
                assert c.get(path).json()["data"] == []  # no task was created
        time.sleep(0.3)
        assert rec.calls == []
        assert [p for p in guarded.data_dir.rglob("*") if "inputs" in p.parts and p.is_file()] == []
    finally:
        rec.stop()


def test_tts_takes_no_callback(guarded: Server) -> None:
    """TTS answers synchronously: a callback_url sent along is ignored, so nothing is ever POSTed to it."""
    rec = start_receiver()
    try:
        with guarded.client() as c:
            body = {"text": "Hi.", "voice_id": "reader_en_m-v1", "voice_language": "en"}
            body["callback_url"] = rec.url
            assert c.post(TTS, json=body).json()["code"] == 0
        time.sleep(0.5)
        assert rec.calls == []
    finally:
        rec.stop()
