"""Motion brush over HTTP: masks and trajectories travel from the request to the engine; a mask whose aspect
ratio differs from the image's fails the task asynchronously with a clear message (as upstream does)."""

from __future__ import annotations

import base64
import io
import tempfile
from pathlib import Path

import av
import numpy as np
from PIL import Image

from tests.api.server import Server, wait_for

I2V = "/kling/v1/videos/image2video"
W, H = 480, 320


def b64_png(arr: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def scene() -> np.ndarray:
    rng = np.random.default_rng(3)
    img = (100 + rng.integers(-20, 20, (H, W, 3))).clip(0, 255).astype(np.uint8)
    img[140:180, 60:100] = (230, 30, 30)  # a red square centred at (80, 160) from the top-left
    return img


def red_centroid_x(frame: np.ndarray) -> float:
    red = (frame[..., 0] > 170) & (frame[..., 1] < 90) & (frame[..., 2] < 90)
    assert red.sum() > 100, "the red square vanished"
    return float(np.nonzero(red)[1].mean())


def test_dynamic_mask_moves_its_region_along_the_trajectory(server: Server) -> None:
    mask = np.zeros((H, W), np.uint8)
    mask[130:190, 50:110] = 255
    still = np.zeros((H, W), np.uint8)
    still[:60, :] = 255  # the top band must not move
    body = {
        "image": b64_png(scene()),
        "static_mask": b64_png(still),
        # origin bottom-left: y = H - 160 is the square's row
        "dynamic_masks": [
            {"mask": b64_png(mask), "trajectories": [{"x": 80, "y": H - 160}, {"x": 380, "y": H - 160}]}
        ],
        "duration": "5",
    }
    with server.client() as c:
        created = c.post(I2V, json=body).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"{I2V}/{created['data']['task_id']}", timeout=180)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        data = c.get(done["task_result"]["videos"][0]["url"]).content
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.mp4"
        path.write_bytes(data)
        frames = [f.to_ndarray(format="rgb24") for f in av.open(str(path)).decode(video=0)]
    scale = frames[0].shape[1] / W
    assert abs(red_centroid_x(frames[0]) / scale - 80) < 0.03 * np.hypot(W, H)
    assert abs(red_centroid_x(frames[-1]) / scale - 380) < 0.03 * np.hypot(W, H)
    band = int(50 * scale)
    change = np.abs(frames[-1][:band].astype(float) - frames[0][:band].astype(float)).mean()
    assert change < 3.0, f"static band changed by {change:.2f} grey levels"


def test_mask_with_another_aspect_ratio_fails_the_task(server: Server) -> None:
    square = np.zeros((300, 300), np.uint8)
    square[100:200, 100:200] = 255
    body = {
        "image": b64_png(scene()),
        "dynamic_masks": [
            {"mask": b64_png(square), "trajectories": [{"x": 10, "y": 10}, {"x": 50, "y": 50}]}
        ],
    }
    with server.client() as c:
        created = c.post(I2V, json=body).json()
        assert created["code"] == 0, created  # accepted: upstream fails such tasks asynchronously
        done = wait_for(c, f"{I2V}/{created['data']['task_id']}", timeout=120)
    assert done["task_status"] == "failed" and "aspect" in done["task_status_msg"].lower()
