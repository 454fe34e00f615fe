"""``kinema watermark IN.mp4 -o OUT.mp4``: the server's watermarked copy, made locally from any MP4.

It is the same code the worker runs for ``watermark_info.enabled`` (``kinema.media.watermark``), with the
same ``KINEMA_WATERMARK_*`` settings as defaults, so an operator can try a mark before configuring it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import typer

from kinema.jobs.watermark import watermark_style
from kinema.media.watermark import CORNERS, WatermarkStyle, watermark_video
from kinema.settings import get_settings


def _style(
    text: str | None, image: Path | None, corner: str | None, size: float | None, opacity: float | None
) -> WatermarkStyle:
    """The configured style with the options given on the command line put over it."""
    base = watermark_style(get_settings())
    changes: dict[str, Any] = {
        "text": text,
        "image": image,
        "corner": corner,
        "size": size,
        "opacity": opacity,
    }
    changes = {name: value for name, value in changes.items() if value is not None}
    if text is not None and image is None:
        changes["image"] = None  # a text given here wins over a configured image
    try:
        return replace(base, **changes)
    except ValueError as exc:  # WatermarkStyle's own rules (corner, ASCII text, ranges)
        raise typer.BadParameter(str(exc)) from exc


def command(
    video: Path = typer.Argument(..., exists=True, dir_okay=False, help="The MP4 to mark."),
    output: Path = typer.Option(Path("watermarked.mp4"), "-o", "--output", help="Output MP4."),
    text: str | None = typer.Option(None, "--text", help="Mark text (default KINEMA_WATERMARK_TEXT)."),
    image: Path | None = typer.Option(
        None, "--image", exists=True, dir_okay=False, help="PNG mark (default KINEMA_WATERMARK_IMAGE)."
    ),
    corner: str | None = typer.Option(None, "--corner", help=f"One of {', '.join(CORNERS)}."),
    size: float | None = typer.Option(None, "--size", help="Mark height, share of the short side."),
    opacity: float | None = typer.Option(None, "--opacity", help="0..1."),
) -> None:
    """Put the visible watermark on a video; the audio is copied, the picture re-encoded."""
    style = _style(text, image, corner, size, opacity)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = watermark_video(video, output, style)
    except (av.FFmpegError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    x0, y0, x1, y1 = result.box
    audio = "audio copied" if result.audio_copied else "no audio"
    typer.echo(f"{result.path}  {result.frames} frames  mark at {x0},{y0}-{x1},{y1}  {audio}")
