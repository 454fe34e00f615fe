"""The price table: a row for every kind (and every mode of kinds that have one), the documented figures,
the wire's decimal strings, and the query rules of ``GET /account/costs``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinema.contract.account import COSTS_PATHS, TOLERATED_COSTS_PATHS, parse_costs_query, unversioned
from kinema.contract.errors import Code, KlingError
from kinema.contract.kinds import KINDS
from kinema.contract.prices import PRICES, parse_units, price_hundredths, price_of, units_text
from kinema.contract.vocabulary import Mode


def test_every_kind_has_a_price_for_each_of_its_modes() -> None:
    assert set(PRICES) == set(KINDS), "a new kind needs its row in contract/prices.py"
    for kind, spec in KINDS.items():
        modes = set(PRICES[kind])
        has_mode = "mode" in spec.request.model_fields
        assert modes == ({Mode.STD, Mode.PRO} if has_mode else {""}), kind
        for price in PRICES[kind].values():
            assert price.units(None) > 0 or price.per_second > 0, kind


@pytest.mark.parametrize(
    ("kind", "request_fields", "units"),
    [
        ("image2video", {}, "1"),  # std, 5 s by default
        ("image2video", {"mode": "std", "duration": "10"}, "2"),
        ("image2video", {"mode": "pro", "duration": "5"}, "3.5"),
        ("image2video", {"mode": "pro", "duration": "10"}, "7"),
        ("image2video", {"mode": "std", "duration": "3"}, "0.6"),  # kling-v3's 3..15
        ("text2video", {"prompt": "a cat", "mode": "pro", "duration": "10"}, "7"),
        ("avatar", {"mode": "std"}, "1"),
        ("avatar", {"mode": "pro"}, "3.5"),
        ("video_extend", {"video_id": "1", "prompt": "pan left"}, "1"),
        ("video_to_audio", {"video_id": "1"}, "0.5"),
        ("text_to_audio", {"duration": 3.0}, "0.15"),
        ("text_to_audio", {"duration": 3.3}, "0.17"),  # 0.165, rounded half up to the hundredth
        ("text_to_audio", {"duration": 10.0}, "0.5"),
        ("tts", {"text": "hello"}, "0.1"),
    ],
)
def test_documented_prices(kind: str, request_fields: dict[str, object], units: str) -> None:
    assert price_of(kind, request_fields) == Decimal(units)
    assert units_text(price_hundredths(kind, request_fields)) == units


def test_units_as_wire_strings_and_operator_input() -> None:
    assert [units_text(v) for v in (0, 5, 10, 100, 350, 1000, 12345)] == [
        "0",
        "0.05",
        "0.1",
        "1",
        "3.5",
        "10",
        "123.45",
    ]
    assert parse_units("100") == 10_000 and parse_units(" 12.5 ") == 1250 and parse_units("0") == 0
    for bad in ("-1", "1.005", "abc", "nan", "inf", ""):
        with pytest.raises(ValueError):
            parse_units(bad)


def test_costs_paths_and_query_rules() -> None:
    assert COSTS_PATHS == ("/kling/account/costs", "/account/costs")
    assert TOLERATED_COSTS_PATHS == ("/kling/v1/account/costs", "/v1/account/costs")
    assert unversioned("/kling/v1") == "/kling" and unversioned("/v1/") == "" and unversioned("/x") == "/x"
    q = parse_costs_query("1", " 2 ", " video ")
    assert (q.start_time, q.end_time, q.resource_pack_name) == (1, 2, "video")
    assert parse_costs_query("5", "5", "").resource_pack_name is None
    for args, message in [
        ((None, "1"), "start_time: is required"),
        (("1", ""), "end_time: is required"),
        (("-1", "1"), "start_time: must be a Unix time in milliseconds"),
        (("1", "1.5"), "end_time: must be a Unix time in milliseconds"),
        (("1", "99999999999999999"), "end_time: must be a Unix time in milliseconds"),
        (("10", "9"), "end_time: must not be before start_time"),
    ]:
        with pytest.raises(KlingError) as info:
            parse_costs_query(*args)
        assert info.value.code == Code.INVALID_PARAM and info.value.message.startswith(message), args
