"""Destinations as dated data: EAR Country Groups, the places rules name, the Diffusion tiers.

Membership lives in `data/country_groups.csv`, one (group, country) per row with its dates and
source. Instruments name their destinations as expressions over those groups, read left to
right: "D:1+D:4+D:5-A:5-A:6+MACAU" is D:1, D:4 and D:5 without A:5 and A:6, plus Macau.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from computegov.instants import as_utc
from computegov.rules.packaged import optional_instant, read_rows

#: Groups an expression may name (names hold no "+" or "-"); "ALL" is every destination.
GROUPS: tuple[str, ...] = ("A:5", "A:6", "D:1", "D:4", "D:5", "CHINA", "MACAU", "DIFFUSION:TIER1")


@dataclass(frozen=True)
class Membership:
    """One country in one group over a span of time, with the source that lists it."""

    group: str
    country: str
    effective_from: datetime | None
    effective_to: datetime | None
    source: str

    def holds(self, on: datetime) -> bool:
        """Whether the listing applied at `on`."""
        at = as_utc(on)
        after_start = self.effective_from is None or self.effective_from <= at
        return after_start and (self.effective_to is None or at < self.effective_to)


@lru_cache(maxsize=1)
def memberships() -> tuple[Membership, ...]:
    """Every dated listing in the packaged data."""
    rows = read_rows("country_groups.csv")
    return tuple(
        Membership(
            group=row["group"],
            country=row["country"],
            effective_from=optional_instant(row["effective_from"]),
            effective_to=optional_instant(row["effective_to"]),
            source=row["source"],
        )
        for row in rows
    )


def members(group: str, on: datetime) -> frozenset[str]:
    """The alpha-2 codes in `group` at `on`."""
    if group not in GROUPS:
        raise ValueError(f"unknown country group {group!r}; known: {', '.join(GROUPS)}")
    return frozenset(m.country for m in memberships() if m.group == group and m.holds(on))


def groups_of(country: str, on: datetime) -> list[str]:
    """The groups `country` belonged to at `on`, in the order of `GROUPS`."""
    return [g for g in GROUPS if country in members(g, on)]


def matches(expression: str, country: str, on: datetime) -> bool:
    """Whether `country` is in the destination set the expression names at `on`."""
    if not expression:
        return False
    inside = False
    for sign, group in re.findall(r"([+-]?)([^+-]+)", expression):
        hit = group == "ALL" or country in members(group, on)
        if sign == "-":
            inside = inside and not hit
        elif hit:
            inside = True
    return inside


def diffusion_tier(country: str, on: datetime) -> int:
    """The AI Diffusion tier of a country: 1 (US + 18), 3 (D:5 and Macau) or 2 (the rest).

    The rule never took effect for compliance, so it is a what-if at any date: Tier 1 is the
    rule's own list as published; Tier 3 is D:5 and Macau as they stood at `on`.
    """
    if country in _tier1_as_published():
        return 1
    if country in members("D:5", on) or country in members("MACAU", on):
        return 3
    return 2


@lru_cache(maxsize=1)
def _tier1_as_published() -> frozenset[str]:
    """Tier 1 as the rule listed it, for what-if evaluation at any date."""
    return frozenset(m.country for m in memberships() if m.group == "DIFFUSION:TIER1")
