"""``kinema avatar`` option checking (rendering itself is covered by the engine's tests)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kinema.cli.main import app


def test_mode_must_be_std_or_pro(tmp_path: Path) -> None:
    args = ["avatar", "--image", str(tmp_path / "face.jpg"), "--text", "hi", "--mode", "ultra"]
    out = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "o.mp4")])
    assert out.exit_code == 2
    assert "--mode" in out.output and "'std', 'pro'" in out.output
    assert not (tmp_path / "o.mp4").exists()
