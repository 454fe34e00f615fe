"""Phones with times from uploaded speech (no exact TTS phones): three recognisers, each loaded once.

- :func:`aligned_phones`: forced alignment of a known transcript (English words, pocketsphinx's dictionary and
  acoustic model). The most exact when the words are known: the phones are the dictionary's, only their
  times are searched.
- :func:`hama_phones`: ``hama``'s phoneme CTC recogniser (IPA, 20 ms frames, weights inside the wheel). On
  Piper speech its phones match the text's almost one for one; CTC emits each phone a little after its
  onset, so the times are moved earlier by :data:`HAMA_LEAD_S` (measured, see docs/avatar.md).
- :func:`allphone_phones`: pocketsphinx allphone decoding (ARPAbet, no transcript) — the older path, used when
  hama is not installed.

Models are kept per process (a worker pays the load once); decoders are not thread-safe, so each one is
used under its own lock.
"""

from __future__ import annotations

import os
import re
import threading
from functools import cache
from typing import Any

import numpy as np

from .phones import Phone

HAMA_LEAD_S = 0.03
"""hama's emission frame lags the phone onset by ~30–50 ms on Piper speech (median, see docs/avatar.md)."""
HAMA_MAX_SPAN_S = 0.25
"""A CTC span runs until the next emission (through pauses): longer ones are cut, the rest is unlabelled."""

_HAMA_LOCK = threading.Lock()
_PS_LOCK = threading.Lock()


def hama_available() -> bool:
    """True when the optional ``hama`` package (and its native engine) can be used."""
    try:
        from hama import _engine
    except ImportError:
        return False
    return bool(_engine.available())


@cache
def _hama_model() -> Any:
    from hama import ASRModel

    return ASRModel()


def hama_phones(audio16k: np.ndarray) -> list[Phone] | None:
    """IPA phones from hama, or None when hama is not installed.

    Diacritic-only tokens join the phone before them."""
    if not hama_available():
        return None
    with _HAMA_LOCK:
        model = _hama_model()
        result = model.transcribe_waveform(np.asarray(audio16k, np.float32), 16000)
        spans = model.phoneme_spans(result)
    out: list[Phone] = []
    for sp in spans:
        label = sp.phoneme
        start = max(0.0, sp.start_ms / 1000.0 - HAMA_LEAD_S)
        end = min(sp.end_ms / 1000.0 - HAMA_LEAD_S, start + HAMA_MAX_SPAN_S)
        if label.startswith("<") or not label.strip():
            continue
        if out and not _has_base_letter(label):
            prev = out[-1]
            out[-1] = Phone(prev.p + label, prev.start, max(prev.end, end))
            continue
        out.append(Phone(label, start, max(end, start + 0.02)))
    return out


def _has_base_letter(label: str) -> bool:
    """False for tokens made only of diacritics / modifier marks (e.g. '̟', 'ʰ', 'ː')."""
    return any(ch.isalpha() and not (0x2B0 <= ord(ch) <= 0x36F) for ch in label)


@cache
def _ps_paths() -> tuple[str, str, str]:
    from pocketsphinx import get_model_path

    base = os.path.join(get_model_path(), "en-us")
    return (os.path.join(base, "en-us"), os.path.join(base, "en-us-phone.lm.bin"),
            os.path.join(base, "cmudict-en-us.dict"))


@cache
def _allphone_decoder() -> Any:
    from pocketsphinx import Decoder

    hmm, allphone, _dict = _ps_paths()
    return Decoder(hmm=hmm, allphone=allphone, lw=2.0, pip=0.3, beam=1e-10, pbeam=1e-10, loglevel="FATAL")


@cache
def _align_decoder() -> Any:
    from pocketsphinx import Decoder

    hmm, _allphone, dic = _ps_paths()
    return Decoder(hmm=hmm, dict=dic, loglevel="FATAL")


def _pcm(audio16k: np.ndarray) -> bytes:
    return (np.clip(audio16k, -1, 1) * 32767).astype(np.int16).tobytes()


def allphone_phones(audio16k: np.ndarray) -> list[Phone]:
    """English allphone recognition with pocketsphinx's bundled model (ARPAbet labels, no transcript)."""
    with _PS_LOCK:
        dec = _allphone_decoder()
        dec.start_utt()
        dec.process_raw(_pcm(audio16k), full_utt=True)
        dec.end_utt()
        return [Phone(s.word, s.start_frame / 100.0, (s.end_frame + 1) / 100.0) for s in dec.seg()]


def transcript_words(text: str) -> list[str]:
    """Lower-case words of a transcript (letters, digits, inner apostrophes); punctuation dropped."""
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def aligned_phones(audio16k: np.ndarray, transcript: str) -> list[Phone] | None:
    """Forced alignment of ``transcript`` (English) → ARPAbet phones with times, or None when no word of
    it is in the dictionary or the alignment fails (e.g. the transcript does not match the audio).

    Words missing from the dictionary are left out: the neighbouring words' spans absorb their sound.
    """
    with _PS_LOCK:
        dec = _align_decoder()
        words = [w for w in transcript_words(transcript) if dec.lookup_word(w)]
        if not words:
            return None
        pcm = _pcm(audio16k)
        try:
            dec.set_align_text(" ".join(words))
            for second_pass in (False, True):  # word alignment, then phone/state alignment inside it
                if second_pass:
                    dec.set_alignment()
                dec.start_utt()
                dec.process_raw(pcm, full_utt=True)
                dec.end_utt()
            alignment = dec.get_alignment()
        except (RuntimeError, ValueError):
            return None
        if alignment is None:
            return None
        return [Phone(ph.name, ph.start / 100.0, (ph.start + ph.duration) / 100.0)
                for word in alignment for ph in word]
