"""`computegov obligations`: the obligations calendar for one model of one developer, on a day."""

from __future__ import annotations

from datetime import date, datetime

import typer

from computegov.cli.compute import fmt_flop
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.compute import Entity, Incident, Model, obligations, parse_amount
from computegov.compute.obligation_rules import incident_kinds, instrument_rules, known_markets
from computegov.errors import InvalidInput
from computegov.instants import parse_instant, utcnow


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    if len(text.strip()) != 10:
        raise InvalidInput(f"{what} takes a day, YYYY-MM-DD, got {text!r}")
    return parse_instant(text).date()


def _flops(default: str | None, per: list[str]) -> float | dict[str, float]:
    if not per:
        if default is None:
            raise InvalidInput("give the model's training compute: --flop 3e25 (or --flop-for)")
        return parse_amount(default, what="--flop")
    mapping: dict[str, float] = {}
    if default is not None:  # --flop counts for every instrument --flop-for does not name
        figure = parse_amount(default, what="--flop")
        mapping = {rules.id: figure for rules in instrument_rules()}
    named: set[str] = set()
    for item in per:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(
                f"--flop-for takes INSTRUMENT=FLOP, e.g. us-ca-sb-53=1.2e26; got {item!r}"
            )
        if key.strip() in named:
            raise InvalidInput(f"--flop-for names {key.strip()!r} twice")
        named.add(key.strip())
        mapping[key.strip()] = parse_amount(value, what=f"--flop-for {key.strip()}")
    return mapping


def _incident(text: str) -> Incident:
    parts = [p.strip() for p in text.split(",")]
    kinds = sorted(incident_kinds())
    usage = f"--incident takes WHEN,KIND[,imminent] with KIND one of {', '.join(kinds)}"
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "imminent"):
        raise InvalidInput(f"{usage}; got {text!r}")
    raw = parts[0]
    found: date | datetime = parse_instant(raw)
    if len(raw) == 10:
        found = found.date()  # type: ignore[union-attr]
    return Incident(found, parts[1], imminent=len(parts) == 3)


_FLOP_FOR_OPTION = typer.Option(
    [],
    "--flop-for",
    metavar="ID=FLOP",
    help="Compute as one instrument counts it, e.g. us-ca-sb-53=1.2e26 (repeatable).",
)
_MARKET_OPTION = typer.Option(
    [],
    "--market",
    metavar="CODE",
    help="Where the model is placed on the market: EU, US-CA, US-NY (repeatable).",
)
_INCIDENT_OPTION = typer.Option(
    [],
    "--incident",
    metavar="WHEN,KIND[,imminent]",
    help=(
        "An incident as discovered: when (day or instant), its kind, and 'imminent' where it "
        "poses an imminent risk of death or serious injury (repeatable)."
    ),
)


def obligations_command(
    flop: str | None = typer.Option(
        None, "--flop", help="Cumulative training compute in FLOP, one figure for every instrument."
    ),
    flop_for: list[str] = _FLOP_FOR_OPTION,
    revenue_usd: str | None = typer.Option(
        None, "--revenue-usd", help="Annual revenue incl. affiliates, preceding year, in USD."
    ),
    market: list[str] = _MARKET_OPTION,
    us_person: bool = typer.Option(
        False, "--us-person", help="The developer is a U.S. person (for the BIS 2024 what-if)."
    ),
    role: str = typer.Option("provider", "--role", help="provider or modifier of the model."),
    base_flop: str | None = typer.Option(
        None, "--base-flop", help="Modifier: the original model's training compute in FLOP."
    ),
    modification_flop: str | None = typer.Option(
        None, "--modification-flop", help="Modifier: the compute of the modification in FLOP."
    ),
    known_on: str | None = typer.Option(
        None, "--known-on", help="Day it became known the threshold would be met, YYYY-MM-DD."
    ),
    placed_on: str | None = typer.Option(
        None, "--placed-on", help="Day of (planned) market placement, YYYY-MM-DD."
    ),
    deployed_on: str | None = typer.Option(
        None, "--deployed-on", help="Day of deployment, YYYY-MM-DD (default: the placement day)."
    ),
    incident: list[str] = _INCIDENT_OPTION,
    on: str | None = typer.Option(
        None, "--on", help="The day to ask about, YYYY-MM-DD (default: today)."
    ),
    explain: bool = typer.Option(
        False, "--explain", help="Also list the duties that do not apply, with why not."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """The obligations calendar: each duty with its deadline, status, source and why it applies."""
    markets = tuple(m.strip().upper() for m in market)
    for code in markets:
        if code not in known_markets():
            raise InvalidInput(f"unknown --market {code!r}; known: {', '.join(known_markets())}")
    if role not in ("provider", "modifier"):
        raise InvalidInput(f"--role is provider or modifier, got {role!r}")
    entity = Entity(
        revenue_usd=None
        if revenue_usd is None
        else parse_amount(revenue_usd, what="--revenue-usd"),
        markets=markets,
        role="provider" if role == "provider" else "modifier",
        us_person=us_person,
    )
    model = Model(
        flop=_flops(flop, flop_for),
        known_on=_day(known_on, "--known-on"),
        placed_on=_day(placed_on, "--placed-on"),
        deployed_on=_day(deployed_on, "--deployed-on"),
        incidents=tuple(_incident(i) for i in incident),
        base_flop=None if base_flop is None else parse_amount(base_flop, what="--base-flop"),
        modification_flop=None
        if modification_flop is None
        else parse_amount(modification_flop, what="--modification-flop"),
    )
    day = utcnow().date() if on is None else _day(on, "--on")
    assert day is not None
    found = obligations(entity, model, on=day, explain=explain)
    if as_json:
        print_json({"on": day.isoformat(), "obligations": [o.to_dict() for o in found]})
        return
    figure = fmt_flop(model.flop) if isinstance(model.flop, float) else "per instrument"
    print_table(
        ["instrument", "duty", "state", "deadline", "due", "status"],
        [(o.instrument_id, o.duty_id, o.state, o.deadline, o.due, o.status) for o in found],
        title=f"Obligations on {day.isoformat()} ({figure} FLOP)",
    )
    for o in found:
        typer.echo(f"- {o.duty_id}: {o.duty}. Why: {o.why}. Source: {o.citation}, {o.source}")
