"""Routes for customer identity attestations, regulators' requests to see the record behind
one, the provider's answers, and developers' entity facts (mutations signed; reads
confidential: the provider or developer and the regulators of the jurisdictions)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Limit, Offset, list_response
from computegov.registry.actions import scopes_for
from computegov.registry.reads import reader_session
from computegov.registry.reporting import facts, identity

router = APIRouter(prefix="/v1", tags=["reporting"])
Token = Annotated[str | None, Depends(bearer_token)]
RecordId = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_]+$")]
PartyId = Annotated[
    str | None, Query(max_length=32, pattern=r"^[A-Za-z0-9_]+$", description="one party's")
]
Year = Annotated[int | None, Query(ge=facts.FIRST_YEAR, le=2100, description="one year's")]


add_signed_route(
    router,
    "/reports/identities",
    "report.identity",
    identity.report_identity,
    201,
    "Attest that you hold a verified identity record for one of your customers "
    "(`report.identity`, a cloud provider): `customer_ref` (your own opaque reference: letters, "
    "digits and . _ : -, at most 128), `record_hash` (`sha256:<64 hex>`, salted; the salt stays "
    "with you), `customer_country` (ISO alpha-2, optional), `verified_on` (a date) and "
    "`jurisdictions` (added to your country). Names, addresses, payment data and IP addresses "
    "have no field and are refused. Kept until `retain_until`, then erased.",
)
add_signed_route(
    router,
    "/reports/identity-requests",
    "report.identity_request",
    identity.request_identity,
    201,
    "Request to see the record behind an identity attestation addressed to your jurisdiction "
    "(`report.identity_request`, a regulator): `attestation_id`, `reason`. The provider "
    "answers outside the registry.",
)
add_signed_route(
    router,
    "/reports/identity-answers",
    "report.identity_answer",
    identity.answer_identity,
    200,
    "Record that you answered a request for an identity record, outside the registry, or "
    "declined it (`report.identity_answer`, the provider asked): `request_id`, `status` "
    "(answered or declined), `note` (at most 500 characters; never the record itself).",
)
add_signed_route(
    router,
    "/reports/facts",
    "report.facts",
    facts.report_facts,
    201,
    "Report your entity facts for a calendar year (`report.facts`, an AI developer): `year`, "
    "`revenue_usd` (annual gross revenue including affiliates), `markets` (ISO codes, EU, and "
    "sub-national markets such as US-CA or US-NY) and `jurisdictions` (the regulators who may "
    "read them). The latest report for a year counts.",
)


@router.get("/reports/identities")
def list_identities(
    request: Request, token: Token, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """The identity attestations the caller may see (a provider's own; a regulator's: those
    addressed to its jurisdictions), oldest first; erased ones show only ids and dates."""
    with reader_session(store_of(request), token, identity.READ, "reports/identities") as (
        session,
        reader,
    ):
        scopes_for(reader, identity.READ)
        rows = identity.visible_identities(session, reader)
        items = [identity.identity_dict(r) for r in rows[offset : offset + limit]]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="identities"
    )


@router.get("/reports/identities/{attestation_id}")
def show_identity(request: Request, attestation_id: RecordId, token: Token) -> dict[str, Any]:
    """One identity attestation with the requests made on it; 404 for one the caller may not
    see."""
    with reader_session(store_of(request), token, identity.READ, attestation_id) as (
        session,
        reader,
    ):
        scopes_for(reader, identity.READ)
        row = identity.readable_identity(session, reader, attestation_id)
        asked = identity.visible_requests(session, reader, attestation_id=row.id)
        return {
            **identity.identity_dict(row),
            "requests": [identity.request_dict(q) for q in asked],
        }


@router.get("/reports/identity-requests")
def list_identity_requests(
    request: Request, token: Token, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """Requests to see identity records, on the attestations the caller may see."""
    with reader_session(store_of(request), token, identity.READ, "reports/identity-requests") as (
        session,
        reader,
    ):
        scopes_for(reader, identity.READ)
        rows = identity.visible_requests(session, reader)
        items = [identity.request_dict(q) for q in rows[offset : offset + limit]]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="identity-requests"
    )


@router.get("/reports/facts")
def list_facts(
    request: Request,
    token: Token,
    party_id: PartyId = None,
    year: Year = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Entity facts the caller may see (a developer's own; a regulator's: those addressed to
    it), oldest first; `counts` marks the latest per party and year."""
    with reader_session(store_of(request), token, facts.READ, "reports/facts") as (
        session,
        reader,
    ):
        scopes_for(reader, facts.READ)
        rows = facts.visible_facts(session, reader, party_id=party_id, year=year)
    return list_response(
        request,
        total=len(rows),
        items=rows[offset : offset + limit],
        limit=limit,
        offset=offset,
        name="facts",
    )


@router.get("/reports/facts/{party_id}/{year}")
def show_facts(
    request: Request,
    party_id: RecordId,
    year: Annotated[int, Path(ge=facts.FIRST_YEAR, le=2100)],
    token: Token,
) -> dict[str, Any]:
    """The facts that count for a party in a year; 404 for ones the caller may not see."""
    with reader_session(store_of(request), token, facts.READ, f"{party_id}/{year}") as (
        session,
        reader,
    ):
        scopes_for(reader, facts.READ)
        return facts.facts_dict(facts.readable_facts(session, reader, party_id, year))
