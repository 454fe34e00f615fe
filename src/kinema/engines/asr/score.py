"""How far a transcript is from what was meant to be said: character error (Chinese) and word error (English).

Both sides go through the same normalisation first, so that only the speech is judged, never spelling
conventions: case and punctuation are dropped; numbers written as digits become the words a TTS voice
reads aloud ("15" → 十五 / "fifteen", "2026年" → 二零二六年), so a recogniser that writes "15" where the
reference says 十五 (or the other way round) costs nothing; and Chinese is compared in simplified characters,
because Whisper writes Mandarin in traditional characters about as often as in simplified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

_ZH_DIGITS = "零一二三四五六七八九"
_ZH_UNITS = ((1000, "千"), (100, "百"), (10, "十"))
# fmt: off
_EN_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_ZH_KEEP = re.compile(r"[\u3400-\u9fff0-9a-z]")
_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _zh_below_10000(n: int) -> str:
    """A cardinal below 10 000 as read aloud: 十五, 三百零五, 一千零五十 (a lone leading 一十 is 十)."""
    if n < 10:
        return _ZH_DIGITS[n]
    out, zero_pending = "", False
    for unit, name in _ZH_UNITS:
        digit, n = divmod(n, unit)
        if digit:
            out += ("零" if zero_pending else "") + _ZH_DIGITS[digit] + name
            zero_pending = False
        elif out:
            zero_pending = True
    if n:
        out += ("零" if zero_pending else "") + _ZH_DIGITS[n]
    return out[1:] if out.startswith("一十") else out


def zh_number(text: str, *, by_digit: bool = False) -> str:
    """Digits as Mandarin reads them: a year (``by_digit``) or 10 000 and more digit by digit, else as a
    cardinal; a decimal part is read digit by digit after 点."""
    whole, _, frac = text.partition(".")
    if by_digit or len(whole) > 4:
        spoken = "".join(_ZH_DIGITS[int(d)] for d in whole)
    else:
        spoken = _zh_below_10000(int(whole))
    return spoken + ("点" + "".join(_ZH_DIGITS[int(d)] for d in frac) if frac else "")


def _en_below_1000(n: int) -> list[str]:
    words: list[str] = []
    hundreds, n = divmod(n, 100)
    if hundreds:
        words += [_EN_ONES[hundreds], "hundred"]
    if n >= 20:
        tens, ones = divmod(n, 10)
        words += [_EN_TENS[tens]] + ([_EN_ONES[ones]] if ones else [])
    elif n or not words:
        words.append(_EN_ONES[n])
    return words


def en_number(text: str) -> list[str]:
    """Digits as English reads them: cardinals below a million ("2045" → two thousand forty five), longer
    runs digit by digit; a decimal part digit by digit after "point"."""
    whole, _, frac = text.partition(".")
    n = int(whole)
    if len(whole) > 6 or (len(whole) > 1 and whole.startswith("0")):
        words = [_EN_ONES[int(d)] for d in whole]
    elif n >= 1000:
        words = [*_en_below_1000(n // 1000), "thousand", *(_en_below_1000(n % 1000) if n % 1000 else [])]
    else:
        words = _en_below_1000(n)
    return words + (["point", *(_EN_ONES[int(d)] for d in frac)] if frac else [])


@cache
def _to_simplified() -> Any:
    try:
        from opencc import OpenCC
    except ImportError as exc:
        raise RuntimeError(
            "comparing Chinese needs opencc-python-reimplemented (kinema's optional 'asr' extra)"
        ) from exc
    return OpenCC("t2s")


def normalize_zh(text: str) -> list[str]:
    """The characters of a Chinese text that count: simplified hanzi, numbers as read, Latin letters and
    digits lowercased; punctuation and spaces dropped."""
    simplified = _THOUSANDS.sub("", str(_to_simplified().convert(text)).lower())

    def spoken(match: re.Match[str]) -> str:
        year = simplified[match.end() : match.end() + 1] == "年"
        return zh_number(match.group(), by_digit=year)

    return _ZH_KEEP.findall(_NUMBER.sub(spoken, simplified))


def normalize_en(text: str) -> list[str]:
    """The words of an English text that count: lowercased, hyphens as spaces, numbers as words,
    punctuation dropped (an apostrophe inside a word is kept: "it's" stays one word)."""
    plain = _THOUSANDS.sub("", text.lower())
    spoken = _NUMBER.sub(lambda m: " " + " ".join(en_number(m.group())) + " ", plain)
    return _EN_WORD.findall(spoken.replace("-", " ").replace("’", "'"))


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Levenshtein distance (substitutions, insertions, deletions each cost 1)."""
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i]
        for j, h in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def error_counts(reference: str, hypothesis: str, language: str) -> tuple[int, int]:
    """(errors, reference length) in characters for ``zh``, in words otherwise; sum them over clips and
    divide for a rate weighted by length."""
    norm = normalize_zh if language == "zh" else normalize_en
    ref, hyp = norm(reference), norm(hypothesis)
    return edit_distance(ref, hyp), len(ref)


def error_rate(reference: str, hypothesis: str, language: str) -> float:
    """Character error rate (``zh``) or word error rate (other languages) of one transcript."""
    errors, length = error_counts(reference, hypothesis, language)
    return errors / max(length, 1)
