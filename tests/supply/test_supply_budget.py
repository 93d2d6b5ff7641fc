"""Parsing budgets as people write them, and refusing what is not money."""

from __future__ import annotations

import pytest

from computegov.errors import InvalidInput
from computegov.supply.budget import format_usd, parse_budget
from computegov.supply.params import central


@pytest.mark.parametrize(
    "text",
    [
        "7e12",
        "7T",
        "7t",
        "$7T",
        "$7,000B",
        "7000bn",
        "7 trillion",
        "7万亿",
        "70000亿",
        "7000000000000",
        "7 trillion USD",
        "7万亿美元",
    ],
)
def test_seven_trillion_in_every_accepted_form(text: str) -> None:
    assert parse_budget(text) == pytest.approx(7e12)


def test_euros_are_converted_with_the_parameter_rate() -> None:
    assert parse_budget("€100B") == pytest.approx(100e9 * central("eur_usd"))
    assert parse_budget("EUR 1T") == pytest.approx(1e12 * central("eur_usd"))


@pytest.mark.parametrize("text", ["7X", "seven", "", "7Q", "-7T", "7万亿亿", "0", "$", "7 zillion"])
def test_bad_budgets_name_the_accepted_forms(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_budget(text)
    assert "7T" in str(info.value) or "positive" in str(info.value)


def test_format_usd() -> None:
    assert format_usd(7e12) == "$7T"
    assert format_usd(35_000) == "$35k"
