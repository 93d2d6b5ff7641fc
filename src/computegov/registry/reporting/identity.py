"""Customer identity stays with the provider: `report.identity`, `report.identity_request`
and `report.identity_answer`.

A cloud provider attests that it holds a verified identity record for one of its customers;
the registry keeps only the provider's own opaque `customer_ref`, a salted hash of the record
(`sha256:<64 hex>`; the salt stays with the provider), the customer's country where given and
the date of verification. There is no field for a name, an address, payment data or an IP
address, unknown fields are refused, and a reference or note holding what looks like an
e-mail or IP address, or a number passing the Luhn check as card numbers do, is refused
too. A regulator of the attestation's jurisdictions may request to see the record (a signed,
logged action); the provider answers outside the registry and records only that it answered
or declined.

Reads (`identity.read`): the provider its own, the regulators of the jurisdictions theirs;
another provider gets 404, a developer 403. Past `retain_until` (`retention.py`) the
reference, hash and customer country are erased and the entry no longer opens.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.errors import Conflict, NotFound
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body
from computegov.registry.custody.common import reader_filter
from computegov.registry.ids import new_id
from computegov.registry.parties.models import Party
from computegov.registry.reporting import inputs
from computegov.registry.reporting.inputs import EARLIEST, MAX_COUNTRIES, Id, invalid
from computegov.registry.reporting.models import IdentityAttestation, IdentityRequest
from computegov.registry.reporting.retention import retention_period

READ = "identity.read"
#: What a customer reference may hold: an opaque id of the provider's (no spaces, controls,
#: `@` or other punctuation that personal data would need).
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_DIGITS = re.compile(r"\d(?:[ -]?\d){12,18}")
_TOKEN = re.compile(r"[0-9A-Fa-f:.]{7,}")


class IdentityBody(Body):
    customer_ref: str = Field(min_length=1, max_length=128, pattern=REF_PATTERN)
    record_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    customer_country: str | None = Field(default=None, min_length=2, max_length=2)
    verified_on: date
    jurisdictions: list[str] = Field(default_factory=list, max_length=MAX_COUNTRIES)


class IdentityRequestBody(Body):
    attestation_id: str = Id
    reason: str = Field(min_length=1, max_length=2000)


class IdentityAnswerBody(Body):
    request_id: str = Id
    status: Literal["answered", "declined"]
    note: str | None = Field(default=None, max_length=500)


def _luhn(text: str) -> bool:
    """Whether the digits of `text` pass the Luhn check, as payment card numbers do."""
    digits = [int(c) for c in text if c.isdigit()]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if position % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def refuse_personal(text: str, field: str) -> None:
    """Refuse text that looks like personal data (never echoing it back: refusals are kept)."""
    found = None
    if _EMAIL.search(text):
        found = "an e-mail address"
    elif any(_luhn(m.group()) for m in _DIGITS.finditer(text)):
        found = "a card number"
    else:
        for token in _TOKEN.findall(text):
            try:
                ipaddress.ip_address(token.strip(".:"))
            except ValueError:
                continue
            found = "an IP address"
            break
    if found:
        raise invalid(
            f"{field}: it holds what looks like {found}; the registry never stores customers' "
            "personal data: give your own opaque reference and keep the record with you",
            field,
        )


def attestation_resource(row: IdentityAttestation) -> Resource:
    return Resource(
        id=row.id, owners=frozenset({row.provider_id}), countries=frozenset(row.jurisdictions)
    )


def report_identity(ctx: ActionContext) -> ActionResult:
    """Attest that the caller holds a verified identity record for one of its customers."""
    body = inputs.parsed(IdentityBody, ctx.body)
    refuse_personal(body.customer_ref, "customer_ref")
    country = None
    if body.customer_country is not None:
        [country] = inputs.countries([body.customer_country], "customer_country")
    given = inputs.countries(body.jurisdictions, "jurisdictions")
    own = [ctx.party.country] if ctx.party.country else []
    jurisdictions = sorted({*own, *given})
    ctx.authorize(
        "report.identity",
        Resource(owners=frozenset({ctx.party.id}), countries=frozenset(jurisdictions)),
    )
    verified = datetime(
        body.verified_on.year, body.verified_on.month, body.verified_on.day, tzinfo=UTC
    )
    if verified < EARLIEST or verified > ctx.now:
        raise invalid(
            f"verified_on: give the date you verified the record ({EARLIEST.date()} to today)",
            "verified_on",
        )
    retain_until = verified + retention_period()
    if retain_until <= ctx.now:
        raise invalid(
            f"verified_on: a record verified then is past its retention period "
            f"({retention_period().days} days); verify it again before you attest it",
            "verified_on",
        )
    row = IdentityAttestation(
        id=new_id("ida"),
        provider_id=ctx.party.id,
        customer_ref=body.customer_ref,
        record_hash=body.record_hash,
        customer_country=country,
        verified_on=verified,
        retain_until=retain_until,
        erased_at=None,
        jurisdictions=jurisdictions,
        created_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(row)
    ctx.session.flush()
    # The answer (kept for an Idempotency-Key retry) holds ids and dates only, so nothing
    # about the customer outlives its retention period there.
    shown = identity_dict(row, with_record=False)
    return ActionResult({"attestation": shown}, 201, [], jurisdictions, [row])


def request_identity(ctx: ActionContext) -> ActionResult:
    """A regulator's request to see the record behind an attestation addressed to it."""
    body = inputs.parsed(IdentityRequestBody, ctx.body)
    refuse_personal(body.reason, "reason")
    row = ctx.session.get(IdentityAttestation, body.attestation_id)
    if row is None or not reader_filter(ctx.session, ctx.party, READ)(attestation_resource(row)):
        raise invalid(
            f"attestation_id: no identity attestation {body.attestation_id!r} addressed to "
            "your jurisdiction",
            "attestation_id",
        )
    ctx.authorize("report.identity_request", attestation_resource(row))
    if row.erased_at is not None:
        raise invalid(
            f"attestation_id: {row.id} was erased on {row.erased_at.date()} under its "
            "retention period; there is no record left to request",
            "attestation_id",
        )
    request = IdentityRequest(
        id=new_id("idq"),
        attestation_id=row.id,
        regulator_id=ctx.party.id,
        provider_id=row.provider_id,
        reason=body.reason,
        status="open",
        created_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(request)
    ctx.session.flush()
    shown = request_dict(request)
    return ActionResult({"request": shown}, 201, [row.provider_id], row.jurisdictions, [request])


def answer_identity(ctx: ActionContext) -> ActionResult:
    """The provider records that it answered a request (outside the registry) or declined."""
    body = inputs.parsed(IdentityAnswerBody, ctx.body)
    if body.note:
        refuse_personal(body.note, "note")
    request = ctx.session.get(IdentityRequest, body.request_id, with_for_update=True)
    if request is None or request.provider_id != ctx.party.id:
        raise invalid(f"request_id: no identity request {body.request_id!r} to you", "request_id")
    row = ctx.session.get(IdentityAttestation, request.attestation_id)
    assert row is not None  # foreign key
    ctx.authorize("report.identity_answer", attestation_resource(row))
    if request.status != "open":
        raise Conflict(
            f"request {request.id} was already {request.status} on "
            f"{to_wire(request.answered_at or request.created_at)}; an answer is given once",
            reason="already_answered",
        )
    request.status = body.status
    request.answer = body.note
    request.answered_at = ctx.now
    ctx.session.flush()
    shown = request_dict(request)
    subjects = [request.regulator_id]
    return ActionResult({"request": shown}, 200, subjects, row.jurisdictions, [])


def identity_dict(row: IdentityAttestation, *, with_record: bool = True) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": row.id,
        "provider_id": row.provider_id,
        "customer_country": row.customer_country,
        "verified_on": row.verified_on.date().isoformat(),
        "retain_until": to_wire(row.retain_until),
        "erased_at": to_wire(row.erased_at) if row.erased_at else None,
        "jurisdictions": list(row.jurisdictions),
        "created_at": to_wire(row.created_at),
        "entry_id": row.entry_id,
    }
    if with_record:
        shown["customer_ref"] = row.customer_ref
        shown["record_hash"] = row.record_hash
    return shown


