"""``kinema t2v``: a prompt in, an MP4 out, on the tiny text-to-video pipeline named in KINEMA_MODELS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinema.cli.main import app
from kinema.settings import get_settings
from tests.api.test_engines_e2e import probe
from tests.engines.generative.tiny import TINY, save_t2v


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = save_t2v(tmp_path / "t2v")
    monkeypatch.setenv("KINEMA_MODELS", json.dumps({"kling-v2-6": {"path": str(folder), **TINY}}))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_writes_a_clip_of_the_requested_shape(configured: Path, tmp_path: Path) -> None:
    out = tmp_path / "clip.mp4"
    result = CliRunner().invoke(app, ["t2v", "a cat dances", "--aspect", "1:1", "-d", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = probe(out.read_bytes())
    assert (info["width"], info["height"], info["frames"], info["fps"]) == (
        32,
        32,
        5 * TINY["fps"],
        TINY["fps"],
    )


def test_an_unconfigured_model_is_refused(configured: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["t2v", "a cat", "--model", "kling-v1", "-o", str(tmp_path / "x.mp4")])
    assert result.exit_code == 2 and "no engine serves text2video" in result.output
