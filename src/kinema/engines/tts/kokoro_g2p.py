"""Text → Kokoro's phoneme tokens: Mandarin with misaki's ZHG2P, English with espeak-ng's IPA.

* Mandarin: ``misaki.zh.ZHG2P`` (jieba word segmentation, pypinyin, cn2an for digits) gives IPA with the four
  tones as arrows (``↓ → ↗ ↘``) after each syllable's vowel: the legacy path Kokoro v1.0 was trained on.
  jieba keeps a dictionary cache; it is pointed at a writable folder (``<data dir>/jieba``).
* English: espeak-ng's ``en-us`` IPA, through the espeak-ng library Piper ships (the same phonemes as
  ``espeak-ng -q --ipa -v en-us``, but with each clause's punctuation kept, which Kokoro reads as pauses and
  intonation), with ``r`` written ``ɹ`` as in Kokoro's training data. misaki's own English path needs a spaCy
  model that downloads at run time, so it is not used.

Symbols outside Kokoro's 114-symbol vocabulary are dropped. Each chunk handed to the model holds at most
:data:`MAX_TOKENS` tokens: text is cut at sentence ends, a longer sentence at clause punctuation, then at
word gaps.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Any

#: Kokoro v1.0's phoneme → token id map (its published config; 0 is the pad at both ends of a chunk).
VOCAB: dict[str, int] = {
    ";": 1, ":": 2, ",": 3, ".": 4, "!": 5, "?": 6, "—": 9, "…": 10, '"': 11, "(": 12, ")": 13, "“": 14,
    "”": 15, " ": 16, "\u0303": 17, "ʣ": 18, "ʥ": 19, "ʦ": 20, "ʨ": 21, "ᵝ": 22, "ꭧ": 23, "A": 24, "I": 25,
    "O": 31, "Q": 33, "S": 35, "T": 36, "W": 39, "Y": 41, "ᵊ": 42, "a": 43, "b": 44, "c": 45, "d": 46,
    "e": 47, "f": 48, "h": 50, "i": 51, "j": 52, "k": 53, "l": 54, "m": 55, "n": 56, "o": 57, "p": 58,
    "q": 59, "r": 60, "s": 61, "t": 62, "u": 63, "v": 64, "w": 65, "x": 66, "y": 67, "z": 68, "ɑ": 69,
    "ɐ": 70, "ɒ": 71, "æ": 72, "β": 75, "ɔ": 76, "ɕ": 77, "ç": 78, "ɖ": 80, "ð": 81, "ʤ": 82, "ə": 83,
    "ɚ": 85, "ɛ": 86, "ɜ": 87, "ɟ": 90, "ɡ": 92, "ɥ": 99, "ɨ": 101, "ɪ": 102, "ʝ": 103, "ɯ": 110, "ɰ": 111,
    "ŋ": 112, "ɳ": 113, "ɲ": 114, "ɴ": 115, "ø": 116, "ɸ": 118, "θ": 119, "œ": 120, "ɹ": 123, "ɾ": 125,
    "ɻ": 126, "ʁ": 128, "ɽ": 129, "ʂ": 130, "ʃ": 131, "ʈ": 132, "ʧ": 133, "ʊ": 135, "ʋ": 136, "ʌ": 138,
    "ɣ": 139, "ɤ": 140, "χ": 142, "ʎ": 143, "ʒ": 147, "ʔ": 148, "ˈ": 156, "ˌ": 157, "ː": 158, "ʰ": 162,
    "ʲ": 164, "↓": 169, "→": 171, "↗": 172, "↘": 173, "ᵻ": 177,
}
MAX_TOKENS = 510
SENTENCE_END = frozenset(".!?…")
CLAUSE_END = frozenset(",;:—")
#: espeak-ng spellings Kokoro's training data writes differently.
_EN_FIX = str.maketrans({"r": "ɹ", "x": "k", "ɬ": "l"})
_LATIN_RUN = re.compile(r"([A-Za-z](?:[A-Za-z'\- ]*[A-Za-z])?)")

_LOCK = threading.Lock()
_ZH: dict[Path, Any] = {}


def _zh_g2p(cache_dir: Path) -> Any:
    """misaki's ZHG2P, built once; jieba's dictionary cache goes under ``cache_dir``."""
    with _LOCK:
        if cache_dir not in _ZH:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                jieba.dt.tmp_dir = str(cache_dir)
            except OSError:
                pass  # jieba falls back to the system temp folder
            from misaki.zh import ZHG2P

            _ZH.clear()
            _ZH[cache_dir] = ZHG2P()
        return _ZH[cache_dir]


def zh_available() -> bool:
    """True when misaki's Mandarin front end (``misaki[zh]``) is installed."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("misaki", "jieba", "pypinyin", "cn2an"))


