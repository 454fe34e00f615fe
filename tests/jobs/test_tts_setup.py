"""The TTS engines a process runs with come from its settings (``KINEMA_TTS_*``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kinema.engines.tts import TtsSetup
from kinema.jobs.tts_setup import tts_setup
from kinema.settings import Settings


def test_defaults_are_kokoro_in_the_default_folder(tmp_path: Path) -> None:
    assert tts_setup(Settings(data_dir=tmp_path)) == TtsSetup(en="kokoro", zh="kokoro", data_dir=None)


def test_the_previous_engines_and_a_data_folder_are_chosen_by_setting(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, tts_en_engine="piper", tts_zh_engine="espeak-ng", tts_data_dir=tmp_path / "tts"
    )
    assert tts_setup(settings) == TtsSetup(en="piper", zh="espeak-ng", data_dir=tmp_path / "tts")


def test_an_engine_of_the_other_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, tts_en_engine="espeak-ng")  # type: ignore[arg-type]
