"""The ``kinema avatar`` command, run in-process (no server)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from typer.testing import CliRunner

from kinema.cli.avatar import command


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(command)
    return app


def test_cli_renders_from_audio(astronaut_path: Path, speech: tuple[Path, Path, np.ndarray, list[dict]],
                                tmp_path: Path) -> None:
    wav = speech[0]
    out = tmp_path / "o.mp4"
    res = CliRunner().invoke(_app(), ["--image", str(astronaut_path), "--audio", str(wav), "-o", str(out),
                                      "--prompt", "calm"])
    assert res.exit_code == 0, res.output
    assert out.exists() and out.stat().st_size > 10_000
    assert "512x512" in res.output


def test_cli_force_aligns_a_transcript(astronaut_path: Path, tmp_path: Path) -> None:
    from kinema.engines.tts import synthesize
    from kinema.media.audio_io import write_wav

    s = synthesize("Bob may move the blue boat.", language="en")
    wav = tmp_path / "bob.wav"
    write_wav(s.samples, s.sample_rate, wav)
    out = tmp_path / "o.mp4"
    res = CliRunner().invoke(_app(), ["--image", str(astronaut_path), "--audio", str(wav), "-o", str(out),
                                      "--transcript", "Bob may move the blue boat."])
    assert res.exit_code == 0, res.output
    assert "mouth from aligned" in res.output


def test_cli_needs_exactly_one_speech_source(astronaut_path: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(_app(), ["--image", str(astronaut_path), "-o", str(tmp_path / "o.mp4")])
    assert res.exit_code != 0


def test_cli_reports_no_face(tmp_path: Path, speech: tuple[Path, Path, np.ndarray, list[dict]]) -> None:
    from PIL import Image

    blank = tmp_path / "b.png"
    Image.fromarray(np.full((300, 300, 3), 200, np.uint8)).save(blank)
    res = CliRunner().invoke(_app(), ["--image", str(blank), "--audio", str(speech[0]), "-o",
                                      str(tmp_path / "o.mp4")])
    assert res.exit_code == 2 and "no face" in res.output
