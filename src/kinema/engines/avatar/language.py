"""Which language an uploaded speech track is in, so the speech stage picks its phone source.

Whisper base's language identification (optional ``asr`` extra, loaded once per process) answers on the
first 30 s. Without the extra (or when it fails) the answer is ``None`` and the speech stage keeps its
cheaper rule: try English recognition and fall back to the acoustic method when the phones look implausible.
"""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MIN_PROBABILITY = 0.5
"""Below this Whisper is unsure: treat the language as unknown rather than trust a guess."""
MAX_SECONDS = 30.0

_LOCK = threading.Lock()


def normalise(language: str) -> str:
    """Request / Whisper codes → "en", "zh", another lower-case code, or "auto"."""
    code = language.strip().lower().replace("_", "-")
    if code in ("", "auto"):
        return "auto"
    if code in ("english",) or code.startswith("en"):
        return "en"
    if code in ("chinese", "mandarin", "cmn", "yue") or code.startswith("zh"):
        return "zh"
    return code.split("-")[0]


@cache
def _whisper() -> Any:
    """The Whisper model, or None when the ``asr`` extra is missing or the weights cannot be assembled."""
    try:
        from kinema.engines.asr import whisper
    except ImportError:
        return None
    try:
        return whisper.load(whisper.ensure_model(), cpu_threads=2)
    except (ImportError, RuntimeError, OSError) as exc:
        log.info("no Whisper language identification: %s", exc)
        return None


def whisper_available() -> bool:
    """True when Whisper can run here (loads it, once per process)."""
    with _LOCK:
        return _whisper() is not None


def detect_language(audio16k: np.ndarray) -> tuple[str, float] | None:
    """(normalised code, probability) of the spoken language, or None when Whisper is absent or unsure."""
    with _LOCK:
        model = _whisper()
        if model is None:
            return None
        from kinema.engines.asr.whisper import detect_language as whisper_detect

        clip = np.asarray(audio16k[: int(MAX_SECONDS * 16000)], np.float32)
        try:
            code, prob = whisper_detect(model, clip, 16000)
        except (RuntimeError, ValueError) as exc:
            log.info("Whisper language identification failed: %s", exc)
            return None
    if prob < MIN_PROBABILITY:
        return None
    return normalise(code), prob
