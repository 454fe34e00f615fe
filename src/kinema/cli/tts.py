"""``kinema tts "text" -o out.mp3``: run the TTS engine locally, no server needed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from kinema.contract.voices import VoiceLanguage
from kinema.engines.tts import TtsSetup, synthesize, write_phones_json
from kinema.jobs.tts_setup import tts_setup
from kinema.media.audio_io import write_mp3, write_wav
from kinema.settings import get_settings


def _with_engine(setup: TtsSetup, language: VoiceLanguage, engine: str | None) -> TtsSetup:
    """The configured engines, with ``--engine`` (when given) for the language spoken."""
    if engine is None:
        return setup
    if language == "en" and engine in ("kokoro", "piper"):
        return replace(setup, en="piper" if engine == "piper" else "kokoro")
    if language == "zh" and engine in ("kokoro", "espeak-ng"):
        return replace(setup, zh="espeak-ng" if engine == "espeak-ng" else "kokoro")
    allowed = "kokoro or piper" if language == "en" else "kokoro or espeak-ng"
    raise typer.BadParameter(f"must be {allowed} for --lang {language}", param_hint="--engine")


def command(
    text: str = typer.Argument(..., help="What to say (≤ 1000 characters)."),
    output: Path = typer.Option(Path("speech.mp3"), "-o", "--output", help="Output file (.mp3 or .wav)."),
    lang: str = typer.Option("en", "--lang", help="Voice language: en or zh."),
    voice: str | None = typer.Option(None, "--voice", help="A preset Kling voice id of that language."),
    speed: float = typer.Option(1.0, "--speed", help="0.8–2.0; clamped and rounded to 1 decimal."),
    phones: bool = typer.Option(False, "--phones", help="Also write <output>.phones.json (IPA timings)."),
    engine: str | None = typer.Option(
        None, "--engine", help="kokoro, or the previous engine (piper for en, espeak-ng for zh); "
        "default: KINEMA_TTS_EN_ENGINE / KINEMA_TTS_ZH_ENGINE."
    ),
) -> None:
    """Synthesise speech offline and write it as MP3 (or WAV), printing its duration."""
    if lang not in ("en", "zh"):
        raise typer.BadParameter("must be 'en' or 'zh'", param_hint="--lang")
    language: VoiceLanguage = "en" if lang == "en" else "zh"
    setup = _with_engine(tts_setup(get_settings()), language, engine)
    try:
        speech = synthesize(text, language=language, voice_id=voice, speed=speed, setup=setup)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() == ".wav":
        write_wav(speech.samples, speech.sample_rate, output)
    else:
        write_mp3(speech.samples, speech.sample_rate, output)
    if phones:
        write_phones_json(speech, output.with_suffix(".phones.json"))
    typer.echo(f"{output}  {speech.duration:.2f} s  voice={speech.voice}")
