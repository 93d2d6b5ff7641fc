"""Which reporting obligations a training run of a given size triggers on a given day.

Instruments are dated data (`data/thresholds.json`): in force from their effective day,
revoked from their revocation day; vetoed and proposed instruments are answered as
what-ifs, so a user sees what they would have required.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

from computegov.compute.data_files import load
from computegov.errors import InvalidInput
from computegov.instants import as_utc

Status = Literal["in_force", "not_yet", "revoked", "what_if"]
Comparison = Literal["above", "at_or_above"]
TRAINING_COMPUTE = "training_compute"
BIO_TRAINING_COMPUTE = "bio_training_compute"
CLUSTER_OPS_PER_SECOND = "cluster_ops_per_second"
_WHAT_IF_STANDINGS = {"vetoed", "proposed"}


@dataclass(frozen=True)
class Instrument:
    """One dated threshold of one instrument, as the data file states it."""

    id: str
    instrument: str
    jurisdiction: str
    kind: str
    threshold: float
    unit: str
    comparison: Comparison
    standing: str
    effective: date | None
    revoked: date | None
    obligation: str
    source: str
    replaces: str | None = None
    network_gbit_s_above: float | None = None

    def status(self, on: datetime) -> Status:
        """`what_if` for a vetoed or proposed instrument, else where `on` falls in its dates."""
        if self.standing in _WHAT_IF_STANDINGS or self.effective is None:
            return "what_if"
        day = as_utc(on).date()
        if self.revoked is not None and day >= self.revoked:
            return "revoked"
        if day < self.effective:
            return "not_yet"
        return "in_force"

    def crossed(self, amount: float) -> bool:
        """Whether `amount` crosses the threshold in the instrument's own words."""
        if self.comparison == "above":
            return amount > self.threshold
        return amount >= self.threshold


@dataclass(frozen=True)
class ThresholdResult:
    """An instrument's answer for one run on one day; `triggered` = crossed and in force."""

    instrument: str
    id: str
    jurisdiction: str
    kind: str
    threshold: float
    comparison: Comparison
    crossed: bool
    status: Status
    triggered: bool
    obligation: str
    effective: date | None
    revoked: date | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "id": self.id,
            "jurisdiction": self.jurisdiction,
            "kind": self.kind,
            "threshold": self.threshold,
            "comparison": self.comparison,
            "crossed": self.crossed,
            "status": self.status,
            "triggered": self.triggered,
            "obligation": self.obligation,
            "effective": self.effective.isoformat() if self.effective else None,
            "revoked": self.revoked.isoformat() if self.revoked else None,
            "source": self.source,
        }


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def instruments() -> list[Instrument]:
    """Every packaged instrument threshold, training compute and clusters alike."""
    rows = load("thresholds.json")["instruments"]
    return [
        Instrument(
            id=row["id"],
            instrument=row["instrument"],
            jurisdiction=row["jurisdiction"],
            kind=row["kind"],
            threshold=float(row["threshold"]),
            unit=row["unit"],
            comparison=row["comparison"],
            standing=row["standing"],
            effective=_day(row["effective"]),
            revoked=_day(row["revoked"]),
            obligation=row["obligation"],
            source=row["source"],
            replaces=row.get("replaces"),
            network_gbit_s_above=row.get("network_gbit_s_above"),
        )
        for row in rows
    ]


def _result(item: Instrument, amount: float, on: datetime) -> ThresholdResult:
    crossed = item.crossed(amount)
    status = item.status(on)
    return ThresholdResult(
        instrument=item.instrument,
        id=item.id,
        jurisdiction=item.jurisdiction,
        kind=item.kind,
        threshold=item.threshold,
        comparison=item.comparison,
        crossed=crossed,
        status=status,
        triggered=crossed and status == "in_force",
        obligation=item.obligation,
        effective=item.effective,
        revoked=item.revoked,
        source=item.source,
    )


def thresholds(flop: float, on: datetime | date, bio: bool = False) -> list[ThresholdResult]:
    """Each instrument's answer for a training run of `flop` on day `on`.

    With `bio` (a model trained mainly on biological sequence data), an instrument's bio
    threshold replaces its general one.
    """
    if not flop >= 0:
        raise InvalidInput(f"training compute must be a FLOP count of 0 or more, got {flop!r}")
    when = as_utc(on)
    every = instruments()
    replaced = {item.replaces for item in every if bio and item.kind == BIO_TRAINING_COMPUTE}
    chosen = [
        item
        for item in every
        if (item.kind == TRAINING_COMPUTE and item.id not in replaced)
        or (bio and item.kind == BIO_TRAINING_COMPUTE)
    ]
    return [_result(item, flop, when) for item in chosen]


def cluster_thresholds(
    ops_per_second: float, network_gbit_s: float, on: datetime | date
) -> list[ThresholdResult]:
    """Each cluster threshold's answer for a cluster of `ops_per_second` peak, networked at
    `network_gbit_s`; a cluster crosses only if both its rate and its network are above."""
    if not ops_per_second >= 0 or not network_gbit_s >= 0:
        raise InvalidInput("a cluster needs a peak rate and a network speed of 0 or more")
    when = as_utc(on)
    results = []
    for item in instruments():
        if item.kind != CLUSTER_OPS_PER_SECOND:
            continue
        result = _result(item, ops_per_second, when)
        if item.network_gbit_s_above is not None and not network_gbit_s > item.network_gbit_s_above:
            result = replace(result, crossed=False, triggered=False)
        results.append(result)
    return results
