"""``kinema tts``: writes the file and reports the duration; bad voices exit non-zero."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from kinema.cli.tts import command
from kinema.media.audio_io import media_duration


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(command)
    return app


def test_writes_mp3_and_phones(tmp_path: Path) -> None:
    out = tmp_path / "hi.mp3"
    res = CliRunner().invoke(_app(), ["Hello from the command line.", "-o", str(out), "--phones"])
    assert res.exit_code == 0, res.output
    assert out.is_file() and media_duration(out) > 0.8
    printed = float(re.search(r"(\d+\.\d+) s", res.output).group(1))  # type: ignore[union-attr]
    assert abs(printed - media_duration(out)) < 0.1
    phones = json.loads((tmp_path / "hi.phones.json").read_text(encoding="utf-8"))
    assert phones["alphabet"] == "ipa" and len(phones["phones"]) > 10


def test_unknown_voice_fails(tmp_path: Path) -> None:
    res = CliRunner().invoke(_app(), ["Hello", "-o", str(tmp_path / "x.mp3"), "--voice", "nope"])
    assert res.exit_code == 2 and not (tmp_path / "x.mp3").exists()


def test_engine_picks_the_previous_voice_and_is_checked_per_language(tmp_path: Path) -> None:
    out = tmp_path / "piper.wav"
    res = CliRunner().invoke(_app(), ["Hello there.", "-o", str(out), "--engine", "piper"])
    assert res.exit_code == 0, res.output
    assert "voice=piper:" in res.output and media_duration(out) > 0.3
    wrong = CliRunner().invoke(_app(), ["Hello", "-o", str(tmp_path / "x.mp3"), "--engine", "espeak-ng"])
    assert wrong.exit_code == 2 and "--engine" in wrong.output
