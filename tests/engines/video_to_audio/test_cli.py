"""``kinema v2a``: output naming and a local run."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from kinema.cli.v2a import _split_output, command
from tests.engines.video_to_audio.synth_clips import Clip


def test_output_naming(tmp_path: Path) -> None:
    assert _split_output(tmp_path) == (tmp_path, "v2a")
    assert _split_output(tmp_path / "new_dir") == (tmp_path / "new_dir", "v2a")
    assert _split_output(tmp_path / "clip.mp4") == (tmp_path, "clip")
    assert _split_output(tmp_path / "clip.wav") == (tmp_path, "clip")


def test_cli_run(ball: Clip, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(command)
    out = tmp_path / "scored.mp4"
    res = CliRunner().invoke(app, [str(ball.path), "-o", str(out), "--sfx", "wood", "--bgm", "no music"])
    assert res.exit_code == 0, res.output
    assert all((tmp_path / f"scored.{ext}").is_file() for ext in ("wav", "mp3", "mp4"))
    assert "impact=wood" in res.output and "music=none" in res.output
    same = CliRunner().invoke(app, [str(ball.path), "-o", str(ball.path)])
    assert same.exit_code != 0  # never overwrite the input
