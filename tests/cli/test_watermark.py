"""``kinema watermark``: the worker's marked copy from the command line, settings as defaults."""

from __future__ import annotations

from pathlib import Path

import av
from typer.testing import CliRunner

from kinema.cli.main import app
from tests.media.test_watermark import _clip, _frames


def test_marks_a_clip_in_the_corner_asked_for(tmp_path: Path) -> None:
    src = _clip(tmp_path / "in.mp4")
    out = tmp_path / "out" / "marked.mp4"
    result = CliRunner().invoke(
        app, ["watermark", str(src), "-o", str(out), "--text", "demo", "--corner", "top-left"]
    )
    assert result.exit_code == 0, result.output
    assert "audio copied" in result.output and "48 frames" in result.output
    box = result.output.split("mark at ")[1].split()[0]
    x0, y0 = (int(v) for v in box.split("-")[0].split(","))
    assert x0 < 20 and y0 < 20  # top-left
    assert len(_frames(out)) == len(_frames(src))
    with av.open(str(out)) as c:
        assert c.streams.audio


def test_a_bad_corner_is_refused(tmp_path: Path) -> None:
    src = _clip(tmp_path / "in.mp4", audio=False)
    result = CliRunner().invoke(
        app, ["watermark", str(src), "-o", str(tmp_path / "o.mp4"), "--corner", "middle"]
    )
    assert result.exit_code == 2 and "corner" in result.output
    assert not (tmp_path / "o.mp4").exists()
