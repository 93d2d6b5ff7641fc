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
    """D:5 (23 with Hong Kong and Cambodia) plus 22 more D:1/D:4 countries outside A:5/A:6,
    plus Macau; Nicaragua joins D:1 and D:5 in March 2024."""
    countries = {m.country for m in memberships()}
    reached = {c for c in countries if matches(RULE_2023.license_destinations, c, ON)}
    assert len(reached - members("D:5", ON) - {"MO"}) == 22
    assert len(reached) == 46
    later = {c for c in countries if matches(RULE_2023.license_destinations, c, at(2024, 6, 1))}
    assert later - reached == {"NI"}


def test_macau_joins_the_2022_rule_on_2023_01_17() -> None:
    rule = get_instrument("bis-2022-10")
    assert not matches(rule.license_destinations, "MO", at(2023, 1, 16))
    assert matches(rule.license_destinations, "MO", at(2023, 1, 17))
    assert matches(rule.license_destinations, "HK", at(2022, 11, 1))
    assert not matches(rule.license_destinations, "SA", at(2023, 1, 17))


def test_cambodia_leaves_d5_when_state_lifts_the_arms_embargo() -> None:
    """Added 9 Dec 2021; out when State lifted the ITAR 126.1 embargo (effective 7 Nov 2025,
    State's list controls D:5); BIS conformed the table on 3 Feb 2026. D:1 stays."""
    assert "KH" not in members("D:5", at(2021, 12, 8))
    assert "KH" in members("D:5", at(2021, 12, 9))
    assert "KH" in members("D:5", at(2025, 11, 6))
    assert "KH" not in members("D:5", at(2025, 11, 7))
    assert "KH" not in members("D:5", at(2026, 2, 3))
    assert groups_of("KH", at(2026, 2, 3)) == ["D:1"]


def test_nicaragua_joins_d1_and_d5_on_2024_03_15() -> None:
    """BIS moved Nicaragua from Country Group B to D:1 and D:5, effective 15 Mar 2024."""
    assert groups_of("NI", at(2024, 3, 14)) == []
    assert groups_of("NI", at(2024, 3, 15)) == ["D:1", "D:5"]
    assert not matches(RULE_2023.license_destinations, "NI", at(2024, 3, 14))
    assert matches(RULE_2023.license_destinations, "NI", at(2024, 3, 15))


def test_venezuela_and_belarus_join_d4_on_their_rule_dates() -> None:
    """Venezuela into D:1-D:4 from 24 May 2019 (84 FR 24018); Belarus off A:4 into D:4 from
    2 Mar 2022 (87 FR 13048). Both were already D:5, so neither date moves a 3A090 result."""
    assert "VE" not in members("D:4", at(2019, 5, 23)) and "VE" in members("D:5", at(2019, 5, 23))
    assert {"D:1", "D:4", "D:5"} <= set(groups_of("VE", at(2019, 5, 24)))
    assert "BY" not in members("D:4", at(2022, 3, 1))
    assert "BY" in members("D:4", at(2022, 3, 2))


# Supplement No. 1 to part 740, Country Groups D:1, D:4 and D:5 as a copy reviewed against
# eCFR lists them "as of July 8, 2026" (Hong Kong is modelled as part of China, not listed).
SUPPLEMENT_2026_07_08 = {
    "D:1": "AM AZ BY CN GE IQ KG KH KP KZ LA LY MD MM MN MO NI RU TJ TM UZ VE VN YE",
    "D:4": "AE BH BY CN EG IL IQ IR JO KP KW LB LY MO OM PK QA RU SA SY VE YE",
    "D:5": "AF BY CD CF CN CU ER HT IQ IR KP LB LY MM NI RU SD SO SS SY VE ZW",
}


def test_d_groups_match_the_verified_supplement() -> None:
    on = at(2026, 7, 8)
    for group, listed in SUPPLEMENT_2026_07_08.items():
        assert members(group, on) - {"HK"} == frozenset(listed.split()), group


def test_d_group_members_and_non_members_the_sources_name() -> None:
    on = at(2026, 7, 8)
    # Iran is D:2-D:5 (and E:1) but not D:1; Macau is D:1 and D:4 but not D:5.
    assert "IR" not in members("D:1", on) and "IR" in members("D:4", on)
    assert groups_of("MO", on) == ["D:1", "D:4", "MACAU"]
    # D:4 names the Gulf states and Pakistan (the NAC/ACA tier below D:5), and Israel.
    for country in ("SA", "AE", "QA", "PK", "IL", "BY", "VE"):
        assert country in members("D:4", on), country
    for country in ("VN", "KH", "IN", "TW", "GE"):
        assert country not in members("D:4", on), country
    for country in ("SA", "AE", "VN", "MO", "KH", "IL", "IN"):
        assert country not in members("D:5", on), country


def test_every_listing_has_a_source() -> None:
    assert all(m.source for m in memberships())


def test_diffusion_tiers() -> None:
    assert diffusion_tier("US", ON) == 1 and diffusion_tier("TW", ON) == 1
    assert diffusion_tier("CN", ON) == 3 and diffusion_tier("MO", ON) == 3
    assert diffusion_tier("IN", ON) == 2 and diffusion_tier("IL", ON) == 2
    assert diffusion_tier("SA", ON) == 2
