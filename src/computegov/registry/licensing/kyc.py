"""Know-your-customer attestations: a consignee's signed statement that it runs procedures
against unauthorised remote access by its customers (`kyc.attest`), which the January 2026
rule asks of the ultimate consignee. An attestation is current for `kyc_valid_days` (12
months, `terms`) from the registry's receipt of it; an application's evaluation looks for a
current one of its ultimate consignee."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.custody.common import reader_filter
from computegov.registry.ids import new_id
from computegov.registry.licensing.models import KycAttestation
from computegov.registry.licensing.terms import days
from computegov.registry.parties.models import Party

MAX_STATEMENT = 5000


class KycAttest(Body):
    statement: str = Field(
        min_length=1,
        max_length=MAX_STATEMENT,
        description="the procedures, in words: how customers are identified and remote access "
        "by unauthorised parties prevented",
    )
    procedures_url: str | None = Field(default=None, max_length=500)


def kyc_dict(row: KycAttestation, now: datetime | None = None) -> dict[str, Any]:
    """The API view of an attestation; `current` when `now` is within its validity."""
    return {
        "id": row.id,
        "party_id": row.party_id,
        "attested_at": to_wire(row.attested_at),
        "expires_at": to_wire(row.expires_at),
        "current": None if now is None else row.attested_at <= now < row.expires_at,
        "statement": row.statement,
        "entry_id": row.entry_id,
    }


def kyc_resource(party: Party, attestation_id: str | None = None) -> Resource:
    """An attestation is its party's; it touches where the party is and is headquartered."""
    countries = {c for c in (party.country, party.hq_country) if c}
    return Resource(id=attestation_id, owners=frozenset({party.id}), countries=frozenset(countries))


def attest(ctx: ActionContext) -> ActionResult:
    """Record the acting party's KYC attestation, current for 12 months from now."""
    body = parse_body(KycAttest, ctx.body)
    ctx.authorize("kyc.attest", kyc_resource(ctx.party))
    row = KycAttestation(
        id=new_id("kyc"),
        party_id=ctx.party.id,
        attested_at=ctx.now,
        expires_at=ctx.now + days("kyc_valid_days"),
        statement=body.model_dump(exclude_none=True),
        entry_id=ctx.entry_id,
    )
    ctx.session.add(row)
    return ActionResult(
        {"attestation": kyc_dict(row, ctx.now)},
        201,
        [row.id],
        sorted(kyc_resource(ctx.party).countries),
        [row],
    )


def current_attestation(session: Session, party_id: str, now: datetime) -> KycAttestation | None:
    """The party's latest attestation current at `now`, if any."""
    return session.scalars(
        sa.select(KycAttestation)
        .where(
            KycAttestation.party_id == party_id,
            KycAttestation.attested_at <= now,
            KycAttestation.expires_at > now,
        )
        .order_by(KycAttestation.attested_at.desc(), KycAttestation.id)
    ).first()


def visible_attestations(session: Session, reader: Party, now: datetime) -> list[dict[str, Any]]:
    """Attestations a reader may see (its own; a regulator's: of parties in its
    jurisdiction), newest first."""
    allowed = reader_filter(session, reader, "kyc.read")
    rows = session.execute(
        sa.select(KycAttestation, Party)
        .join(Party, Party.id == KycAttestation.party_id)
        .order_by(KycAttestation.attested_at.desc(), KycAttestation.id)
    ).all()
    return [kyc_dict(row, now) for row, party in rows if allowed(kyc_resource(party, row.id))]
