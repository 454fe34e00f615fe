"""Over HTTP (issue 14 items 6 and 5): the clip's size and frame rate follow the model and mode of the
capability map, a small photo is scaled up with its aspect ratio, and ``multi_shot`` cuts the clip into its
shots where ``multi_prompt``'s durations put them; durations that do not add up are a 1201 at create."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kinema.client import Client
from kinema.client.errors import InvalidRequestError
from kinema.contract.kinds import PREFIXES
from tests.api.media import png_b64, portrait_b64
from tests.api.server import Server, start_server, wait_for
from tests.api.test_engines_e2e import probe
from tests.engines.image2video.helpers import frames

I2V = "/videos/image2video"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """API only: the sum rule is checked at create, so no worker is needed."""
    srv = start_server(Path(tmp_path_factory.mktemp("kinema-shots")), api_only=True)
    yield srv
    srv.stop()


def _render(server: Server, body: dict) -> bytes:
    with server.client() as c:
        created = c.post(f"/kling/v1{I2V}", json=body).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"/kling/v1{I2V}/{created['data']['task_id']}", timeout=240)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        video = done["task_result"]["videos"][0]
        return c.get(video["url"]).content


@pytest.mark.parametrize(
    ("model", "mode", "size", "fps"),
    [
        (None, "std", (960, 720), 30),  # kling-v1, the default: 720p 30 fps
        ("kling-v1-6", "pro", (1440, 1080), 30),
    ],
)
def test_size_and_rate_follow_the_model_and_mode(
    server: Server, model: str | None, mode: str, size: tuple[int, int], fps: int
) -> None:
    body = {"image": png_b64(512, 384), "mode": mode, "duration": "5"}
    if model:
        body["model_name"] = model
    info = probe(_render(server, body))
    assert (info["width"], info["height"]) == size  # the 512x384 photo scaled up, 4:3 kept
    assert info["fps"] == fps and info["frames"] == 5 * fps


def test_multi_shot_clip_is_cut_where_the_durations_say(server: Server) -> None:
    body = {
        "model_name": "kling-v3",
        "image": portrait_b64(512),
        "duration": "4",
        "multi_shot": True,
        "shot_type": "customize",
        "multi_prompt": [
            {"index": 1, "prompt": "fast zoom in on her face", "duration": "1"},
            {"index": 2, "prompt": "fast pan left", "duration": "2"},
            {"index": 3, "prompt": "fast zoom out", "duration": "1"},
        ],
    }
    data = _render(server, body)
    info = probe(data)
    assert (info["width"], info["height"], info["fps"], info["frames"]) == (720, 720, 24, 96)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shots.mp4"
        path.write_bytes(data)
        clip = frames(path)
    diffs = np.array([np.mean(np.abs(a.astype(np.float32) - b)) for a, b in itertools.pairwise(clip)])
    cuts = sorted(int(i) + 1 for i in np.argsort(diffs)[-2:])  # the two largest changes
    assert abs(cuts[0] - 24) <= 1 and abs(cuts[1] - 72) <= 1, cuts
    within = np.delete(diffs, [c - 1 for c in cuts])
    assert diffs[cuts[0] - 1] > 3 * within.max() and diffs[cuts[1] - 1] > 3 * within.max()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_multi_prompt_durations_must_add_up(api: Server, prefix: str) -> None:
    body = {
        "model_name": "kling-v3",
        "image": png_b64(320, 320),
        "duration": "5",
        "multi_shot": True,
        "shot_type": "customize",
        "multi_prompt": [
            {"index": 1, "prompt": "zoom in", "duration": "2"},
            {"index": 2, "prompt": "pan left", "duration": "2"},
        ],
    }
    with api.client() as c:
        r = c.post(f"{prefix}{I2V}", json=body)
        ok = c.post(f"{prefix}{I2V}", json={**body, "duration": "4"})
    assert r.status_code == 400 and r.json()["code"] == 1201, r.text
    assert r.json()["message"] == "multi_prompt: durations must add up to duration 5, got 4"
    assert ok.status_code == 200 and ok.json()["code"] == 0, ok.text


def test_intelligence_needs_a_prompt_and_multi_shot_needs_kling_v3(api: Server) -> None:
    base = {"image": png_b64(320, 320), "multi_shot": True, "shot_type": "intelligence"}
    with api.client() as c:
        empty = c.post(f"/v1{I2V}", json={**base, "model_name": "kling-v3"})
        v1 = c.post(f"/v1{I2V}", json={**base, "prompt": "zoom in. then pan left"})
    assert empty.status_code == 400 and empty.json()["message"].startswith(
        "prompt: is required when shot_type is intelligence"
    )
    assert v1.status_code == 400 and v1.json()["message"] == (
        "multi_shot: kling-v1 does not support multi-shot (mode std)"
    )


def test_the_sdk_sends_shots_and_hears_the_same_1201(api: Server) -> None:
    shots = [
        {"index": 1, "prompt": "zoom in", "duration": "2"},
        {"index": 2, "prompt": "pan", "duration": "2"},
    ]
    with Client(api.base, api_key=api.key, limits=None) as k:  # no local check: the server answers
        with pytest.raises(InvalidRequestError) as sent:
            k.image2video.create(
                png_b64(320, 320),
                model_name="kling-v3",
                duration=5,
                multi_shot=True,
                shot_type="customize",
                multi_prompt=shots,
            )
        task = k.image2video.create(
            png_b64(320, 320),
            model_name="kling-v3",
            duration=4,
            multi_shot=True,
            shot_type="customize",
            multi_prompt=shots,
        )
    assert sent.value.code == 1201 and sent.value.message.startswith("multi_prompt: durations must add up")
    assert task.status == "submitted"
