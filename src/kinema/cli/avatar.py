"""``kinema avatar --image face.jpg (--audio speech.wav | --text "…") -o out.mp4``: local, no server."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from kinema.contract.vocabulary import Mode
from kinema.engines.avatar import AvatarOptions, render_avatar
from kinema.engines.base import EngineInputError


def command(
    image: Path = typer.Option(..., "--image", "-i", help="Portrait photo (JPEG/PNG/WebP…)."),
    audio: Path | None = typer.Option(None, "--audio", "-a", help="Speech track (WAV/MP3/M4A…)."),
    text: str | None = typer.Option(None, "--text", "-t", help="Say this with the offline English TTS."),
    output: Path = typer.Option(Path("avatar.mp4"), "-o", "--output", help="Output MP4."),
    prompt: str | None = typer.Option(None, "--prompt", "-p", help="e.g. 'smile, nod, slow push-in'."),
    mode: Mode = typer.Option(Mode.STD, "--mode", help="std (≤720p) or pro (≤1080p, slower, better)."),
    transcript: str | None = typer.Option(
        None, "--transcript", help="The English words spoken in --audio (force-aligned)."),
) -> None:
    """Render a lip-synced talking-head video from one portrait and speech, offline on the CPU."""
    if (audio is None) == (text is None):
        raise typer.BadParameter("give exactly one of --audio or --text", param_hint="--audio/--text")
    from kinema.worker import quiet_idle_threads

    quiet_idle_threads()  # as in a worker: before Whisper's OpenMP runtime loads
    with tempfile.TemporaryDirectory(prefix="kinema-avatar-") as tmp:
        phones_path: Path | None = None
        if text is not None:
            from kinema.engines.tts import synthesize, write_phones_json
            from kinema.jobs.tts_setup import tts_setup
            from kinema.media.audio_io import write_wav
            from kinema.settings import get_settings

            try:
                speech = synthesize(text, language="en", setup=tts_setup(get_settings()))
            except ValueError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(code=2) from exc
            audio = Path(tmp) / "speech.wav"
            write_wav(speech.samples, speech.sample_rate, audio)
            phones_path = Path(tmp) / "speech.phones.json"
            write_phones_json(speech, phones_path)
        assert audio is not None
        output.parent.mkdir(parents=True, exist_ok=True)
        opts = AvatarOptions(mode=mode, prompt=prompt, phones_path=phones_path,
                             transcript=transcript if text is None else None)
        columns = (TextColumn("[bold]avatar"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
        with Progress(*columns) as bar:
            task = bar.add_task("render", total=1.0)
            try:
                result = render_avatar(image, audio, output, opts, lambda f: bar.update(task, completed=f))
            except EngineInputError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(code=2) from exc
    typer.echo(f"{result.path}  {result.width}x{result.height}  {result.duration_s:.2f} s  "
               f"{result.frames} frames  mouth from {result.speech_source}  "
               f"in {result.timings.get('total_s', 0):.1f} s")