def zh_phonemes(text: str, cache_dir: Path) -> str:
    """Mandarin text → IPA with tone arrows. Runs of Latin letters (``AI``, ``OK``, an English name) would
    pass through misaki as raw letters, so they are spoken by the English front end instead."""
    g2p = _zh_g2p(cache_dir)
    parts: list[str] = []
    for i, piece in enumerate(_LATIN_RUN.split(text)):
        if i % 2:
            parts.append(en_phonemes(piece).rstrip(".,;:!?"))
        elif piece.strip():
            with _LOCK:  # jieba and pypinyin keep module state; one caller at a time
                phonemes, _ = g2p(piece)
            parts.append(phonemes or "")
    return " ".join(p.strip() for p in parts if p.strip())


def en_phonemes(text: str) -> str:
    """English text → espeak-ng ``en-us`` IPA with each clause's punctuation (``,`` ``.`` ``?`` …) kept."""
    from piper import espeakbridge
    from piper.phonemize_espeak import ESPEAK_DATA_DIR

    with _LOCK:  # espeak-ng is one global engine per process
        espeakbridge.initialize(str(ESPEAK_DATA_DIR))
        espeakbridge.set_voice("en-us")
        clauses = espeakbridge.get_phonemes(text)
    parts = []
    for phones, terminator, _end in clauses:
        phones = re.sub(r"\([^)]*\)", "", phones).translate(_EN_FIX).strip()
        if phones:
            parts.append(phones + terminator)
    return " ".join(parts)


def tokens_of(phonemes: str) -> str:
    """The phoneme string with every symbol Kokoro has no token for removed, spaces collapsed."""
    kept = "".join(ch for ch in phonemes if ch in VOCAB)
    return re.sub(r" {2,}", " ", kept).strip()


def _cut(text: str, ends: frozenset[str]) -> list[str]:
    pieces, start = [], 0
    for i, ch in enumerate(text):
        if ch in ends:
            pieces.append(text[start : i + 1])
            start = i + 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def _pack(units: list[str], limit: int) -> list[str]:
    """Join ``units`` with spaces into pieces of at most ``limit`` symbols, greedily; a unit longer than
    ``limit`` on its own is cut anywhere."""
    out: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current} {unit}" if current else unit
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            out.append(current)
        while len(unit) > limit:
            out.append(unit[:limit])
            unit = unit[limit:]
        current = unit
    if current:
        out.append(current)
    return out


def chunks(phonemes: str, limit: int = MAX_TOKENS) -> list[str]:
    """Token strings of at most ``limit`` symbols: one per sentence, longer sentences cut at clause
    punctuation and then between words (never inside a word unless the word alone is too long)."""
    out: list[str] = []
    for sentence in _cut(tokens_of(phonemes), SENTENCE_END):
        if len(sentence) <= limit:
            out.append(sentence)
            continue
        units: list[str] = []
        for clause in _cut(sentence, CLAUSE_END):
            units.extend([clause] if len(clause) <= limit else clause.split(" "))
        out.extend(_pack(units, limit))
    return [c for c in out if any(ch not in " " and ch not in SENTENCE_END | CLAUSE_END for ch in c)]
