"""KINEMA_LIMIT_OVERRIDES end to end: a relaxed limit is honoured by the worker, not only by create, and an
override beyond what the engines can render stops the server instead of failing tasks later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.media import png_b64
from tests.api.server import start_server, wait_for

I2V = "/kling/v1/videos/image2video"


def test_a_raised_duration_is_rendered(tmp_path: Path) -> None:
    srv = start_server(tmp_path, KINEMA_LIMIT_OVERRIDES=json.dumps({"i2v_duration_max_s": 20}))
    try:
        with srv.client() as c:
            created = c.post(
                I2V, json={"image": png_b64(480, 320), "duration": "20", "model_name": "kling-v3"}
            ).json()
            assert created["code"] == 0, created
            done = wait_for(c, f"{I2V}/{created['data']['task_id']}", timeout=240)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        assert float(done["task_result"]["videos"][0]["duration"]) == pytest.approx(20.0, abs=0.05)
    finally:
        srv.stop()


def test_an_override_beyond_the_engines_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="dynamic_masks_max=7 is above 6"):
        start_server(tmp_path, KINEMA_LIMIT_OVERRIDES=json.dumps({"dynamic_masks_max": 7}))
