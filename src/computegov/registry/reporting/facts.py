"""Stand-in for the facts helper's module (kept only so the calendar runs here): the latest
entity facts a developer reported for a calendar year."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.registry.reporting.models import EntityFacts


def current_facts(session: Session, party_id: str, year: int) -> EntityFacts | None:
    """The latest `EntityFacts` row of `party_id` for `year`, or None."""
    return session.scalars(
        sa.select(EntityFacts)
        .where(EntityFacts.party_id == party_id, EntityFacts.year == year)
        .order_by(EntityFacts.reported_at.desc(), EntityFacts.id.desc())
    ).first()
