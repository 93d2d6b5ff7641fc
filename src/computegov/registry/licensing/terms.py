"""The time limits and tolerances of the licensing process, as data with their citations.

`data/process.csv` holds the EAR's periods (an agency's 30 days to answer a referral, the
applicant's 20 days to answer an intent to deny, 45 days to appeal, a license's four years)
and the registry's own policies (a KYC attestation's 12 months, the tolerance before a gap
between the registry's count and a certified one is flagged), each with its source;
`data/agencies.csv` the agencies an application may be referred to.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources

from computegov.errors import InvalidInput


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("computegov.registry.licensing").joinpath(f"data/{name}").read_text()
    return list(csv.DictReader(io.StringIO(text)))


@cache
def _terms() -> dict[str, float]:
    return {row["name"]: float(row["value"]) for row in _rows("process.csv")}


def term(name: str) -> float:
    """One figure of `process.csv` by name."""
    return _terms()[name]


def days(name: str) -> timedelta:
    """A period of `process.csv` (`..._days`) as a timedelta."""
    return timedelta(days=term(name))


@dataclass(frozen=True)
class Agency:
    """An agency an application may be referred to, and how long it has to answer."""

    id: str
    name: str
    review_days: int
    citation: str
    source: str


@cache
def agencies() -> dict[str, Agency]:
    """The agencies of `agencies.csv`, by id."""
    return {
        row["id"]: Agency(
            row["id"], row["name"], int(row["review_days"]), row["citation"], row["source"]
        )
        for row in _rows("agencies.csv")
    }


def agency(agency_id: str) -> Agency:
    """One agency by id; InvalidInput naming those there are."""
    found = agencies().get(agency_id.strip().lower())
    if found is None:
        raise InvalidInput(
            f"no agency {agency_id!r} to refer to; refer to {', '.join(sorted(agencies()))}"
        )
    return found
