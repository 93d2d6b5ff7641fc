"""The conditions a review policy asks the exporter to certify, as data with their citations.

Each row of `data/certifications.csv` is one condition of one instrument (today the January
2026 rule, `bis-2026-01-review`): its stable `id`, its wording, and `registry_check`, the
evidence the registry can hold for it (`china_volume_share`, `origin_us`, `consignee_kyc`,
`screening`, `lab_report`), or "" where only the exporter's word stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from computegov.errors import NotFound
from computegov.rules.instruments import get_instrument
from computegov.rules.packaged import read_rows

#: The evidence the registry can hold for a certification ("" where it holds none).
REGISTRY_CHECKS: tuple[str, ...] = (
    "china_volume_share",
    "origin_us",
    "consignee_kyc",
    "screening",
    "lab_report",
    "",
)


@dataclass(frozen=True)
class Certification:
    """One condition an instrument asks the exporter to certify, and where it is written."""

    rule: str
    id: str
    text: str
    registry_check: str
    citation: str
    source: str
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; `registry_check` is null where the registry can check nothing."""
        return {
            "rule": self.rule,
            "id": self.id,
            "text": self.text,
            "registry_check": self.registry_check or None,
            "citation": self.citation,
            "source": self.source,
            "notes": self.notes,
        }


@lru_cache(maxsize=1)
def all_certifications() -> tuple[Certification, ...]:
    """Every certification in the packaged data, in file order."""
    found = []
    seen: set[tuple[str, str]] = set()
    for row in read_rows("certifications.csv"):
        if row["registry_check"] not in REGISTRY_CHECKS:
            raise ValueError(
                f"certifications.csv: {row['id']} has registry_check {row['registry_check']!r}; "
                f"use one of {', '.join(c for c in REGISTRY_CHECKS if c)} or leave it empty"
            )
        if (row["rule"], row["id"]) in seen:
            raise ValueError(f"certifications.csv: {row['rule']} lists {row['id']} twice")
        seen.add((row["rule"], row["id"]))
        found.append(
            Certification(
                rule=row["rule"],
                id=row["id"],
                text=row["text"],
                registry_check=row["registry_check"],
                citation=row["citation"],
                source=row["source"],
                notes=row["notes"],
            )
        )
    return tuple(found)


def certifications(rule_id: str) -> tuple[Certification, ...]:
    """The conditions `rule_id` asks the exporter to certify (empty for an instrument that
    asks for none); NotFound for an unknown instrument."""
    instrument = get_instrument(rule_id)
    return tuple(c for c in all_certifications() if c.rule == instrument.id)


def certification(rule_id: str, certification_id: str) -> Certification:
    """One certification of an instrument by id; NotFound naming those that exist."""
    listed = certifications(rule_id)
    for item in listed:
        if item.id == certification_id:
            return item
    known = ", ".join(c.id for c in listed) or "none"
    raise NotFound(f"{rule_id} asks for no certification {certification_id!r}; it asks: {known}")
