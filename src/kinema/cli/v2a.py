"""``kinema v2a in.mp4 [--sfx …] [--bgm …] [--asmr] -o outdir_or_prefix``: score a silent clip locally."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from kinema.engines.base import EngineInputError
from kinema.engines.video_to_audio import video_to_audio


def _split_output(output: Path) -> tuple[Path, str]:
    """Where the three files go: ``out/`` or ``out`` (a directory) → ``out/v2a.{wav,mp3,mp4}``;
    ``out/clip.mp4`` (or ``.mp3``/``.wav``, or ``out/clip.`` ) → ``out/clip.{wav,mp3,mp4}``.

    (Typer drops a trailing slash, so "has a media suffix" is what marks a prefix.)
    """
    name = output.name
    for suffix in (".mp4", ".mp3", ".wav", "."):
        if name.endswith(suffix) and not output.is_dir():
            return output.parent, name[: -len(suffix)] or "v2a"
    return output, "v2a"


def command(
    video: Path = typer.Argument(..., exists=True, dir_okay=False, help="Input video (MP4/MOV, 3–20 s)."),
    output: Path = typer.Option(
        Path("v2a_out"), "-o", "--output", help="Output directory, or a prefix ending in .mp4/.mp3/.wav."
    ),
    sfx: str = typer.Option("", "--sfx", help="Sound-effect words, e.g. 'footsteps on wood, rain'."),
    bgm: str = typer.Option("", "--bgm", help="Music words, e.g. 'calm piano' or 'epic cinematic'."),
    asmr: bool = typer.Option(False, "--asmr", help="Close, detailed effects over a quiet background."),
    seed: int = typer.Option(0, "--seed", help="Random seed for the procedural textures."),
    soundfont: str = typer.Option(
        "auto",
        "--soundfont",
        envvar="KINEMA_SOUNDFONT",
        help="Music on this General MIDI SoundFont: auto (Debian's, when installed), a path, or none.",
    ),
) -> None:
    """Generate sound effects and music for a video offline; writes WAV, MP3 and the re-scored MP4."""
    out_dir, name = _split_output(output)
    if (out_dir / f"{name}.mp4").resolve() == video.resolve():
        raise typer.BadParameter("the output would overwrite the input video", param_hint="--output")
    columns = (TextColumn("[bold]v2a"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("v2a", total=1.0)
        try:
            result = video_to_audio(
                video,
                out_dir,
                sfx,
                bgm,
                asmr,
                seed=seed,
                name=name,
                progress=lambda f: bar.update(task, completed=f),
                soundfont=soundfont,
            )
        except EngineInputError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
    s = result.summary
    typer.echo(f"{result.wav}\n{result.mp3}\n{result.video}")
    typer.echo(
        f"{result.duration:.2f} s, {result.lufs:.1f} LUFS, {result.true_peak_db:.1f} dBTP, "
        f"{len(s['events'])} motion events, impact={s['impact']}, beds={','.join(s['beds'])}, "
        f"music={s['music']} ({s['music_source']}), "
        f"picture {'copied' if result.picture_copied else 're-encoded'}"
    )
