"""``kinema voices``: the preset voices, as ``GET …/general/presets-voices`` lists them, read from the
contract (no server needed): id, name, language, the Kokoro voice (and pace) kinema's TTS speaks it
with, and the character profile of the previous engines (Piper, espeak-ng; docs/voices.md). ``--json``
prints one object per voice, for scripts."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from kinema.contract.voices import preset_voices
from kinema.engines.tts.kokoro_voices import kokoro_voice
from kinema.engines.tts.voices import VOICE_CLASS


def command(
    lang: str | None = typer.Option(None, "--lang", help="Only the voices of this language: zh or en."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line instead of a table."),
) -> None:
    """List the preset voices: id, name, language, Kokoro voice and previous-engine profile of each."""
    if lang not in (None, "zh", "en"):
        raise typer.BadParameter("must be 'zh' or 'en'", param_hint="--lang")
    voices = [v for v in preset_voices() if lang is None or v.voice_language == lang]
    if as_json:
        for v in voices:
            row = {
                "voice_id": v.voice_id,
                "voice_name": v.voice_name,
                "voice_language": v.voice_language,
                "kokoro_voice": kokoro_voice(v.voice_id, v.voice_language).name,
                "kokoro_pace": kokoro_voice(v.voice_id, v.voice_language).pace,
                "profile": VOICE_CLASS[v.voice_id],
            }
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    title = f"{len(voices)} preset voices"
    columns = ("voice_id", "voice_name", "language", "Kokoro voice", "pace", "previous profile")
    table = Table(*columns, title=title)
    for v in voices:
        kv = kokoro_voice(v.voice_id, v.voice_language)
        table.add_row(
            v.voice_id, v.voice_name, v.voice_language, kv.name, f"{kv.pace:.2f}", VOICE_CLASS[v.voice_id]
        )
    Console(width=120).print(table)
