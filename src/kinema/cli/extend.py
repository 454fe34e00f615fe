"""``kinema extend in.mp4 [-p "prompt"] [-s 5] -o out.mp4``: continue a clip locally, with the engine the
server's ``/videos/video-extend`` runs (the result is the whole clip, 4–5 s longer)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from kinema.contract.requests.video_extend import EXTEND_MAX_S, EXTEND_MIN_S
from kinema.engines.base import EngineInputError
from kinema.engines.video_extend import ExtendOptions, extend_video


def command(
    video: Path = typer.Argument(..., exists=True, dir_okay=False, help="The clip to continue (MP4/MOV)."),
    output: Path = typer.Option(Path("extended.mp4"), "-o", "--output", help="The extended MP4."),
    prompt: str = typer.Option(
        "", "-p", "--prompt", help="What happens next; camera words steer, else the clip's motion goes on."
    ),
    negative_prompt: str = typer.Option("", "--negative-prompt", help="Motions to avoid."),
    cfg_scale: float | None = typer.Option(None, "--cfg-scale", min=0.0, max=1.0, help="0..1, default 0.5."),
    seconds: float = typer.Option(
        EXTEND_MAX_S, "-s", "--seconds", min=EXTEND_MIN_S, max=EXTEND_MAX_S, help="Seconds to add."
    ),
    seed: int = typer.Option(0, "--seed", help="Same clip, prompt and seed: the same result."),
) -> None:
    """Continue a video by 4–5 s from its last frame offline; writes the whole extended clip."""
    if output.resolve() == video.resolve():
        raise typer.BadParameter("the output would overwrite the input video", param_hint="--output")
    options = ExtendOptions(prompt, negative_prompt, cfg_scale, seconds, seed)
    columns = (TextColumn("[bold]extend"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("extend", total=1.0)
        try:
            result = extend_video(video, output, options, lambda f: bar.update(task, completed=f))
        except EngineInputError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
    typer.echo(str(result.path))
    seam = result.seam
    typer.echo(
        f"{result.width}x{result.height} at {float(result.fps):g} fps, {result.duration_s:.2f} s "
        f"({result.parent_frames} + {result.added_frames} frames), camera {result.camera}, "
        f"sound {result.audio}, seam difference {seam.get('seam_mad', 0):.2f} "
        f"(median {seam.get('median_mad', 0):.2f})"
    )
