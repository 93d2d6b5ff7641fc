"""Parsing money the way people write it: 7e12, 7T, $7,000B, 7 trillion, 7万亿, €100B.

`万亿` is 10^12 and `亿` 10^8 of the stated currency. The $7 trillion plan is in dollars and
the Chinese press writes it "7万亿美元", so a bare `7万亿` means 7 x 10^12 US dollars. A
figure in euros (a leading `€` or `EUR`) is converted with the `eur_usd` parameter.
"""

from __future__ import annotations

import re

from computegov.errors import InvalidInput
from computegov.supply.params import central

_SUFFIXES: dict[str, float] = {
    "": 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
    "万": 1e4,
    "亿": 1e8,
    "万亿": 1e12,
}
_ACCEPTED = (
    "a number with an optional $ or € (or USD/EUR) and an optional suffix "
    "K, M, B/bn, T/tn, thousand/million/billion/trillion, 万, 亿, 万亿 "
    "(for example 7e12, 7T, $7,000B, 7 trillion, 7万亿, €500B)"
)
_PATTERN = re.compile(
    r"^(?P<cur1>\$|€|usd|eur)?\s*(?P<num>[0-9][0-9,_]*(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|\.[0-9]+)"
    r"\s*(?P<suffix>[a-z]*|万亿|亿|万)\s*(?P<cur2>usd|eur|美元|欧元|dollars?)?$"
)


def parse_budget(text: str) -> float:
    """A budget in US dollars from text; InvalidInput names the accepted forms."""
    raw = text.strip()
    match = _PATTERN.match(raw.lower())
    if match is None:
        raise InvalidInput(f"cannot read budget {text!r}; use {_ACCEPTED}")
    number = match["num"].replace(",", "").replace("_", "")
    suffix = match["suffix"]
    if suffix not in _SUFFIXES:
        raise InvalidInput(f"unknown budget suffix {suffix!r} in {text!r}; use {_ACCEPTED}")
    value = float(number) * _SUFFIXES[suffix]
    currency = match["cur1"] or match["cur2"] or "usd"
    if currency in ("€", "eur", "欧元"):
        value *= central("eur_usd")
    if value <= 0:
        raise InvalidInput(f"budget must be positive, got {text!r}")
    return value


def format_usd(value: float) -> str:
    """A dollar amount the way an analyst reads it: $7.00T, $350B, $35.0k."""
    for size, mark in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"${value / size:,.3g}{mark}"
    return f"${value:,.0f}"
