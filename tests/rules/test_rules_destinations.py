"""Country groups as dated data, and the destinations each instrument reaches."""

from __future__ import annotations

from datetime import UTC, datetime

from computegov.rules import diffusion_tier, get_instrument, groups_of, members
from computegov.rules.destinations import matches, memberships


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


ON = at(2024, 1, 1)
RULE_2023 = get_instrument("bis-2023-10")


def test_group_membership_examples() -> None:
    assert "CN" in members("D:5", ON) and "RU" in members("D:5", ON)
    assert "DE" in members("A:5", ON) and "DE" not in members("D:1", ON)
    assert "IL" in members("D:4", ON) and "IL" in members("A:6", ON)
    assert groups_of("SA", ON) == ["D:4"]


def test_2023_destinations_reproduce_nvidias_statement() -> None:
    """NVIDIA's 8-K of 17 Oct 2023 [R11]: the license requirement reaches 'Saudi Arabia, UAE,
    Vietnam' among others, 'excluding Israel' (in D:4 but also A:6)."""
    for country in ("CN", "HK", "MO", "RU", "SA", "AE", "VN"):
        assert matches(RULE_2023.license_destinations, country, ON), country
    for country in ("IL", "DE", "JP", "IN", "SG", "TW", "US", "BR"):
        assert not matches(RULE_2023.license_destinations, country, ON), country


def test_2023_destination_count() -> None:
    """D:5 (22 with Hong Kong) plus 22 more D:1/D:4 countries outside A:5/A:6, plus Macau."""
    countries = {m.country for m in memberships()}
    reached = {c for c in countries if matches(RULE_2023.license_destinations, c, ON)}
    assert len(reached - members("D:5", ON) - {"MO"}) == 22
    assert len(reached) == 46


def test_macau_joins_the_2022_rule_on_2023_01_17() -> None:
    rule = get_instrument("bis-2022-10")
    assert not matches(rule.license_destinations, "MO", at(2023, 1, 16))
    assert matches(rule.license_destinations, "MO", at(2023, 1, 17))
    assert matches(rule.license_destinations, "HK", at(2022, 11, 1))
    assert not matches(rule.license_destinations, "SA", at(2023, 1, 17))


def test_cambodia_leaves_d5_in_february_2026() -> None:
    assert "KH" in members("D:5", at(2025, 12, 31))
    assert "KH" not in members("D:5", at(2026, 2, 3))
    assert "KH" in members("D:1", at(2026, 2, 3))


def test_every_listing_has_a_source() -> None:
    assert all(m.source for m in memberships())


def test_diffusion_tiers() -> None:
    assert diffusion_tier("US", ON) == 1 and diffusion_tier("TW", ON) == 1
    assert diffusion_tier("CN", ON) == 3 and diffusion_tier("MO", ON) == 3
    assert diffusion_tier("IN", ON) == 2 and diffusion_tier("IL", ON) == 2
    assert diffusion_tier("SA", ON) == 2
