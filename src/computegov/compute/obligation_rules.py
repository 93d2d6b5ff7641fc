"""The obligations data (`data/obligations.json`) as typed, dated rules.

Nothing here decides anything about a model: it reads each instrument's thresholds, dated
statuses and duties, and answers the small questions the calendar asks of them (is this
figure above that threshold, what was the status on that day, when does a period end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

from computegov.compute.data_files import load
from computegov.instants import as_utc

Trigger = Literal[
    "threshold_known",
    "before_placement",
    "at_deployment",
    "standing",
    "periodic",
    "incident",
    "enforcement",
]
TRIGGERS = frozenset(get_args(Trigger))


@dataclass(frozen=True)
class Period:
    """A reporting period: whole days, or hours, from a starting instant."""

    days: int = 0
    hours: int = 0

    def after(self, start: date | datetime) -> date | datetime:
        """The end of the period: a day for day periods from a day, else a UTC instant (a day
        counts from midnight UTC, so give the time of discovery for an exact deadline)."""
        if self.hours:
            return as_utc(start) + timedelta(hours=self.hours)
        return start + timedelta(days=self.days)

    def words(self) -> str:
        if self.hours:
            return f"{self.hours} hours"
        return f"{self.days} days"


@dataclass(frozen=True)
class Threshold:
    name: str
    flop: float
    comparison: Literal["above", "at_or_above"]
    citation: str
    source: str

    def crossed(self, amount: float) -> bool:
        return amount > self.flop if self.comparison == "above" else amount >= self.flop


@dataclass(frozen=True)
class Status:
    start: date
    status: str
    source: str


@dataclass(frozen=True)
class Duty:
    id: str
    duty: str
    threshold: str
    large: bool
    trigger: Trigger
    authority: str
    citation: str
    source: str
    period: Period | None = None
    months: int | None = None
    day: date | None = None
    kinds: dict[str, Period] | None = None
    default: Period | None = None
    imminent: Period | None = None


@dataclass(frozen=True)
class Legacy:
    placed_before: date
    deadline: date
    citation: str
    source: str


@dataclass(frozen=True)
class InstrumentRules:
    """One instrument: where it reaches, its thresholds, its dated standing and its duties."""

    id: str
    instrument: str
    jurisdiction: str
    markets: tuple[str, ...]
    us_persons: bool
    what_if: bool
    thresholds: dict[str, Threshold]
    in_force: date | None
    statuses: tuple[Status, ...]
    duties: tuple[Duty, ...]
    large_revenue_usd_above: float | None = None
    large_citation: str = ""
    modifier_share_above: tuple[int, int] | None = None  # numerator, denominator
    modifier_citation: str = ""
    modifier_source: str = ""
    legacy: Legacy | None = None

    def status_on(self, day: date) -> Status | None:
        """The standing on `day`: the last dated status on or before it, or None before any."""
        current = None
        for entry in self.statuses:
            if entry.start <= day:
                current = entry
        return current


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _period(raw: dict[str, Any] | None) -> Period | None:
    if raw is None:
        return None
    return Period(days=int(raw.get("days", 0)), hours=int(raw.get("hours", 0)))


def _duty(raw: dict[str, Any]) -> Duty:
    trigger = raw["trigger"]
    if trigger not in TRIGGERS:
        raise ValueError(f"obligations.json: duty {raw['id']} has unknown trigger {trigger!r}")
    kinds = raw.get("kinds")
    return Duty(
        id=raw["id"],
        duty=raw["duty"],
        threshold=raw["requires"]["threshold"],
        large=bool(raw["requires"].get("large", False)),
        trigger=trigger,
        authority=raw["authority"],
        citation=raw["citation"],
        source=raw["source"],
        period=_period(raw.get("period")),
        months=raw.get("months"),
        day=_day(raw.get("date")),
        kinds=None if kinds is None else {k: Period(**v) for k, v in kinds.items()},
        default=_period(raw.get("default")),
        imminent=_period(raw.get("imminent")),
    )


def _instrument(raw: dict[str, Any]) -> InstrumentRules:
    legacy = raw.get("legacy")
    large = raw.get("large_rule", {})
    modifier = raw.get("modifier_rule", {})
    return InstrumentRules(
        id=raw["id"],
        instrument=raw["instrument"],
        jurisdiction=raw["jurisdiction"],
        markets=tuple(raw["markets"]),
        us_persons=bool(raw.get("us_persons", False)),
        what_if=bool(raw["what_if"]),
        thresholds={
            name: Threshold(name, float(t["flop"]), t["comparison"], t["citation"], t["source"])
            for name, t in raw["thresholds"].items()
        },
        in_force=_day(raw["in_force"]),
        statuses=tuple(
            Status(date.fromisoformat(s["from"]), s["status"], s["source"]) for s in raw["statuses"]
        ),
        duties=tuple(_duty(d) for d in raw["duties"]),
        large_revenue_usd_above=raw.get("large_revenue_usd_above"),
        large_citation=large.get("citation", ""),
        modifier_share_above=None
        if "modifier_share_above" not in raw
        else (
            int(raw["modifier_share_above"]["numerator"]),
            int(raw["modifier_share_above"]["denominator"]),
        ),
        modifier_citation=modifier.get("citation", ""),
        modifier_source=modifier.get("source", ""),
        legacy=None
        if legacy is None
        else Legacy(
            date.fromisoformat(legacy["placed_before"]),
            date.fromisoformat(legacy["deadline"]),
            legacy["citation"],
            legacy["source"],
        ),
    )


def instrument_rules() -> list[InstrumentRules]:
    """Every instrument in `data/obligations.json`, in file order."""
    return [_instrument(raw) for raw in load("obligations.json")["instruments"]]


def incident_kinds() -> dict[str, str]:
    """Incident kinds the calendar knows, with what each one means."""
    kinds: dict[str, str] = load("obligations.json")["incident_kinds"]
    return dict(kinds)


def known_markets() -> list[str]:
    """Every market code some instrument reaches, sorted."""
    return sorted({market for rules in instrument_rules() for market in rules.markets})
