"""A server configured for S3-compatible storage hands out presigned URLs that serve the results (and the
preset voices' trial samples, once made)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx
import pytest

from tests.api.server import start_server


def test_tts_results_and_voice_samples_live_in_the_bucket(tmp_path: Path, moto_endpoint: str) -> None:
    bucket = f"kinema-{uuid.uuid4().hex[:8]}"
    srv = start_server(
        tmp_path,
        api_only=True,
        KINEMA_STORAGE="s3",
        KINEMA_S3_BUCKET=bucket,
        KINEMA_S3_ENDPOINT_URL=moto_endpoint,
        AWS_ACCESS_KEY_ID=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        AWS_SECRET_ACCESS_KEY=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
    )
    try:
        with srv.client() as c:
            body = c.post(
                "/kling/v1/audio/tts",
                json={"text": "Stored in a bucket.", "voice_id": "AOT", "voice_language": "en"},
            ).json()
        assert body["code"] == 0, body
        url = body["data"]["task_result"]["audios"][0]["url"]
        assert url.startswith(moto_endpoint) and bucket in url
        r = httpx.get(url, timeout=30)
        assert r.status_code == 200 and len(r.content) > 1000
        assert r.content[:3] == b"ID3" or r.content[0] == 0xFF  # an MP3
        with srv.client() as c:
            page = c.get("/v1/general/presets-voices", params={"pageSize": 1}).json()["data"]
        trial = page[0]["task_result"]["voices"][0]["trial_url"]
        made = httpx.get(trial, timeout=60)  # made on this fetch, stored in the bucket, then redirected there
        assert made.status_code == 307 and made.headers["location"].startswith(moto_endpoint)
        assert bucket in made.headers["location"] and "/voices/trials/" in made.headers["location"]
        sample = httpx.get(made.headers["location"], timeout=30)
        assert sample.status_code == 200 and len(sample.content) > 5000
        assert sample.content[:3] == b"ID3" or sample.content[0] == 0xFF
    finally:
        srv.stop()


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
