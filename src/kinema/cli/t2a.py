"""``kinema t2a "rain on a tin roof" -d 5 [-o outdir_or_prefix]``: sound effects and/or music from words,
locally, with the engine the server's ``/audio/text-to-audio`` runs."""

from __future__ import annotations

from pathlib import Path

import typer

from kinema.engines.base import EngineInputError
from kinema.engines.video_to_audio.text_to_audio import MAX_SECONDS, MIN_SECONDS, text_to_audio


def _split_output(output: Path) -> tuple[Path, str]:
    """``out`` (a directory) → ``out/t2a.{wav,mp3}``; ``out/rain.mp3`` (or .wav) → ``out/rain.*``."""
    for suffix in (".mp3", ".wav"):
        if output.name.endswith(suffix) and not output.is_dir():
            return output.parent, output.name[: -len(suffix)] or "t2a"
    return output, "t2a"


def command(
    prompt: str = typer.Argument(..., help="What to hear, e.g. 'rain on a tin roof' or 'calm piano'."),
    duration: float = typer.Option(
        5.0, "-d", "--duration", min=MIN_SECONDS, max=MAX_SECONDS, help="Length in seconds."
    ),
    output: Path = typer.Option(
        Path("t2a_out"), "-o", "--output", help="Output directory, or a prefix ending in .mp3/.wav."
    ),
    seed: int = typer.Option(0, "--seed", help="Same prompt, length and seed: the same audio."),
    soundfont: str = typer.Option(
        "auto",
        "--soundfont",
        envvar="KINEMA_SOUNDFONT",
        help="Music on this General MIDI SoundFont: auto (Debian's, when installed), a path, or none.",
    ),
) -> None:
    """Make sound effects and/or music from a prompt offline; writes a WAV and an MP3."""
    out_dir, name = _split_output(output)
    try:
        result = text_to_audio(
            prompt, round(duration, 1), out_dir, seed=seed, name=name, soundfont=soundfont
        )
    except EngineInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    track = result.track
    typer.echo(f"{result.wav}\n{result.mp3}")
    typer.echo(
        f"{result.duration:.2f} s, {result.lufs:.1f} LUFS, {result.true_peak_db:.1f} dBTP, "
        f"impacts={','.join(track.words.impacts) or 'none'} ({track.hits} hits), "
        f"beds={','.join(track.words.beds[:3]) or 'none'}, whoosh={track.words.whoosh}, "
        f"music={track.music} ({track.music_source})"
    )
