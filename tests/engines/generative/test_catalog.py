"""KINEMA_MODELS parsing and folder checks: every broken configuration is one clear error, found without
torch and before any task runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinema.engines.generative.catalog import ModelConfigError, parse_models
from kinema.engines.generative.report import inspect, safetensors_header
from tests.engines.generative.tiny import fake_folder


def test_a_path_and_an_object_and_a_list(tmp_path: Path) -> None:
    i2v, t2v = fake_folder(tmp_path / "i2v"), fake_folder(tmp_path / "t2v", "WanPipeline")
    cat = parse_models(
        {
            "kling-v2-6": [str(i2v), {"path": str(t2v), "steps": 8, "fps": 24, "offload": True}],
            "kling-v1": {"path": str(i2v), "dtype": "float16", "device": "cuda:1"},
        }
    )
    assert cat.find("kling-v2-6", "image2video").path == i2v  # type: ignore[union-attr]
    t2v_entry = cat.find("kling-v2-6", "text2video")
    assert t2v_entry is not None and (t2v_entry.steps, t2v_entry.fps, t2v_entry.offload) == (8, 24, True)
    v1 = cat.find("kling-v1", "image2video")
    assert v1 is not None and (v1.dtype, v1.device) == ("float16", "cuda:1")
    assert cat.find("kling-v1", "text2video") is None and cat.find("kling-v3", "image2video") is None
    assert cat.names_for("image2video") == ["kling-v1", "kling-v2-6"]


def test_expand_timestep_models_do_not_take_a_last_frame(tmp_path: Path) -> None:
    cat = parse_models({"kling-v3": str(fake_folder(tmp_path / "ti2v", expand_timesteps=True))})
    entry = cat.find("kling-v3", "image2video")
    assert entry is not None and entry.last_image is False


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"kling-v1": "{root}/nowhere"}, "does not exist (weights are never downloaded)"),
        ({"kling-v1": "{root}/empty"}, "is not a Diffusers folder: no model_index.json"),
        ({"kling-v1": "{root}/ltx"}, "pipeline 'LTXPipeline'"),
        ({"kling-v1": "{root}/noweights"}, "transformer/ has no weights"),
        ({"kling-v1": "{root}/nosched"}, "scheduler/ is missing"),
        ({"kling-v1": {"path": "{root}/ok", "steps": 0}}, "steps: expected a positive whole number"),
        ({"kling-v1": {"path": "{root}/ok", "dtype": "int8"}}, "dtype: one of auto"),
        ({"kling-v1": {"path": "{root}/ok", "size": 3}}, "unknown keys ['size']"),
        ({"kling-v1": {"device": "cuda"}}, "'path' (the Diffusers folder) is required"),
        ({"kling-v1": []}, "an empty list names no folder"),
        ({"kling-v1-5": "{root}/t2v"}, "not a model name of text2video"),
        ({"kling-v1": ["{root}/ok", "{root}/ok"]}, "two folders serve image2video"),
    ],
)
def test_broken_configurations(tmp_path: Path, setting: dict, message: str) -> None:
    fake_folder(tmp_path / "ok")
    fake_folder(tmp_path / "t2v", "WanPipeline")
    (tmp_path / "empty").mkdir()
    fake_folder(tmp_path / "ltx", "LTXPipeline")
    for weights in (fake_folder(tmp_path / "noweights") / "transformer").glob("*.safetensors"):
        weights.unlink()
    for f in (fake_folder(tmp_path / "nosched") / "scheduler").iterdir():
        f.unlink()
    (tmp_path / "nosched" / "scheduler").rmdir()
    raw = json.loads(json.dumps(setting).replace("{root}", str(tmp_path)))
    with pytest.raises(ModelConfigError) as err:
        parse_models(raw)
    assert message in str(err.value) and "KINEMA_MODELS[" in str(err.value)


def test_report_counts_parameters_from_headers(tmp_path: Path) -> None:
    folder = fake_folder(tmp_path / "ok")
    entry = parse_models({"kling-v1": str(folder)}).find("kling-v1", "image2video")
    assert entry is not None
    report = inspect(entry)
    assert report.parameters == 32 and report.estimated_bytes == 64  # bf16 at run time
    header = safetensors_header(folder / "transformer" / "diffusion_pytorch_model.safetensors")
    assert header["w"]["shape"] == [4, 8]


def test_models_need_the_gpu_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "diffusers" else real(name, *a)
    )
    with pytest.raises(ModelConfigError, match=r"diffusers is not installed: pip install 'kinema\[gpu\]'"):
        parse_models({"kling-v1": str(fake_folder(tmp_path / "ok"))})
    assert parse_models({}).entries == ()  # nothing configured: nothing needed
