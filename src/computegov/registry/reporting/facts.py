"""`report.facts`: facts about an AI developer that decide its duties.

Annual gross revenue including affiliates for a calendar year (California SB 53 and New
York's RAISE Act call developers above a revenue line "large") and the markets its models are
placed on: ISO country codes, `EU`, and the sub-national codes the obligations library knows
(`compute.obligation_rules.known_markets`, e.g. US-CA, US-NY). The latest report for a party
and year counts (`current_facts`, which the obligations calendar reads); earlier ones stay.
Read by the developer and the regulators of the jurisdictions it addresses (`report.read`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.compute.obligation_rules import known_markets
from computegov.countries import parse_country
from computegov.errors import InvalidInput, NotFound
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body
from computegov.registry.custody.common import reader_filter
from computegov.registry.ids import new_id
from computegov.registry.parties.models import Party
from computegov.registry.reporting import inputs
from computegov.registry.reporting.inputs import MAX_COUNTRIES, invalid
from computegov.registry.reporting.models import EntityFacts

READ = "report.read"
#: Ten times the largest annual revenue any company has reported (about $0.7 trillion).
MAX_REVENUE_USD = 1e13
FIRST_YEAR = 2000


class FactsBody(Body):
    year: int = Field(ge=FIRST_YEAR, le=2100)
    revenue_usd: float | None = Field(default=None, ge=0, le=MAX_REVENUE_USD, allow_inf_nan=False)
    markets: list[str] = Field(default_factory=list, max_length=MAX_COUNTRIES)
    jurisdictions: list[str] = Field(min_length=1, max_length=MAX_COUNTRIES)


def markets(codes: list[str]) -> list[str]:
    """Market codes as the obligations library names them; sorted, unique."""
    known = set(known_markets())
    found = set()
    for code in codes:
        upper = code.strip().upper()
        if upper in known or upper == "EU":
            found.add(upper)
            continue
        try:
            found.add(parse_country(upper))
        except InvalidInput:
            regions = ", ".join(sorted(k for k in known if "-" in k)) or "none"
            raise invalid(
                f"markets: {code[:20]!r} is neither an ISO alpha-2 country code, EU nor a "
                f"sub-national market the obligations know ({regions})",
                "markets",
            ) from None
    return sorted(found)


def facts_resource(row: EntityFacts) -> Resource:
    return Resource(
        id=row.id, owners=frozenset({row.party_id}), countries=frozenset(row.jurisdictions)
    )


def report_facts(ctx: ActionContext) -> ActionResult:
    """Report the caller's revenue and markets for a calendar year (the latest counts)."""
    body = inputs.parsed(FactsBody, ctx.body)
    if body.year > ctx.now.year + 1:
        raise invalid(f"year: {body.year} is more than a year ahead", "year")
    jurisdictions = inputs.countries(body.jurisdictions, "jurisdictions")
    ctx.authorize(
        "report.facts",
        Resource(owners=frozenset({ctx.party.id}), countries=frozenset(jurisdictions)),
    )
    row = EntityFacts(
        id=new_id("fct"),
        party_id=ctx.party.id,
        year=body.year,
        revenue_usd=body.revenue_usd,
        markets=markets(body.markets),
        jurisdictions=jurisdictions,
        reported_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return ActionResult({"facts": facts_dict(row)}, 201, [], jurisdictions, [row])


def current_facts(session: Session, party_id: str, year: int) -> EntityFacts | None:
    """The facts that count for `party_id` in calendar `year`: its latest report, or None."""
    return session.scalars(
        sa.select(EntityFacts)
        .where(EntityFacts.party_id == party_id, EntityFacts.year == year)
        .order_by(EntityFacts.reported_at.desc(), EntityFacts.id.desc())
        .limit(1)
    ).first()


def facts_dict(row: EntityFacts, *, counts: bool = True) -> dict[str, Any]:
    return {
        "id": row.id,
        "party_id": row.party_id,
        "year": row.year,
        "revenue_usd": row.revenue_usd,
        "markets": list(row.markets),
        "jurisdictions": list(row.jurisdictions),
        "counts": counts,
        "reported_at": to_wire(row.reported_at),
        "entry_id": row.entry_id,
    }


def visible_facts(
    session: Session, reader: Party, *, party_id: str | None = None, year: int | None = None
) -> list[dict[str, Any]]:
    """The facts reports the reader may see, oldest first, each saying whether it counts."""
    allowed = reader_filter(session, reader, READ)
    query = sa.select(EntityFacts).order_by(EntityFacts.reported_at, EntityFacts.id)
    if party_id is not None:
        query = query.where(EntityFacts.party_id == party_id)
    if year is not None:
        query = query.where(EntityFacts.year == year)
    every = list(session.scalars(query))
    latest: dict[tuple[str, int], str] = {}
    for row in every:  # oldest first: the last one per party and year counts
        latest[(row.party_id, row.year)] = row.id
    rows = [r for r in every if allowed(facts_resource(r))]
    return [facts_dict(r, counts=latest[(r.party_id, r.year)] == r.id) for r in rows]


def readable_facts(session: Session, reader: Party, party_id: str, year: int) -> EntityFacts:
    """The facts that count for a party and year, for a reader allowed to see them."""
    row = current_facts(session, party_id, year)
    if row is None or not reader_filter(session, reader, READ)(facts_resource(row)):
        raise NotFound(f"no facts of {party_id!r} for {year} that you may see")
    return row
