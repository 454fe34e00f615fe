"""``kinema extend``: a clip in, the same clip 4–5 s longer out, at its size and rate."""

from __future__ import annotations

from pathlib import Path

import av
from typer.testing import CliRunner

from kinema.cli.main import app
from tests.engines.video_to_audio.synth_clips import side_mover


def test_extends_a_clip_by_the_seconds_asked(tmp_path: Path) -> None:
    clip = side_mover(tmp_path / "in.mp4", "right", size=(160, 96))
    out_path = tmp_path / "longer.mp4"
    out = CliRunner().invoke(
        app, ["extend", str(clip.path), "-s", "4", "-p", "gentle wind", "-o", str(out_path)]
    )
    assert out.exit_code == 0, out.output
    assert str(out_path) in out.output and "160x96" in out.output and "seam difference" in out.output
    with av.open(str(out_path)) as c:
        v = c.streams.video[0]
        seconds = float(v.frames / v.average_rate)
    assert abs(seconds - (clip.duration + 4.0)) < 0.05


def test_refuses_to_overwrite_its_input_and_out_of_range_seconds(tmp_path: Path) -> None:
    clip = side_mover(tmp_path / "in.mp4", "right", size=(160, 96))
    same = CliRunner().invoke(app, ["extend", str(clip.path), "-o", str(clip.path)])
    assert same.exit_code == 2 and "overwrite" in same.output
    far = CliRunner().invoke(app, ["extend", str(clip.path), "-s", "9", "-o", str(tmp_path / "o.mp4")])
    assert far.exit_code == 2 and "--seconds" in far.output
