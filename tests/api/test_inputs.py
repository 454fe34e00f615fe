"""A create that fails after storing some of its inputs keeps none of them."""

from __future__ import annotations

import base64
from pathlib import Path

from kinema.accounts import create_api_key
from tests.api.media import png_b64, wav_bytes
from tests.api.server import Server

AVATAR = "/kling/v1/videos/avatar/image2video"


def _uploads(server: Server, account_id: str) -> list[Path]:
    return [p for p in (server.data_dir / "blobs" / account_id / "inputs").rglob("*") if p.is_file()]


def test_unknown_audio_id_after_a_stored_image_leaves_nothing(server: Server) -> None:
    cred = create_api_key(server.db, "inputs-rollback")
    assert cred.api_key
    with server.client(cred.api_key) as c:
        r = c.post(AVATAR, json={"image": png_b64(512, 512), "audio_id": "123456789"})
    assert r.status_code == 400 and r.json()["message"].startswith("audio_id: "), r.text
    assert _uploads(server, cred.account_id) == []


def test_a_refused_task_row_leaves_nothing(server: Server) -> None:
    """The row insert refuses (external_task_id already used) after both uploads were stored."""
    cred = create_api_key(server.db, "inputs-rollback-dup")
    assert cred.api_key
    body = {
        "image": png_b64(512, 512),
        "sound_file": base64.b64encode(wav_bytes(3.0)).decode(),
        "external_task_id": "same-id",
    }
    with server.client(cred.api_key) as c:
        first = c.post(AVATAR, json=body)
        assert first.json()["code"] == 0, first.text
        assert len(_uploads(server, cred.account_id)) == 2  # the first task's image and sound
        dup = c.post(AVATAR, json=body)
    assert dup.status_code == 400 and dup.json()["message"].startswith("external_task_id: "), dup.text
    assert len(_uploads(server, cred.account_id)) == 2
