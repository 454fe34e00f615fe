"""Generative engines end to end over HTTP (docs/gpu.md): tiny random Wan pipelines saved to a folder,
KINEMA_MODELS pointing at them, a real server and worker. All on the CPU; nothing is downloaded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.media import png_b64
from tests.api.server import Server, start_server, wait_for
from tests.api.test_engines_e2e import probe
from tests.engines.generative.tiny import TINY, models_setting, save_i2v, save_t2v

I2V = "/kling/v1/videos/image2video"
T2V = "/v1/videos/text2video"
EXTEND = "/v1/videos/video-extend"
MODEL = "kling-v2-6"


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("models")
    return save_i2v(root / "wan-i2v"), save_t2v(root / "wan-t2v")


@pytest.fixture(scope="module")
def gpu_server(tmp_path_factory: pytest.TempPathFactory, folders: tuple[Path, Path]) -> Iterator[Server]:
    srv = start_server(
        tmp_path_factory.mktemp("kinema-gpu"),
        KINEMA_MODELS=json.dumps(models_setting(*folders)),
        KINEMA_JOB_TIMEOUT_S="300",
    )
    yield srv
    srv.stop()


def _run(srv: Server, path: str, body: dict) -> tuple[dict, dict, list[int]]:
    """Create, poll (recording task_progress), download: (final task, probe of the video, progress seen)."""
    seen: list[int] = []
    with srv.client() as c:
        created = c.post(path, json=body).json()
        assert created["code"] == 0, created
        url = f"{path}/{created['data']['task_id']}"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            data = c.get(url).json()["data"]
            seen.append(data.get("task_progress", 0))
            if data["task_status"] in ("succeed", "failed"):
                break
            time.sleep(0.2)
        assert data["task_status"] == "succeed", data["task_status_msg"]
        video = data["task_result"]["videos"][0]
        info = probe(c.get(video["url"]).content)
    return data, info, seen


def test_image_to_video_ten_seconds_chains_two_calls(gpu_server: Server) -> None:
    body = {"model_name": MODEL, "image": png_b64(500, 300), "prompt": "a cat dances", "duration": "10"}
    done, info, seen = _run(gpu_server, I2V, body)
    fps = TINY["fps"]
    assert info["codec"] == "h264" and info["fps"] == fps
    assert info["frames"] == 10 * fps  # 20 frames: two 13-frame calls chained on the last frame, trimmed
    assert (info["width"], info["height"]) == (48, 32)  # the 5:3 input's aspect at the 32x32 area, x16
    assert float(done["task_result"]["videos"][0]["duration"]) == pytest.approx(10.0, abs=0.05)
    assert done["task_progress"] == 100 and seen == sorted(seen)


def test_image_to_video_with_image_tail_and_pro_mode(gpu_server: Server) -> None:
    body = {
        "model_name": MODEL,
        "image": png_b64(400, 400, seed=1),
        "image_tail": png_b64(400, 400, seed=2),
        "prompt": "the camera pans left",
        "cfg_scale": 0.9,
        "mode": "pro",
        "duration": "5",
    }
    _, info, _ = _run(gpu_server, I2V, body)
    assert info["frames"] == 5 * TINY["fps"]
    assert (info["width"], info["height"]) == (48, 48)  # pro: 1.5x per side, square input stays square


def test_text_to_video_follows_aspect_ratio(gpu_server: Server) -> None:
    body = {"model_name": MODEL, "prompt": "a monkey runs forward", "aspect_ratio": "9:16", "duration": "5"}
    done, info, _ = _run(gpu_server, T2V, body)
    assert info["frames"] == 5 * TINY["fps"] and info["fps"] == TINY["fps"]
    assert info["width"] < info["height"] and (info["width"], info["height"]) == (32, 48)
    assert done["task_status"] == "succeed" and done["watermark_info"] == {"enabled": False}


def test_unhonoured_controls_are_rejected_naming_the_field(gpu_server: Server) -> None:
    image = png_b64(400, 400)
    with gpu_server.client() as c:
        masked = c.post(I2V, json={"model_name": "kling-v1", "image": image, "static_mask": image})
        camera = c.post(
            I2V,
            json={"model_name": "kling-v1", "image": image, "camera_control": {"type": "down_back"}},
        )
        multi = c.post(
            T2V,
            json={
                "model_name": MODEL,
                "multi_shot": True,
                "shot_type": "customize",
                "multi_prompt": [{"index": 1, "prompt": "a cat", "duration": "5"}],
            },
        )
    for reply, field in ((masked, "static_mask"), (camera, "camera_control"), (multi, "multi_shot")):
        body = reply.json()
        assert reply.status_code == 400 and body["code"] == 1201, body
        assert body["message"].startswith(f"{field}: is not honoured by the generative engine"), body


def test_text_to_video_without_a_pipeline_is_1203(gpu_server: Server) -> None:
    with gpu_server.client() as c:
        reply = c.post(T2V, json={"model_name": "kling-v1-6", "prompt": "a cat dances"})
    body = reply.json()
    assert reply.status_code == 404 and body["code"] == 1203, body
    assert "'kling-v1-6'" in body["message"] and "no engine serves text2video" in body["message"]


def test_broken_folder_stops_start_up_and_models_check_says_why(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(folders[0], broken)
    for weights in (broken / "transformer_2").glob("*.safetensors"):
        weights.unlink()
    setting = json.dumps({MODEL: str(broken)})
    env = {"KINEMA_MODELS": setting, "KINEMA_DATA_DIR": str(tmp_path / "data")}
    check = subprocess.run(
        [sys.executable, "-m", "kinema", "models", "check"],
        env={**os.environ, **env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 2
    assert "transformer_2/ has no weights" in check.stdout and str(broken) in check.stdout
    with pytest.raises(RuntimeError, match="transformer_2/ has no weights"):
        start_server(tmp_path / "srv", KINEMA_MODELS=setting)


def test_models_check_reports_parameters(tmp_path: Path, folders: tuple[Path, Path]) -> None:
    env = {"KINEMA_MODELS": json.dumps(models_setting(*folders)), "COLUMNS": "200"}
    check = subprocess.run(
        [sys.executable, "-m", "kinema", "models", "check"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "WanImageToVideoPipeline serves image2video" in check.stdout
    assert "WanPipeline serves text2video" in check.stdout
    assert "kling-v1 → " in check.stdout  # a plain path is an entry too
    assert "parameters; weights at run dtype" in check.stdout


def _task_row(srv: Server, task_id: str) -> tuple[str, str]:
    """(lane, cmdline of the worker process that ran it) of a finished task."""
    from sqlalchemy import select

    from kinema.db.models import Task

    with srv.db.read() as session:
        lane, worker = session.execute(select(Task.lane, Task.worker).where(Task.id == task_id)).one()
    pid = int(worker.rsplit(":", 1)[1])
    return lane, Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ")


def test_generative_tasks_run_on_the_gpu_worker_and_the_rest_on_a_cpu_worker(gpu_server: Server) -> None:
    image = png_b64(450, 300)
    generative = {"model_name": MODEL, "image": image, "prompt": "a cat dances", "duration": "5"}
    cpu = {"model_name": "kling-v1-6", "image": image, "prompt": "the camera pans left", "duration": "5"}
    with gpu_server.client() as c:
        ids = [c.post(I2V, json=body).json()["data"]["task_id"] for body in (generative, cpu)]
        for task_id in ids:
            done = wait_for(c, f"{I2V}/{task_id}", timeout=240)
            assert done["task_status"] == "succeed", done["task_status_msg"]
    (gpu_lane, gpu_cmd), (cpu_lane, cpu_cmd) = (_task_row(gpu_server, t) for t in ids)
    assert gpu_lane == "gpu" and "kinema worker --gpu" in gpu_cmd
    assert cpu_lane == "cpu" and "kinema worker" in cpu_cmd and "--gpu" not in cpu_cmd


def test_sound_on_chains_the_video_to_audio_engine(gpu_server: Server) -> None:
    body = {"model_name": MODEL, "prompt": "a cat dances", "sound": "on", "duration": "5"}
    done, info, seen = _run(gpu_server, T2V, body)
    assert info["has_audio"] and info["frames"] == 5 * TINY["fps"]
    assert info["audio_s"] == pytest.approx(5.0, abs=0.1)  # the soundtrack lasts as long as the picture
    assert seen == sorted(seen) and done["task_progress"] == 100


def test_video_extend_continues_on_the_parents_pipeline(gpu_server: Server) -> None:
    parent_body = {"model_name": MODEL, "image": png_b64(450, 300), "prompt": "a cat dances", "duration": "5"}
    parent, parent_info, _ = _run(gpu_server, I2V, parent_body)
    video_id = parent["task_result"]["videos"][0]["id"]
    # no model_name: the extension inherits the parent's (kling-v2-6), which has an image-to-video pipeline
    body = {"video_id": video_id, "prompt": "the cat runs", "mode": "pro"}
    done, info, seen = _run(gpu_server, EXTEND, body)
    assert "unsupported_fields" not in done["task_info"]  # model and mode are honoured on the pipeline
    fps = TINY["fps"]
    assert (info["width"], info["height"], info["fps"]) == (parent_info["width"], parent_info["height"], fps)
    assert info["frames"] == parent_info["frames"] + 5 * fps  # 5 s more, generated from the last frame
    assert seen == sorted(seen)
    lane, cmd = _task_row(gpu_server, done["task_id"])
    assert lane == "gpu" and "--gpu" in cmd
    # a model without a pipeline: the CPU extension engine, and the name is reported as without effect
    cpu_done, cpu_info, _ = _run(gpu_server, EXTEND, {"video_id": video_id, "model_name": "kling-v1-6"})
    assert cpu_done["task_info"]["unsupported_fields"] == ["model_name"]
    assert _task_row(gpu_server, cpu_done["task_id"])[0] == "cpu"
    assert cpu_info["frames"] == parent_info["frames"] + 5 * fps
