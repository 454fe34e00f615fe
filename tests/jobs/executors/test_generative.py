"""The one place that picks an engine: routing per model_name and the create-time policy for controls a
generative pipeline cannot honour (no torch needed: folders are checked, never loaded, here)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kinema.contract.errors import Code, KlingError
from kinema.jobs.executors import generative
from kinema.jobs.executors.base import JobContext, OutputFile
from kinema.settings import Settings
from tests.engines.generative.tiny import fake_folder


def _settings(tmp_path: Path, **extra: Any) -> Settings:
    models = {
        "kling-v1": str(fake_folder(tmp_path / "i2v")),
        "kling-v3": [str(fake_folder(tmp_path / "ti2v", expand_timesteps=True))],
        "kling-v2-6": str(fake_folder(tmp_path / "t2v", "WanPipeline")),
    }
    return Settings(data_dir=tmp_path / "data", models=json.loads(json.dumps(models)), **extra)


def _req(**fields: Any) -> SimpleNamespace:
    base = {
        "model_name": "kling-v1",
        "image_tail": None,
        "static_mask": None,
        "dynamic_masks": None,
        "camera_control": None,
        "sound": None,
        "multi_shot": None,
        "element_list": None,
        "voice_list": None,
    }
    return SimpleNamespace(**{**base, **fields})


def _ctx(request: SimpleNamespace, kind: str = "image2video") -> JobContext[Any]:
    return JobContext(
        task_id="t", kind=kind, request=request, inputs={}, workdir=Path("."), progress=lambda _f: None
    )


def test_reject_policy_names_the_field(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    generative.admit("image2video", _req(), settings)  # nothing unhonoured: accepted
    generative.admit("image2video", _req(model_name="kling-v1-6", static_mask="x"), settings)  # CPU model
    generative.admit("image2video", _req(sound="on"), settings)  # chained to the video-to-audio engine
    for fields, name in (
        ({"static_mask": "x"}, "static_mask"),
        ({"dynamic_masks": [1]}, "dynamic_masks"),
        ({"camera_control": {"type": "simple"}}, "camera_control"),
        ({"model_name": "kling-v3", "image_tail": "x"}, "image_tail"),  # TI2V ignores last_image
    ):
        with pytest.raises(KlingError) as err:
            generative.admit("image2video", _req(**fields), settings)
        assert err.value.code == Code.INVALID_PARAM and err.value.message.startswith(f"{name}: ")


def test_cpu_policy_runs_unhonoured_requests_on_the_cpu_engine(tmp_path: Path) -> None:
    settings = _settings(tmp_path, generative_unsupported="cpu")
    generative.admit("image2video", _req(static_mask="x"), settings)
    ran: list[str] = []

    def cpu(ctx: JobContext[Any]) -> list[OutputFile]:
        ran.append(ctx.request.model_name)
        return []

    run = generative.routed("image2video", settings, cpu)
    assert run is not cpu
    run(_ctx(_req(static_mask="x")))
    run(_ctx(_req(model_name="kling-v1-6")))
    assert ran == ["kling-v1", "kling-v1-6"]


def test_text_to_video_needs_a_pipeline(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    generative.admit("text2video", _req(model_name="kling-v2-6"), settings)
    with pytest.raises(KlingError) as err:
        generative.admit("text2video", _req(model_name="kling-v1"), settings)
    assert err.value.code == Code.NOT_FOUND and "'kling-v1'" in err.value.message
    with pytest.raises(KlingError) as err:  # even under the cpu policy: there is no CPU text to video
        generative.admit(
            "text2video",
            _req(model_name="kling-v2-6", camera_control={"type": "simple"}),
            _settings(tmp_path / "b", generative_unsupported="cpu"),
        )
    assert err.value.code == Code.INVALID_PARAM


def test_no_models_leaves_executors_untouched(tmp_path: Path) -> None:
    def cpu(ctx: JobContext[Any]) -> list[OutputFile]:
        return []

    settings = Settings(data_dir=tmp_path)
    assert generative.routed("image2video", settings, cpu) is cpu
    assert generative.routed("avatar", _settings(tmp_path / "x"), cpu) is cpu


def test_the_server_imports_without_torch() -> None:
    """Without the kinema[gpu] extra the server, workers and CLI still import (torch loads only in a task)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class NoGpu:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'diffusers', 'transformers'):\n"
        "            raise ImportError(name + ' is not installed')\n"
        "sys.meta_path.insert(0, NoGpu())\n"
        "import kinema.api.app, kinema.worker, kinema.cli.main, kinema.jobs.registry\n"
        "from kinema.jobs.executors import generative\n"
        "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
