"""Trial samples are keyed by the voice's revision: a new engine revision or profile makes a new sample, and a
sample is real speech in the voice's language."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest

from kinema.engines.tts import engine, voice_revision
from kinema.engines.tts.types import TtsInputError
from kinema.jobs.voice_samples import make_sample, sample_key, sample_name
from kinema.media.audio_io import decode_audio
from kinema.runtime import Runtime
from kinema.storage.local import LocalStorage


def test_the_key_names_the_revision_language_and_voice() -> None:
    key = sample_key("uk_man2", "en")
    assert key == f"voices/trials/{voice_revision('uk_man2', 'en')}/en/uk_man2.mp3"
    assert sample_key("cartoon-girl-01", "en") != sample_key("cartoon-girl-01", "zh")
    assert sample_name("uk_man2", "en") == "voice-trial/en/uk_man2"  # what URLs sign: no revision in it


def test_a_new_engine_revision_makes_new_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    before = sample_key("uk_man2", "en")
    monkeypatch.setattr(engine, "ENGINE_REVISION", engine.ENGINE_REVISION + "-next")
    assert sample_key("uk_man2", "en") != before


def test_a_voice_of_another_language_has_no_revision() -> None:
    with pytest.raises(TtsInputError):
        voice_revision("AOT", "zh")


def test_a_sample_is_stored_speech(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    rt = cast(Runtime, SimpleNamespace(storage=storage))
    key = sample_key("calm_story1", "en")
    seconds = make_sample(rt, "calm_story1", "en", key)
    info = storage.info(key)
    assert info is not None and info.content_type == "audio/mpeg"
    samples = decode_audio(tmp_path / key, 16000)
    assert 1.5 < seconds < 8 and abs(len(samples) / 16000 - seconds) < 0.15
    assert float(np.sqrt(np.mean(samples**2))) > 0.02
