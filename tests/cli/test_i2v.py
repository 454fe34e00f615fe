"""``kinema i2v`` option checking (rendering itself is covered by the engine's tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from kinema.cli.main import app


def test_mode_must_be_std_or_pro(tmp_path: Path) -> None:
    image = tmp_path / "in.png"
    Image.fromarray(np.full((64, 96, 3), 128, np.uint8)).save(image)
    args = ["i2v", "--image", str(image), "--mode", "ultra", "-o", str(tmp_path / "o.mp4")]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 2
    assert "--mode" in out.output and "'std', 'pro'" in out.output
    assert not (tmp_path / "o.mp4").exists()
