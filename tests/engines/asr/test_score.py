"""CER/WER scoring: only the speech counts, never punctuation, script (traditional/simplified) or how a
number is written."""

from __future__ import annotations

import importlib.util

import pytest

from kinema.engines.asr.score import (
    edit_distance,
    en_number,
    error_counts,
    error_rate,
    normalize_en,
    normalize_zh,
    zh_number,
)

needs_opencc = pytest.mark.skipif(
    importlib.util.find_spec("opencc") is None,
    reason="opencc-python-reimplemented (the optional 'asr' extra) is not installed; "
    "scripts/setup.sh installs it",
)


@pytest.mark.parametrize(
    ("digits", "spoken"),
    [
        ("7", "七"),
        ("10", "十"),
        ("15", "十五"),
        ("105", "一百零五"),
        ("1050", "一千零五十"),
        ("3.5", "三点五"),
    ],
)
def test_zh_numbers_read_as_cardinals(digits: str, spoken: str) -> None:
    assert zh_number(digits) == spoken


def test_zh_years_and_long_numbers_read_digit_by_digit() -> None:
    assert zh_number("2026", by_digit=True) == "二零二六"
    assert zh_number("13800") == "一三八零零"


@pytest.mark.parametrize(
    ("digits", "spoken"),
    [
        ("0", "zero"),
        ("13", "thirteen"),
        ("40", "forty"),
        ("342", "three hundred forty two"),
        ("2045", "two thousand forty five"),
        ("2.75", "two point seven five"),
    ],
)
def test_en_numbers_read_as_words(digits: str, spoken: str) -> None:
    assert en_number(digits) == spoken.split()


def test_edit_distance_counts_each_change_once() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], ["a", "b"]) == 2
    assert edit_distance(["a", "b"], ["a", "b"]) == 0


def test_en_normalisation_drops_case_punctuation_and_spells_numbers() -> None:
    expected = "at seven the well known cat's bowl held one thousand two hundred fifty grains"
    assert normalize_en("At 7, the well-known cat's bowl held 1,250 grains.") == expected.split(" ")
    assert error_rate("Please open the window.", "please open a window", "en") == pytest.approx(0.25)


@needs_opencc
def test_zh_compares_simplified_characters_with_numbers_as_read() -> None:
    assert normalize_zh("2026年，我們買了15個蘋果！") == list("二零二六年我们买了十五个苹果")
    assert error_rate("今天天气很好。", "今天天氣很好", "zh") == 0.0
    assert error_counts("我有十五本书", "我有15本書嗎", "zh") == (1, 6)
