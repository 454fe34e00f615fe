"""Shared fixtures: the astronaut portrait (skimage) and synthetic speech with exact phone timings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from kinema.engines.avatar.face import Portrait, load_portrait
from kinema.media.audio_io import write_wav

from .synth import SR, utterance


@pytest.fixture(scope="session")
def astronaut_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("img") / "astronaut.png"
    Image.fromarray(data.astronaut()).save(p)
    return p


@pytest.fixture(scope="session")
def astronaut(astronaut_path: Path) -> Portrait:
    return load_portrait(astronaut_path)


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, np.ndarray, list[dict]]:
    """~2.6 s of syllables with closures (b, m, p), spread (i) and rounded (u) vowels and one pause."""
    syl = [("b", "a"), ("", "i"), ("m", "a"), ("s", "u"), ("p", "a"), ("", "o"), ("b", "i"), ("m", "u"),
           ("", "a")]
    audio, phones = utterance(syl, gap_every=4)
    d = tmp_path_factory.mktemp("speech")
    wav, js = d / "speech.wav", d / "speech.json"
    write_wav(audio, SR, wav)
    js.write_text(json.dumps({"alphabet": "ipa", "phones": phones}), encoding="utf-8")
    return wav, js, audio, phones
