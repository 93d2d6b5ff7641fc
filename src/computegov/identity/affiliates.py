"""The BIS "Affiliates rule" as dated data: when a listed party's restrictions reach the
entities it owns 50 percent or more.

The rule (90 FR 47201, effective 2025-09-29) treats an entity owned 50 percent or more,
directly or indirectly, by parties on the Entity List, the Military End-User List or certain
SDNs as listed itself; it was suspended for one year from 2025-11-10 (the US-China
arrangement) and is to come back on 2026-11-10 absent an extension. Each period is a row of
`data/affiliates_rule.csv` with its citation and source: `period_at(at)` says which holds at an
instant, `in_force(at)` whether the extension applies then.

Which lists it extends: it is a US rule, so only lists owned by a regulator of its
jurisdiction (`jurisdiction`) count, and of those only entries from the lists it names
(`lists`, matched against the start of an entry's CSL `source`, e.g. "Entity List (EL) -
Bureau of Industry and Security"; "Unverified List" or a foreign "Unreliable Entity List"
do not).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from computegov.instants import parse_instant


@dataclass(frozen=True)
class AffiliatesPeriod:
    """One dated state of the rule: `in_force` or `suspended` from `start` until `end`
    (exclusive; None: open-ended)."""

    id: str
    status: str
    start: datetime
    end: datetime | None
    jurisdiction: str
    threshold_percent: float
    lists: tuple[str, ...]
    citation: str
    source: str
    notes: str

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"

    def covers(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)

    def names_list(self, source: str) -> bool:
        """Whether an entry from this CSL `source` is on one of the lists the rule extends."""
        folded = source.strip().casefold()
        return any(folded.startswith(name.casefold()) for name in self.lists)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "effective_from": self.start.date().isoformat(),
            "effective_to": self.end.date().isoformat() if self.end else None,
            "threshold_percent": self.threshold_percent,
            "citation": self.citation,
            "source": self.source,
        }


def parse_periods(text: str) -> tuple[AffiliatesPeriod, ...]:
    """The periods of a CSV in the packaged format, checked not to overlap."""
    periods = []
    for row in csv.DictReader(io.StringIO(text)):
        if row["status"] not in ("in_force", "suspended"):
            raise ValueError(f"affiliates rule {row['id']}: unknown status {row['status']!r}")
        threshold = float(row["threshold_percent"])
        if not 0 < threshold <= 100:
            raise ValueError(f"affiliates rule {row['id']}: threshold {threshold} not in (0, 100]")
        periods.append(
            AffiliatesPeriod(
                id=row["id"],
                status=row["status"],
                start=parse_instant(row["effective_from"]),
                end=parse_instant(row["effective_to"]) if row["effective_to"] else None,
                jurisdiction=row["jurisdiction"],
                threshold_percent=threshold,
                lists=tuple(n.strip() for n in row["lists"].split(";") if n.strip()),
                citation=row["citation"],
                source=row["source"],
                notes=row["notes"],
            )
        )
    ordered = sorted(periods, key=lambda p: p.start)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.end is None or before.end > after.start:
            raise ValueError(f"affiliates rule periods {before.id} and {after.id} overlap")
    return tuple(ordered)


@cache
def periods() -> tuple[AffiliatesPeriod, ...]:
    """The packaged periods (`identity/data/affiliates_rule.csv`), oldest first."""
    path = resources.files("computegov.identity").joinpath("data/affiliates_rule.csv")
    return parse_periods(path.read_text(encoding="utf-8"))


def period_at(at: datetime) -> AffiliatesPeriod | None:
    """The rule's state at an instant (None: before it)."""
    return next((p for p in periods() if p.covers(at)), None)


def in_force(at: datetime) -> AffiliatesPeriod | None:
    """The period in force at `at`, or None while suspended (or before the rule)."""
    period = period_at(at)
    return period if period is not None and period.in_force else None
