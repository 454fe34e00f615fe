"""Whisper base: the model is assembled from the weight wheels exactly once and verified, and it hears
kinema's own English TTS (words, timings and language come back)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kinema.engines.asr import whisper
from kinema.engines.asr.whisper import AsrUnavailableError, TimedText, Transcript
from kinema.engines.tts import synthesize

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None
    or any(importlib.util.find_spec(p) is None for p in whisper.PART_PACKAGES),
    reason="the optional 'asr' extra (faster-whisper + Whisper base weight wheels) is not installed; "
    "scripts/setup.sh installs it",
)

TEXT = "Please open the window, then bring me a cup of hot tea."


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return whisper.ensure_model(tmp_path_factory.mktemp("asr-cache"))


@pytest.fixture(scope="module")
def model(model_dir: Path) -> Any:
    return whisper.load(model_dir)


def test_model_folder_is_complete_and_reused(model_dir: Path) -> None:
    assert {p.name for p in model_dir.iterdir()} == {"model.bin", *whisper.SIDE_FILES}
    assert model_dir.name.endswith(whisper.MODEL_SHA256[:12])
    # no temporary build folder is left beside it, and a second call reuses the folder as is
    assert [p.name for p in model_dir.parent.iterdir()] == [model_dir.name]
    mtime = (model_dir / "model.bin").stat().st_mtime_ns
    assert whisper.ensure_model(model_dir.parent) == model_dir
    assert (model_dir / "model.bin").stat().st_mtime_ns == mtime


def test_english_tts_is_transcribed_with_timings(model: Any) -> None:
    speech = synthesize(TEXT, "en")
    got = whisper.transcribe(model, speech.samples, speech.sample_rate)
    assert got.language == "en" and got.language_probability > 0.8
    heard = re.sub(r"[^a-z ]", "", got.text.lower()).split()
    expected = re.sub(r"[^a-z ]", "", TEXT.lower()).split()
    assert len(set(heard) & set(expected)) >= len(expected) - 2, got.text
    assert abs(got.duration - speech.duration) < 0.01
    starts = [w.start for w in got.words]
    assert len(got.words) >= len(expected) - 2 and starts == sorted(starts)
    assert got.words[0].start >= 0.0 and got.words[-1].end <= speech.duration + 0.1
    assert whisper.detect_language(model, speech.samples, speech.sample_rate)[0] == "en"


def test_given_language_is_used_and_stereo_is_accepted(model: Any) -> None:
    speech = synthesize("Good morning.", "en")
    stereo = np.stack([speech.samples, speech.samples], axis=1)
    got = whisper.transcribe(model, stereo, speech.sample_rate, language="en", word_timestamps=False)
    assert got.language == "en" and got.words == []
    assert "morning" in got.text.lower()


def test_characters_share_their_word_span() -> None:
    words = [TimedText("你好", 1.0, 1.4, 0.9), TimedText(" ", 1.4, 1.5, 0.5), TimedText("吗", 1.5, 1.7, 0.8)]
    chars = Transcript("你好吗", "zh", 1.0, 2.0, words).characters
    assert [c.text for c in chars] == ["你", "好", "吗"]
    assert [(round(c.start, 3), round(c.end, 3)) for c in chars] == [(1.0, 1.2), (1.2, 1.4), (1.5, 1.7)]


def test_a_wrong_join_is_refused_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    part1, part2 = tmp_path / "p1", tmp_path / "p2"
    part1.mkdir()
    part2.mkdir()
    (part1 / "model.bin.part1").write_bytes(b"not")
    (part2 / "model.bin.part2").write_bytes(b" whisper")
    monkeypatch.setattr(whisper, "_part_dirs", lambda: [part1, part2])
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="do not match the pinned model"):
        whisper.ensure_model(cache)
    assert list(cache.iterdir()) == []


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    absent = set(whisper.PART_PACKAGES)

    def find_spec(name: str, *args: Any) -> Any:
        return None if name in absent else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(AsrUnavailableError, match=r"kinema\[asr\]"):
        whisper.ensure_model()
