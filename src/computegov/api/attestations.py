"""Routes for providers' attestations of the chip-hours they delivered, regulators' requests
for them and capacity notices (mutations signed; reads confidential to the provider, the
customer named and the regulators addressed; requests not to the customer)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Format, Limit, Offset, list_response
from computegov.errors import Forbidden
from computegov.registry.actions import scopes_for
from computegov.registry.reads import reader_session
from computegov.registry.reporting import attestation_views as views
from computegov.registry.reporting import attestations

router = APIRouter(prefix="/v1", tags=["reporting"])
Token = Annotated[str | None, Depends(bearer_token)]
RecordId = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_]+$")]

add_signed_route(
    router,
    "/reports/attestations",
    "report.attestation",
    attestations.report_attestation,
    201,
    "Attest the chip-hours you delivered to a customer (`report.attestation`, a cloud "
    "provider): `customer_id` (a registered AI developer), `period_start`, `period_end` (the "
    "period [start, end), ended), `lines` ([{site_id, chip_model, chip_hours}] at your "
    "registered sites), `basis` (`request` with the `request_id` it answers, or `threshold`), "
    "`jurisdictions` added to the provider's, the customer's and the request's countries. Or "
    "`csv`: CSV text with the header "
    f"`{attestations.CSV_HEADER}`, one attestation per (customer, period) group. A later "
    "attestation of the same customer and period supersedes the earlier. Each is reconciled "
    "with the customer's training-run reports on receipt.",
)
add_signed_route(
    router,
    "/reports/attestation-requests",
    "report.attestation_request",
    attestations.request_attestation,
    201,
    "Ask a cloud provider to attest the chip-hours it delivered to a customer in a period "
    "(`report.attestation_request`, a regulator of the provider's or the customer's country): "
    "`provider_id`, `customer_id`, `period_start`, `period_end`, `reason`. Visible to the "
    "provider and the regulators of the countries it touches, not to the customer.",
)


@router.get("/reports/attestations")
def list_attestations(
    request: Request,
    token: Token,
    customer_id: Annotated[
        str | None, Query(max_length=32, pattern=r"^[A-Za-z0-9_]+$", description="one customer's")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """The attestations the caller may see (a provider its own; a developer those naming it; a
    regulator those addressed to its jurisdictions), oldest first, superseded ones included
    (`counts` false); `?format=csv`."""
    with reader_session(store_of(request), token, views.READ, "reports/attestations") as (
        session,
        reader,
    ):
        scopes_for(reader, views.READ)
        rows = views.visible_attestations(session, reader, customer_id=customer_id)
        items = [views.attestation_dict(a) for a in rows[offset : offset + limit]]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="attestations"
    )


@router.get("/reports/attestations/{attestation_id}")
def show_attestation(request: Request, attestation_id: RecordId, token: Token) -> dict[str, Any]:
    """One attestation; 404 for one the caller may not see."""
    with reader_session(store_of(request), token, views.READ, attestation_id) as (
        session,
        reader,
    ):
        scopes_for(reader, views.READ)
        return views.attestation_dict(views.readable_attestation(session, reader, attestation_id))


@router.get("/reports/attestation-requests")
def list_requests(
    request: Request,
    token: Token,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """The attestation requests the caller may see (a provider those addressed to it; a
    regulator those touching its jurisdictions), oldest first; `?format=csv`."""
    with reader_session(store_of(request), token, views.READ, "reports/attestation-requests") as (
        session,
        reader,
    ):
        scopes_for(reader, views.READ)
        rows = views.visible_requests(session, reader)
        items = [views.request_dict(r) for r in rows[offset : offset + limit]]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="requests"
    )


@router.get("/reports/capacity-notices")
def capacity_notices(
    request: Request,
    token: Token,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Capacity notices for regulators (information, not an accusation): attestations
    addressed to the caller's jurisdictions whose chip-hours, at a conservative utilization,
    could have trained a run above a threshold in force that no report of the customer
    covers; `?format=csv`."""
    store = store_of(request)
    with reader_session(store, token, views.READ, "reports/capacity-notices") as (
        session,
        reader,
    ):
        if reader.role != "regulator":
            raise Forbidden(
                "capacity notices are for regulators; a provider or developer reads its "
                "attestations at /v1/reports/attestations",
                reason="access",
                action="capacity_notice.read",
            )
        rows = views.capacity_notices(session, reader, store.clock.now())
        items = rows[offset : offset + limit]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="capacity-notices"
    )
