"""What a TTS backend returns: the samples plus phone timings.

Phone timings travel with the audio (as a JSON side file) because the avatar engine animates the mouth from
them; recognising phones again from our own synthetic speech would only add error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from kinema.engines.base import EngineInputError


class TtsInputError(EngineInputError):
    """Text or a voice setting the engine will not speak. ``field`` is the API field at fault (``text``,
    ``voice_id``, ``voice_language``) and ``rule`` says what is wrong, so the API answers
    ``"<field>: <rule>"`` from the error itself rather than guessing the field from the message's words."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


SPEECH_PEAK = 0.89
"""Peak level every backend hands speech back at (≈ −1 dBFS): the same loudness whichever engine spoke, with
headroom for the MP3/AAC encoders."""


def at_speech_peak(samples: np.ndarray) -> np.ndarray:
    """``samples`` (float32) scaled so their peak is :data:`SPEECH_PEAK`; silence is returned as it is."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    scaled = samples * (SPEECH_PEAK / peak) if peak > 1e-6 else samples
    return scaled.astype(np.float32)


EnEngine = Literal["kokoro", "piper"]
ZhEngine = Literal["kokoro", "espeak-ng"]


@dataclass(frozen=True)
class TtsSetup:
    """Which engine speaks each language, and where Kokoro's files live (``None``: the default folder).

    Kokoro is the default for both; Piper (English) and espeak-ng (Mandarin) stay selectable for comparison
    (``KINEMA_TTS_EN_ENGINE`` / ``KINEMA_TTS_ZH_ENGINE``) and are what speaks when Kokoro's voices are not
    installed.
    """

    en: EnEngine = "kokoro"
    zh: ZhEngine = "kokoro"
    data_dir: Path | None = None


@dataclass(frozen=True)
class PhoneSpan:
    """One phone: ``p`` is an IPA symbol (stress folded in, length mark kept), times in seconds."""

    p: str
    start: float
    end: float


@dataclass(frozen=True)
class Speech:
    """Synthesised speech: float32 mono ``samples`` in [-1, 1] at ``sample_rate``.

    ``phones`` are ordered and non-overlapping; gaps between them are silence (pauses, punctuation).
    ``voice`` names the real voice that spoke, e.g. ``"piper:en_US-joe-medium/deep"``.
    """

    samples: np.ndarray
    sample_rate: int
    phones: list[PhoneSpan] = field(default_factory=list)
    voice: str = ""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return float(len(self.samples)) / float(self.sample_rate)


def phones_to_json(speech: Speech) -> dict[str, object]:
    """The phone file's document, ``{"alphabet": "ipa", "phones": [{"p", "start", "end"}, ...]}``."""
    return {
        "alphabet": "ipa",
        "phones": [{"p": ph.p, "start": round(ph.start, 4), "end": round(ph.end, 4)} for ph in speech.phones],
    }


def write_phones_json(speech: Speech, path: str | Path) -> None:
    """Write the phone timings next to the audio (UTF-8, IPA kept as characters)."""
    Path(path).write_text(json.dumps(phones_to_json(speech), ensure_ascii=False), encoding="utf-8")
