"""The obligations calendar: what a model's developer owes to whom and by when, on a given day.

Pure: plain values in, plain values out, no HTTP and no database. Every threshold, duty,
period and status is data (`data/obligations.json`, read by `obligation_rules`); this module
only applies it. `obligations(entity, model, on=day)` is deterministic for a given day.

Each answer has a `state`:
- `applies`: the instrument is in force on the day and the model and entity meet its terms;
- `upcoming`: they meet its terms, but the instrument is not in force yet on the day;
- `what_if`: a proposal (stalled), answered only as what it would require;
- `undetermined`: a fact it needs was not given (e.g. revenue, for "large" developers);
- `does_not_apply`: listed only with `explain=True`, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from computegov.compute.obligation_rules import (
    Duty,
    InstrumentRules,
    incident_kinds,
    instrument_rules,
    known_markets,
)
from computegov.compute.obligation_timing import due
from computegov.errors import InvalidInput
from computegov.instants import to_wire

State = Literal["applies", "upcoming", "what_if", "undetermined", "does_not_apply"]
Role = Literal["provider", "modifier"]
ROLES = ("provider", "modifier")


@dataclass(frozen=True)
class Entity:
    """The developer: revenue including affiliates (USD, preceding year), markets, its role."""

    revenue_usd: float | None = None
    markets: tuple[str, ...] = ()
    role: Role = "provider"
    us_person: bool = False


@dataclass(frozen=True)
class Incident:
    """An incident as discovered: when, which kind (`incident_kinds()`), and whether it poses
    an imminent risk of death or serious physical injury."""

    discovered: date | datetime
    kind: str
    imminent: bool = False


@dataclass(frozen=True)
class Model:
    """A model's facts. `flop`: cumulative training compute as each instrument counts it, one
    figure for all or a mapping instrument id -> FLOP. A modifier also gives the original
    model's compute (`base_flop`) and the compute of its modification (`modification_flop`)."""

    flop: float | Mapping[str, float]
    known_on: date | None = None
    placed_on: date | None = None
    deployed_on: date | None = None
    incidents: tuple[Incident, ...] = ()
    base_flop: float | None = None
    modification_flop: float | None = None


@dataclass(frozen=True)
class Obligation:
    """One duty of one instrument for one model, with its deadline, status and reasons."""

    instrument_id: str
    instrument: str
    jurisdiction: str
    duty_id: str
    duty: str
    authority: str
    state: State
    deadline: str | None
    due: str
    status: str
    why: str
    citation: str
    source: str
    incident: dict[str, Any] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument_id": self.instrument_id,
            "instrument": self.instrument,
            "jurisdiction": self.jurisdiction,
            "duty_id": self.duty_id,
            "duty": self.duty,
            "authority": self.authority,
            "state": self.state,
            "deadline": self.deadline,
            "due": self.due,
            "status": self.status,
            "why": self.why,
            "citation": self.citation,
            "source": self.source,
            "incident": self.incident,
        }


def sci(value: float) -> str:
    """A FLOP figure or a share for people: 3e25, 1.2e26, 0.333."""
    return f"{value:.3g}".replace("e+", "e")


