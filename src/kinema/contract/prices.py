"""What a task costs, in units: the one price table (documented in ``docs/accounts.md``).

A succeeded task's ``final_unit_deduction`` is its price; a failed one deducts ``"0"``. An account's unit
budget (``kinema keys budget``) is spent by these prices: a create whose price exceeds what is left is
refused with 1102. The price is fixed when the task is created, from its request alone (kind, ``mode``,
``duration``), so it is known before any input is downloaded and never changes while the task runs.

kinema's own scale, not upstream's price list (which differs per model and changes): a standard 5-second
video is 1 unit, ``pro`` costs 3.5 times ``std``, sound-only kinds cost less, and TTS costs ``0.1`` as in
upstream's example replies. Prices are kept in hundredths of a unit (the wire shows at most two decimals).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from kinema.contract.vocabulary import Mode, TaskKind

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Price:
    """``base`` units per task plus ``per_second`` units per second of the request's ``duration`` (the
    kind's ``default_seconds`` when the request leaves it out)."""

    base: Decimal = Decimal(0)
    per_second: Decimal = Decimal(0)
    default_seconds: Decimal = Decimal(0)

    def units(self, duration: Any) -> Decimal:
        seconds = self.default_seconds
        if self.per_second and duration not in (None, ""):
            # validated requests always hold a number here; a row stored by other code may not
            with contextlib.suppress(InvalidOperation):
                seconds = Decimal(str(duration))
        return (self.base + self.per_second * seconds).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


#: Price by kind, then by ``mode`` (``""``: a kind without modes). Every kind of the kind table has a row
#: (tests/contract/test_prices.py); a new kind adds one here.
PRICES: dict[TaskKind, dict[str, Price]] = {
    TaskKind.IMAGE2VIDEO: {
        Mode.STD: Price(per_second=Decimal("0.2"), default_seconds=Decimal(5)),
        Mode.PRO: Price(per_second=Decimal("0.7"), default_seconds=Decimal(5)),
    },
    # A generated clip costs what an animated one does: kinema prices the output, not the engine.
    TaskKind.TEXT2VIDEO: {
        Mode.STD: Price(per_second=Decimal("0.2"), default_seconds=Decimal(5)),
        Mode.PRO: Price(per_second=Decimal("0.7"), default_seconds=Decimal(5)),
    },
    # Per task: the clip is as long as the speech, which is only known once the audio has been read.
    TaskKind.AVATAR: {Mode.STD: Price(base=Decimal(1)), Mode.PRO: Price(base=Decimal("3.5"))},
    # Per task: every extension adds 4-5 s at the parent's size, the price of a standard 5-second clip.
    # ``mode`` is accepted (upstream's examples send it) but changes nothing, so it costs nothing either.
    TaskKind.VIDEO_EXTEND: {Mode.STD: Price(base=Decimal(1)), Mode.PRO: Price(base=Decimal(1))},
    TaskKind.VIDEO_TO_AUDIO: {"": Price(base=Decimal("0.5"))},
    TaskKind.TEXT_TO_AUDIO: {"": Price(per_second=Decimal("0.05"))},
    TaskKind.TTS: {"": Price(base=Decimal("0.1"))},
}


def price_of(kind: str, request: Mapping[str, Any]) -> Decimal:
    """Units a task of ``kind`` costs, from its validated request (or the stored one: the same fields)."""
    by_mode = PRICES[TaskKind(kind)]
    mode = str(request.get("mode") or Mode.STD) if "" not in by_mode else ""
    return by_mode[mode].units(request.get("duration"))


def hundredths(units: Decimal) -> int:
    """Units as the integer hundredths the database stores."""
    return int((units / HUNDREDTH).to_integral_value(rounding=ROUND_HALF_UP))


def price_hundredths(kind: str, request: Mapping[str, Any]) -> int:
    """:func:`price_of` in hundredths of a unit."""
    return hundredths(price_of(kind, request))


def units_text(value_hundredths: int) -> str:
    """Hundredths as the wire's decimal string: ``100`` → ``"1"``, ``350`` → ``"3.5"``, ``10`` → ``"0.1"``."""
    text = f"{Decimal(value_hundredths) * HUNDREDTH:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_units(text: str) -> int:
    """A unit amount typed by an operator (``"100"``, ``"12.5"``) as hundredths; ValueError when it is not a
    non-negative number with at most two decimals."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        raise ValueError(f"not a number: {text!r}") from None
    if not value.is_finite() or value < 0 or value != value.quantize(HUNDREDTH):
        raise ValueError(f"must be a number >= 0 with at most two decimals, got {text!r}")
    return hundredths(value)
