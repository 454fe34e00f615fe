"""Callbacks: every status change POSTed in order, signed the Standard-Webhooks way, attempts listed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from sqlalchemy import select

from kinema.db.models import WebhookOutbox
from tests.api.media import png_b64, portrait_b64, wav_bytes
from tests.api.receiver import start_receiver
from tests.api.server import Server, start_server, wait_for
from tests.support.file_server import serve_files

BASE = "/kling/v1/videos/image2video"
AVATAR = "/kling/v1/videos/avatar/image2video"
V2A = "/kling/v1/audio/video-to-audio"
TTS = "/kling/v1/audio/tts"
#: The official callback's task object (spec §6): nothing more unless KINEMA_CALLBACK_EXTENSIONS is set.
OFFICIAL_KEYS = {
    "task_id",
    "task_status",
    "task_status_msg",
    "task_info",
    "task_result",
    "created_at",
    "updated_at",
    "final_unit_deduction",
}
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
            assert set(body) == OFFICIAL_KEYS, body  # no task_progress / watermark_info by default
            assert body["task_info"]["external_task_id"] == "cb-1"
        assert len(attempts) >= 4 and any(a.get("status_code") == 500 for a in attempts)
    finally:
        rec.stop()


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """API only with KINEMA_CALLBACK_EXTENSIONS=true: the submitted callback is queued in the outbox."""
    srv = start_server(
        Path(tmp_path_factory.mktemp("kinema-cb-ext")),
        api_only=True,
        KINEMA_ALLOW_PRIVATE_URLS="true",
        KINEMA_CALLBACK_EXTENSIONS="true",
    )
    yield srv
    srv.stop()


def test_callback_extensions_are_opt_in(extended: Server) -> None:
    """With the setting on, the queued callback body carries task_progress and watermark_info again."""
    with extended.client() as c:
        created = c.post(
            BASE,
            json={
                "image": png_b64(320, 320),
                "callback_url": "http://127.0.0.1:9/hook",
                "watermark_info": {"enabled": True},
            },
        ).json()
    assert created["code"] == 0, created
    with extended.db.read() as session:
        payloads = session.scalars(
            select(WebhookOutbox.payload).where(WebhookOutbox.task_id == created["data"]["task_id"])
        ).all()
    (body,) = [json.loads(p) for p in payloads]
    assert set(body) == OFFICIAL_KEYS | {"task_progress", "watermark_info"}, body
    assert body["task_status"] == "submitted" and body["task_progress"] == 0
    assert body["watermark_info"] == {"enabled": True}


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


def _clip_mp4(seconds: float = 3.5, fps: int = 12) -> bytes:
    """A small silent clip with a moving square, long enough for video-to-audio."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        with av.open(str(path), "w") as container:
            stream = container.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
            for i in range(int(seconds * fps)):
                img = np.full((120, 160, 3), 30, np.uint8)
                x = 10 + 4 * i % 130
                img[40:70, x : x + 20] = 220
                for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
        return path.read_bytes()


@pytest.fixture
def clip_host() -> Iterator[tuple[str, list[str]]]:
    """(host:port, the Authorization headers it received): a clip server that wants basic auth."""
    with serve_files({"clip.mp4": _clip_mp4()}, "video/mp4") as files:
        yield files.host, files.authorization


def test_credentials_in_urls_are_never_echoed(server: Server, clip_host: tuple[str, list[str]]) -> None:
    """Issue 13, item 9: ``user:pass@`` in a media URL or a callback URL is used (basic auth) but never
    repeated: not in the create reply, a query, a list, a callback body or the callbacks log."""
    host, auth_seen = clip_host
    rec = start_receiver()
    try:
        rec_host = rec.url.removeprefix("http://")
        body = {
            "video_url": f"http://media-user:media-secret@{host}/clip.mp4",
            "callback_url": f"http://hook-user:hook-secret@{rec_host}",
            "external_task_id": "creds-1",
        }
        with server.client() as c:
            created = c.post(V2A, json=body).json()
            assert created["code"] == 0, created
            task_id = created["data"]["task_id"]
            final = wait_for(c, f"{V2A}/{task_id}", timeout=120)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(rec.calls) < 3:
                time.sleep(0.1)
            replies = [
                created,
                c.get(f"{V2A}/{task_id}").json(),
                c.get(f"{V2A}/creds-1").json(),
                c.get(V2A, params={"external_task_id": "creds-1"}).json(),
                c.get(V2A, params={"pageSize": 50}).json(),
                c.get(f"{V2A}/{task_id}/callbacks").json(),
            ]
        assert final["task_info"]["parent_video"]["url"] == f"http://{host}/clip.mp4"
        assert len(rec.calls) >= 3
        texts = [json.dumps(r) for r in replies] + [call.body.decode() for call in rec.calls]
        for text in texts:
            assert "secret" not in text and "-user" not in text, text
        assert {a["url"] for a in replies[-1]["data"]} == {f"http://{rec_host}"}
        # The credentials were used, not dropped: basic auth on the fetch and on every callback.
        assert auth_seen[0] == "Basic " + base64.b64encode(b"media-user:media-secret").decode()
        expected = "Basic " + base64.b64encode(b"hook-user:hook-secret").decode()
        assert all(call.headers.get("authorization") == expected for call in rec.calls)
    finally:
        rec.stop()
