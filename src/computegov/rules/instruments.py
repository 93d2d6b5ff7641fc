"""The export-control instruments as dated data: which exist, which are in force at an instant.

Each instrument (a rule, a dated amendment or an "is-informed" letter) is a row of
`data/instruments.csv` with its citation and dates; its numeric thresholds are rows of
`data/thresholds.csv`. Code here only reads and filters them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from computegov.countries import parse_country
from computegov.errors import InvalidInput, NotFound
from computegov.instants import as_utc
from computegov.rules.packaged import optional_instant, read_rows


@dataclass(frozen=True)
class Instrument:
    """One dated export-control instrument and where it is published.

    `effective_to` is when it stopped applying (superseded or rescinded), None while in force.
    `in_regime` is False for an instrument that never bound anyone (the Diffusion rule,
    rescinded before its compliance date): it is evaluated only when asked for by name.
    `license_destinations` and `hq_destinations` are group expressions over
    `data/country_groups.csv`, such as "D:1+D:4+D:5-A:5-A:6+MACAU".
    `jurisdiction` is the country (ISO alpha-2) whose government administers the instrument
    and licenses under it (`US` for every BIS rule): only a license issued by a regulator of
    that jurisdiction counts for it.
    """

    id: str
    title: str
    kind: str
    jurisdiction: str
    citation: str
    published: datetime
    effective_from: datetime
    effective_to: datetime | None
    compliance_from: datetime | None
    in_regime: bool
    eccn_text: str
    license_destinations: str
    hq_destinations: str
    source: str
    notes: str

    def in_force(self, on: datetime) -> bool:
        """Whether its text applied at `on` (regardless of `in_regime`)."""
        at = as_utc(on)
        return self.effective_from <= at and (self.effective_to is None or at < self.effective_to)

    def to_dict(self) -> dict[str, Any]:
        """The fields a person or a program reads (dates on the wire as UTC)."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "citation": self.citation,
            "published": self.published,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "compliance_from": self.compliance_from,
            "in_regime": self.in_regime,
            "source": self.source,
            "notes": self.notes,
        }


def _jurisdiction(row: dict[str, str]) -> str:
    try:
        return parse_country(row["jurisdiction"])
    except InvalidInput:
        raise ValueError(
            f"instruments.csv: {row['id']} needs the jurisdiction that administers it "
            f"(an ISO alpha-2 code), not {row['jurisdiction']!r}"
        ) from None


@lru_cache(maxsize=1)
def all_instruments() -> tuple[Instrument, ...]:
    """Every instrument in the packaged data, oldest first."""
    found = []
    for row in read_rows("instruments.csv"):
        effective_from = optional_instant(row["effective_from"])
        published = optional_instant(row["published"])
        if effective_from is None or published is None:
            raise ValueError(f"instruments.csv: {row['id']} needs published and effective_from")
        found.append(
            Instrument(
                id=row["id"],
                title=row["title"],
                kind=row["kind"],
                jurisdiction=_jurisdiction(row),
                citation=row["citation"],
                published=published,
                effective_from=effective_from,
                effective_to=optional_instant(row["effective_to"]),
                compliance_from=optional_instant(row["compliance_from"]),
                in_regime=row["in_regime"] == "yes",
                eccn_text=row["eccn_text"],
                license_destinations=row["license_destinations"],
                hq_destinations=row["hq_destinations"],
                source=row["source"],
                notes=row["notes"],
            )
        )
    return tuple(sorted(found, key=lambda i: i.effective_from))


RULE_IDS: tuple[str, ...] = (
    "bis-2022-10",
    "bis-2023-10",
    "bis-2025-04-h20",
    "bis-2025-01-diffusion",
)


def get_instrument(rule_id: str) -> Instrument:
    """The instrument with this id; NotFound naming the ids that exist."""
    wanted = rule_id.strip().lower()
    for instrument in all_instruments():
        if instrument.id == wanted:
            return instrument
    known = ", ".join(i.id for i in all_instruments())
    raise NotFound(f"unknown rule: {rule_id!r}; use one of {known}")


def administering_jurisdictions() -> frozenset[str]:
    """Every jurisdiction that administers at least one instrument (today only `US`)."""
    return frozenset(i.jurisdiction for i in all_instruments())


def instruments_of(jurisdiction: str) -> list[Instrument]:
    """The instruments a jurisdiction administers (empty for one that administers none)."""
    return [i for i in all_instruments() if i.jurisdiction == jurisdiction]


def regime(on: datetime) -> list[Instrument]:
    """Every instrument that bound exporters at `on`: rules, letters and amendments in force."""
    return [i for i in all_instruments() if i.in_regime and i.in_force(on)]


def eccn_text_in_force(on: datetime) -> Instrument | None:
    """The rule whose 3A090 text applied at `on` (None before October 2022)."""
    texts = [i for i in regime(on) if i.eccn_text]
    return texts[-1] if texts else None


@lru_cache(maxsize=1)
def _thresholds() -> dict[tuple[str, str], float]:
    return {(row["rule"], row["name"]): float(row["value"]) for row in read_rows("thresholds.csv")}


def threshold(rule_id: str, name: str) -> float:
    """A numeric threshold of an instrument, as published (see `data/thresholds.csv`)."""
    try:
        return _thresholds()[(rule_id, name)]
    except KeyError:
        raise KeyError(f"thresholds.csv has no {name!r} for {rule_id!r}") from None
