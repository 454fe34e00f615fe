"""The capability map over HTTP (issue 14, item 4): a combination the model lacks is a 1201 naming the field,
the model and the mode, on both prefixes; a combination it has is accepted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kinema.contract.kinds import PREFIXES
from tests.api.media import png_b64
from tests.api.server import Server, start_server

I2V = "/videos/image2video"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """API only: validation happens at create, so no worker is needed."""
    srv = start_server(Path(tmp_path_factory.mktemp("kinema-caps")), api_only=True)
    yield srv
    srv.stop()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_last_frame_on_a_model_without_one_is_1201(api: Server, prefix: str) -> None:
    body = {
        "model_name": "kling-v2-master",
        "image": png_b64(320, 320),
        "image_tail": png_b64(320, 320, seed=1),
    }
    with api.client() as c:
        r = c.post(f"{prefix}{I2V}", json=body)
    assert r.status_code == 400 and r.json()["code"] == 1201, r.text
    assert r.json()["message"] == "image_tail: kling-v2-master does not support a last frame (mode std)"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_sound_on_in_std_is_refused_and_in_pro_accepted(api: Server, prefix: str) -> None:
    body = {"model_name": "kling-v2-6", "image": png_b64(320, 320), "sound": "on", "duration": "10"}
    with api.client() as c:
        refused = c.post(f"{prefix}{I2V}", json={**body, "mode": "std"})
        accepted = c.post(f"{prefix}{I2V}", json={**body, "mode": "pro"})
    assert refused.status_code == 400 and refused.json()["code"] == 1201, refused.text
    assert refused.json()["message"].startswith(
        'sound: kling-v2-6 supports sound "on" only in mode pro (mode std'
    )
    assert accepted.status_code == 200 and accepted.json()["code"] == 0, accepted.text
    assert accepted.json()["data"]["task_status"] == "submitted"


def test_kling_v3_takes_3_seconds_and_kling_v1_does_not(api: Server) -> None:
    with api.client() as c:
        v3 = c.post(f"/v1{I2V}", json={"model_name": "kling-v3", "image": png_b64(320, 320), "duration": "3"})
        v1 = c.post(f"/v1{I2V}", json={"image": png_b64(320, 320), "duration": "3"})
    assert v3.status_code == 200 and v3.json()["code"] == 0, v3.text
    assert v1.status_code == 400 and v1.json()["message"] == (
        'duration: kling-v1 supports "5" or "10" (mode std), got "3"'
    )
