"""Amounts as people type them: `1e26`, `70e9`, `1.5e13`, `70B`, `15T`."""

from __future__ import annotations

import math
import re

from computegov.errors import InvalidInput

SUFFIXES: dict[str, float] = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
ACCEPTED_FORMS = (
    "a positive number such as 1e26, 70e9, 1.5e13 or 175000000000, "
    "optionally with a suffix K (1e3), M (1e6), B (1e9) or T (1e12) such as 70B or 15T"
)
_AMOUNT = re.compile(r"^\+?(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?([kmbt])?$", re.IGNORECASE)


def parse_amount(text: str, *, what: str = "amount") -> float:
    """Parse one amount; raise InvalidInput naming the accepted forms if it is not one."""
    raw = text.strip().replace("_", "")
    match = _AMOUNT.match(raw)
    if match is None:
        raise InvalidInput(f"{what}: not a number: {text!r}; use {ACCEPTED_FORMS}")
    mantissa, exponent, suffix = match.groups()
    value = float(f"{mantissa}e{exponent}" if exponent else mantissa)
    if suffix:
        value *= SUFFIXES[suffix.lower()]
    if not math.isfinite(value):
        raise InvalidInput(f"{what}: {text!r} is too large; use {ACCEPTED_FORMS}")
    return value


def parse_count(text: str, *, what: str = "count") -> int:
    """Parse a whole, positive number of things (chips), accepting the same forms."""
    value = parse_amount(text, what=what)
    if value < 1 or value != int(value):
        raise InvalidInput(
            f"{what}: {text!r} is not a whole number of at least 1; e.g. 2048 or 16K"
        )
    return int(value)
