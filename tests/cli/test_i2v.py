"""``kinema i2v`` option checking (rendering itself is covered by the engine's tests) and `--sound`."""

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


def _still(tmp_path: Path) -> Path:
    image = tmp_path / "in.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)).save(image)
    return image


def test_shot_seconds_must_add_up_to_the_duration(tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    base = ["i2v", "--image", str(_still(tmp_path)), "--duration", "5", "-o", str(out)]
    wrong = CliRunner().invoke(app, [*base, "--shot", "2:zoom in", "--shot", "2:pan left"])
    assert wrong.exit_code == 2 and "add up to 4, not --duration 5" in wrong.output
    bad = CliRunner().invoke(app, [*base, "--shot", "two:zoom in"])
    assert bad.exit_code == 2 and "SECONDS:PROMPT" in bad.output
    both = CliRunner().invoke(app, [*base, "--shot", "5:zoom in", "--auto-shots"])
    assert both.exit_code == 2 and "not both" in both.output
    assert not out.exists()


def test_shots_render_with_the_models_size_and_rate(tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    args = ["i2v", "--image", str(_still(tmp_path)), "--model", "kling-v3", "--duration", "3", "-o", str(out)]
    done = CliRunner().invoke(app, [*args, "--shot", "1:zoom in", "--shot", "2:pan left"])
    assert done.exit_code == 0, done.output
    assert "960x720  24 fps" in done.output and "cuts at frames 24" in done.output


def test_sound_adds_an_aac_track_and_leaves_no_silent_copy(tmp_path: Path) -> None:
    import av

    image = tmp_path / "in.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (120, 160, 3), np.uint8)).save(image)
    out_dir = tmp_path / "out"
    args = ["i2v", "--image", str(image), "--duration", "3", "--model", "kling-v3", "-p", "rain"]
    for sound in ([], ["--sound"]):
        name = "loud.mp4" if sound else "quiet.mp4"
        done = CliRunner().invoke(app, [*args, *sound, "-o", str(out_dir / name)])
        assert done.exit_code == 0, done.output
    with av.open(str(out_dir / "loud.mp4")) as c:
        assert [s.codec_context.name for s in c.streams.audio] == ["aac"]
    with av.open(str(out_dir / "quiet.mp4")) as c:
        assert not c.streams.audio
    assert "sound: effects 'rain', music 'no music', beds rain" in done.output
    assert sorted(p.name for p in out_dir.iterdir()) == ["loud.mp4", "quiet.mp4"]
