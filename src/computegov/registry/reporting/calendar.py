"""The obligations calendar of a developer's models, from what the registry holds.

For each model: its cumulative compute over its lineage (`lineage.lineage_compute`), the
day each instrument's threshold became known to be met (the day of the earliest report,
planned ones included, that took the lineage's compute over it: EU AI Act Art. 52(1) runs
"from when it becomes known"), the days the model was placed on the market and deployed (the
model's `placed_on`, `deployed_on`), the developer's role (a modifier where the lineage runs
through another developer's model, with the original's compute and its own), and the
developer's facts (revenue including affiliates in the preceding calendar year, markets:
`facts.current_facts`). The pure calendar (`compute.obligations`) answers the duties with
their deadlines and sources; this module only gathers its inputs.

Markets: the model's and the developer's (facts), where an EU member state stands for the
EU and `US` for every US state some instrument reaches (a model placed on the US market is
taken to be available in California and New York). Without facts, revenue is unknown and
"large developer" duties are `undetermined`. Incidents are not reported to the registry, so
incident duties are not listed (their periods are in `computegov obligations --incident`).

Figures of models in the lineage the reader may not read are withheld from the calendar as
they are from the model's view (`views.shown_lineage`), in the reasons too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.compute.obligation_rules import Threshold, instrument_rules, known_markets
from computegov.compute.obligations import Entity, Model, Obligation, obligations, sci
from computegov.registry.parties.models import Party
from computegov.registry.reporting.facts import current_facts
from computegov.registry.reporting.lineage import chain, eu_members, lineage_compute
from computegov.registry.reporting.models import ReportedModel, TrainingRunReport
from computegov.registry.reporting.views import shown_lineage

WITHHELD = "[withheld]"


def markets(model: ReportedModel, facts_markets: Sequence[str]) -> tuple[str, ...]:
    """The calendar's markets (EU, US-CA, US-NY...) for the model's and the developer's."""
    known = set(known_markets())
    found: set[str] = set()
    for code in [*model.markets, *facts_markets]:
        text = code.strip().upper()
        if text in known:
            found.add(text)
        elif text in eu_members():
            found.add("EU")
        elif text == "US":
            found |= {m for m in known if m.startswith("US-")}
    return tuple(sorted(found))


def compute_series(session: Session, model: ReportedModel) -> list[tuple[date, float]]:
    """The lineage's cumulative compute after each report, in the order they were received:
    each stage counts its latest report then (a later one supersedes it)."""
    ids = [m.id for m in chain(session, model)]
    reports = session.scalars(
        sa.select(TrainingRunReport)
        .where(TrainingRunReport.model_id.in_(ids))
        .order_by(TrainingRunReport.reported_at, TrainingRunReport.id)
    )
    latest: dict[tuple[str, str], float] = {}
    series = []
    for report in reports:
        latest[(report.model_id, report.stage)] = report.declared_flop
        series.append((report.reported_at.date(), sum(latest.values())))
    return series


def known_on(series: list[tuple[date, float]], limit: Threshold) -> date | None:
    """The day of the earliest report that took the lineage over `limit`, or None."""
    return next((day for day, total in series if limit.crossed(total)), None)


def _day(details: dict[str, Any], name: str) -> date | None:
    value = (details or {}).get(name)
    return date.fromisoformat(value) if isinstance(value, str) else None


def _role(model: ReportedModel, lineage: dict[str, Any]) -> tuple[str, float | None, float]:
    """(role, the original's compute, the modification's) for the calendar's modifier rule."""
    steps = lineage["chain"]
    own = float(steps[0]["own_flop"])
    modifier = lineage["modifier"]
    others = any(s["developer_id"] != model.developer_id for s in steps[1:])
    if modifier is None or not others or not modifier["known"]:
        return "provider", None, own
    return "modifier", float(modifier["original_flop"]), own


def _withhold(text: str, figures: list[float]) -> str:
    for figure in figures:
        text = text.replace(sci(figure), WITHHELD)
    return text


def model_calendar(
    session: Session, model: ReportedModel, reader: Party, on: datetime
) -> dict[str, Any]:
    """One model's calendar on day `on`, as `reader` may see it (see the module doc)."""
    lineage = lineage_compute(session, model, on)
    shown = shown_lineage(session, lineage, reader)
    developer = session.get(Party, model.developer_id)
    facts = current_facts(session, model.developer_id, on.year - 1)
    revenue = facts.revenue_usd if facts is not None else None
    role, base, own = _role(model, lineage)
    total = float(lineage["cumulative_flop"])
    entity = Entity(
        revenue_usd=revenue,
        markets=markets(model, list(facts.markets) if facts is not None else []),
        role="modifier" if role == "modifier" else "provider",
        us_person=developer is not None and developer.country == "US",
    )
    series = compute_series(session, model)
    limits = {
        (rules.id, duty.id): rules.thresholds[duty.threshold]
        for rules in instrument_rules()
        for duty in rules.duties
    }
    known = {key: known_on(series, limit) for key, limit in limits.items()}
    placed, deployed = _day(model.details, "placed_on"), _day(model.details, "deployed_on")
    found: dict[tuple[str, str], Obligation] = {}
    for day in sorted(set(known.values()), key=lambda d: (d is not None, d or date.min)):
        facts_model = Model(
            flop=total,
            known_on=day,
            placed_on=placed,
            deployed_on=deployed,
            base_flop=base,
            modification_flop=own if role == "modifier" else None,
        )
        for answer in obligations(entity, facts_model, on):
            key = (answer.instrument_id, answer.duty_id)
            if known.get(key) == day:
                found[key] = answer
    hidden = [] if shown is lineage else [f for f in (total, base) if f]
    items = []
    for key in limits:
        if key in found:
            item = found[key].to_dict()
            item["why"] = _withhold(item["why"], hidden)
            items.append({"obligation_id": key[1], **item, "known_on": _iso(known[key])})
    return {
        "model_id": model.id,
        "model_name": model.name,
        "developer_id": model.developer_id,
        "role": role,
        "cumulative_flop": shown["cumulative_flop"],
        "lineage": shown,
        "markets": list(entity.markets),
        "revenue_usd": revenue,
        "placed_on": _iso(placed),
        "deployed_on": _iso(deployed),
        "on": on.date().isoformat(),
        "obligations": items,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


ROW_FIELDS = ("model_id", "model_name", "developer_id", "role")


def calendar_rows(calendars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flat rows, one per obligation of each model (for lists and CSV)."""
    return [
        {
            **{name: calendar[name] for name in ROW_FIELDS},
            **{k: v for k, v in item.items() if k != "incident"},
        }
        for calendar in calendars
        for item in calendar["obligations"]
    ]
