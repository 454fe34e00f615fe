"""The TTS engine choice a process runs with, read from its settings (``KINEMA_TTS_*``, docs/tts.md)."""

from __future__ import annotations

from kinema.engines.tts import TtsSetup
from kinema.settings import Settings


def tts_setup(settings: Settings) -> TtsSetup:
    """Engines per language and Kokoro's data folder, as configured."""
    return TtsSetup(en=settings.tts_en_engine, zh=settings.tts_zh_engine, data_dir=settings.tts_data_dir)