def _figure(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{what} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidInput(f"{what} must be a finite number of 0 or more, got {value!r}")
    return number


def _check(entity: Entity, model: Model, rules: list[InstrumentRules]) -> None:
    known = known_markets()
    for market in entity.markets:
        if market not in known:
            raise InvalidInput(
                f"unknown market {market!r}; the calendar knows {', '.join(known)} "
                "(other markets have no instrument in its data)"
            )
    if entity.role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, got {entity.role!r}")
    if entity.revenue_usd is not None:
        _figure(entity.revenue_usd, "annual revenue (USD)")
    if isinstance(model.flop, Mapping):
        ids = {r.id for r in rules}
        for key, value in model.flop.items():
            if key not in ids:
                raise InvalidInput(f"no instrument {key!r}; known: {', '.join(sorted(ids))}")
            _figure(value, f"training compute for {key}")
    else:
        _figure(model.flop, "training compute (FLOP)")
    if entity.role == "modifier":
        if model.base_flop is None or model.modification_flop is None:
            raise InvalidInput("a modifier gives both the original model's compute and its own")
        _figure(model.base_flop, "the original model's compute")
        _figure(model.modification_flop, "the modification's compute")
    kinds = incident_kinds()
    for incident in model.incidents:
        if incident.kind not in kinds:
            raise InvalidInput(
                f"unknown incident kind {incident.kind!r}; known: {', '.join(sorted(kinds))}"
            )


def _flop_for(model: Model, rules: InstrumentRules) -> float:
    if not isinstance(model.flop, Mapping):
        return float(model.flop)
    if rules.id not in model.flop:
        raise InvalidInput(
            f"no training compute given for {rules.id} (as that instrument counts it)"
        )
    return float(model.flop[rules.id])


def _reaches(entity: Entity, rules: InstrumentRules) -> str | None:
    """Why the instrument reaches this entity, or None."""
    markets = [m for m in entity.markets if m in rules.markets]
    if markets:
        return f"placed on the market in {', '.join(markets)}"
    if rules.us_persons and entity.us_person:
        return "a U.S. person"
    return None


def _who(entity: Entity, model: Model, rules: InstrumentRules) -> tuple[bool, str]:
    """Whether the entity answers as the model's provider under this instrument, and why."""
    if entity.role == "provider" or rules.modifier_share_above is None:
        return True, entity.role
    base = float(model.base_flop or 0.0)
    mod = float(model.modification_flop or 0.0)
    numerator, denominator = rules.modifier_share_above
    said = f"a modifier using {sci(mod)} FLOP against the original's {sci(base)}"
    share = f"{numerator}/{denominator}"
    # Compared in whole multiples, so exactly one third is not "more than a third".
    if mod * denominator > base * numerator:
        return True, f"{said}, more than {share} of it: the provider ({rules.modifier_citation})"
    return False, (
        f"{said}, not more than {share} of it: not the provider ({rules.modifier_citation})"
    )


def _terms(
    entity: Entity, duty: Duty, rules: InstrumentRules, flop: float
) -> tuple[State | None, str]:
    """(None, why it meets the terms) or (a state, why not or why undetermined)."""
    limit = rules.thresholds[duty.threshold]
    said = f"{sci(flop)} FLOP is"
    if not limit.crossed(flop):
        return (
            "does_not_apply",
            f"{said} not {limit.comparison} {sci(limit.flop)} ({limit.citation})",
        )
    why = f"{said} {limit.comparison} {sci(limit.flop)} ({limit.citation})"
    if not duty.large:
        return None, why
    large = rules.large_revenue_usd_above
    assert large is not None, f"{rules.id}: a 'large' duty needs large_revenue_usd_above"
    bar = f"${large:,.0f}"
    if entity.revenue_usd is None:
        return "undetermined", f"{why}; revenue not given: large developer (above {bar}) unknown"
    revenue = f"${entity.revenue_usd:,.0f}"
    if entity.revenue_usd > large:
        return None, f"{why}; revenue {revenue} is above {bar} ({rules.large_citation})"
    return "does_not_apply", (
        f"{why}; revenue {revenue} is not above {bar}: not a large developer "
        f"({rules.large_citation})"
    )


def _wire(value: date | datetime) -> str:
    return to_wire(value) if isinstance(value, datetime) else value.isoformat()


def _state(rules: InstrumentRules, day: date) -> State:
    if rules.what_if:
        return "what_if"
    if rules.in_force is not None and day < rules.in_force:
        return "upcoming"
    return "applies"


def obligations(
    entity: Entity, model: Model, on: date | datetime, explain: bool = False
) -> list[Obligation]:
    """The obligations calendar for `model` of `entity` on day `on`.

    Without `explain`, only duties in state applies, upcoming, what_if or undetermined; with
    it, every duty of every instrument, each with why it does not apply where it does not.
    """
    day = on.date() if isinstance(on, datetime) else on
    every = instrument_rules()
    _check(entity, model, every)
    found: list[Obligation] = []
    for rules in every:
        for duty in rules.duties:
            found.extend(_duty(entity, model, rules, duty, day))
    return found if explain else [o for o in found if o.state != "does_not_apply"]


@dataclass(frozen=True)
class _Maker:
    rules: InstrumentRules
    duty: Duty
    status: str
    day: date

    def __call__(
        self,
        state: State,
        why: str,
        deadline: str | None = None,
        when: str = "",
        incident: dict[str, Any] | None = None,
        text: str | None = None,
    ) -> Obligation:
        rules, duty = self.rules, self.duty
        return Obligation(
            rules.id, rules.instrument, rules.jurisdiction, duty.id, text or duty.duty,
            duty.authority, state, deadline, when, self.status, why, duty.citation, duty.source,
            incident,
        )  # fmt: skip


def _duty(
    entity: Entity, model: Model, rules: InstrumentRules, duty: Duty, day: date
) -> list[Obligation]:
    status = rules.status_on(day)
    text = status.status if status else f"not enacted on {day.isoformat()}"
    make = _Maker(rules, duty, text, day)
    if status is None:
        return [make("does_not_apply", f"{rules.instrument} did not exist on {day.isoformat()}")]
    reach = _reaches(entity, rules)
    if reach is None:
        where = ", ".join(rules.markets) or "the U.S. (U.S. persons)"
        return [make("does_not_apply", f"not placed on the market in {where}")]
    provider, role_why = _who(entity, model, rules)
    if not provider:
        return [make("does_not_apply", role_why)]
    blocked, terms = _terms(entity, duty, rules, _flop_for(model, rules))
    why = f"{reach}; {role_why}; {terms}"
    if blocked is not None:
        return [make(blocked, why)]
    state = _state(rules, day)
    if state == "upcoming" and rules.in_force is not None:
        why = f"{why}; in force from {rules.in_force.isoformat()}"
    if duty.trigger == "incident":
        return [o for i in model.incidents for o in _incident(make, state, why, duty, rules, i)]
    answer = due(duty, rules, day, model.known_on, model.placed_on, model.deployed_on)
    if answer.skip:
        return [make("does_not_apply", f"{why}; {answer.skip}")]
    return [make(state, why, answer.deadline, answer.text)]


def _incident(
    make: _Maker, state: State, why: str, duty: Duty, rules: InstrumentRules, incident: Incident
) -> list[Obligation]:
    found = incident.discovered
    record = {"discovered": _wire(found), "kind": incident.kind, "imminent": incident.imminent}
    found_day = found.date() if isinstance(found, datetime) else found
    if found_day > make.day:
        return [make("does_not_apply", f"{why}; discovered after {make.day.isoformat()}",
                     incident=record)]  # fmt: skip
    if rules.in_force is not None and found_day < rules.in_force:
        took = rules.in_force.isoformat()
        return [make("does_not_apply", f"{why}; discovered before it took effect on {took}",
                     incident=record)]  # fmt: skip
    period = duty.kinds.get(incident.kind) if duty.kinds is not None else duty.default
    results = []
    if period is None:
        results.append(make("does_not_apply",
                            f"{why}; a {incident.kind} incident has no period in {duty.citation}",
                            incident=record))  # fmt: skip
    else:
        end = period.after(found)
        results.append(make(state, why, _wire(end), f"within {period.words()} of discovery",
                            record))  # fmt: skip
    if incident.imminent and duty.imminent is not None:
        end = duty.imminent.after(found)
        results.append(make(
            state, f"{why}; imminent risk of death or serious physical injury", _wire(end),
            f"within {duty.imminent.words()} of discovery, to an appropriate authority", record,
            text=f"{duty.duty} [imminent risk: disclose to an appropriate authority]",
        ))  # fmt: skip
    return results
