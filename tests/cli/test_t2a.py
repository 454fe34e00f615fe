"""``kinema t2a``: the prompt and length in, a WAV and an MP3 of that length out, named as asked."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kinema.cli.main import app
from kinema.media.audio_io import decode_audio


def test_writes_wav_and_mp3_of_the_requested_length(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        app, ["t2a", "rain on a tin roof", "-d", "3.5", "-o", str(tmp_path / "rain.mp3")]
    )
    assert out.exit_code == 0, out.output
    wav, mp3 = tmp_path / "rain.wav", tmp_path / "rain.mp3"
    assert str(wav) in out.output and str(mp3) in out.output and "beds=rain" in out.output
    assert len(decode_audio(wav, 48000)) == 3.5 * 48000 and mp3.stat().st_size > 1000


def test_a_directory_gets_t2a_files(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["t2a", "calm piano", "-d", "3", "-o", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "out" / "t2a.wav").is_file() and (tmp_path / "out" / "t2a.mp3").is_file()
    assert "music=calm" in out.output


def test_a_length_out_of_range_is_refused(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["t2a", "rain", "-d", "500", "-o", str(tmp_path / "o")])
    assert out.exit_code == 2 and "--duration" in out.output
    assert not (tmp_path / "o").exists()