def request_dict(row: IdentityRequest) -> dict[str, Any]:
    return {
        "id": row.id,
        "attestation_id": row.attestation_id,
        "regulator_id": row.regulator_id,
        "provider_id": row.provider_id,
        "reason": row.reason,
        "status": row.status,
        "note": row.answer,
        "created_at": to_wire(row.created_at),
        "answered_at": to_wire(row.answered_at) if row.answered_at else None,
        "entry_id": row.entry_id,
    }


def readable_identity(session: Session, reader: Party, attestation_id: str) -> IdentityAttestation:
    row = session.get(IdentityAttestation, attestation_id)
    if row is None or not reader_filter(session, reader, READ)(attestation_resource(row)):
        raise NotFound(f"no identity attestation {attestation_id!r} that you may see")
    return row


def visible_identities(session: Session, reader: Party) -> list[IdentityAttestation]:
    allowed = reader_filter(session, reader, READ)
    query = sa.select(IdentityAttestation).order_by(
        IdentityAttestation.created_at, IdentityAttestation.id
    )
    return [r for r in session.scalars(query) if allowed(attestation_resource(r))]


def visible_requests(
    session: Session, reader: Party, *, attestation_id: str | None = None
) -> list[IdentityRequest]:
    """The requests on attestations the reader may read."""
    readable = {r.id for r in visible_identities(session, reader)}
    query = sa.select(IdentityRequest).order_by(IdentityRequest.created_at, IdentityRequest.id)
    if attestation_id is not None:
        query = query.where(IdentityRequest.attestation_id == attestation_id)
    return [q for q in session.scalars(query) if q.attestation_id in readable]
