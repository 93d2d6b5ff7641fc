"""Routes for the obligations calendar, filing packets and filings, and a report's page.

Reads are as confidential as the reports behind them (`report.read`: the developer, and the
regulators of the jurisdictions a model is addressed to; a regulator's read is logged).
Calendars and filings are lists, as JSON or CSV (`?format=csv`)."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Limit, Offset, list_response
from computegov.errors import Forbidden
from computegov.registry.actions import scopes_for
from computegov.registry.flags.models import Flag
from computegov.registry.flags.service import flag_dicts
from computegov.registry.reads import reader_session
from computegov.registry.reporting import calendar, packets, views
from computegov.registry.reporting.packet_pdf import render_pdf

router = APIRouter(prefix="/v1", tags=["reporting"])
Token = Annotated[str | None, Depends(bearer_token)]
RecordId = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_]+$")]
ObligationId = Annotated[str, Path(max_length=64, pattern=r"^[a-z0-9-]+$")]
PartyId = Annotated[
    str | None,
    Query(max_length=32, pattern=r"^[A-Za-z0-9_]+$", description="a regulator: one developer's"),
]

add_signed_route(
    router,
    "/reports/filings",
    "report.filing",
    packets.file_packet,
    201,
    "Sign a filing packet (`report.filing`, the model's developer): `model_id`, "
    "`obligation_id` (from the model's calendar) and `packet_sha256`, the SHA-256 of the "
    "packet you reviewed (GET /v1/reports/models/{id}/packets/{obligation_id}). The registry "
    "recomputes the packet and refuses with 409 if its digest differs, then keeps it. The "
    "registry is not the authority's channel: send the packet (JSON or PDF) where it says.",
)


@router.get("/reports/obligations")
def list_obligations(
    request: Request,
    token: Token,
    party_id: PartyId = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The obligations calendar, one row per obligation of each model: the caller's own
    models; a regulator's, the models addressed to its jurisdictions (`party_id`: one
    developer's). Each row has its deadline, state, status, citation and source."""
    store = store_of(request)
    with reader_session(store, token, views.READ, "reports/obligations") as (session, reader):
        scopes_for(reader, views.READ)
        if party_id is not None and reader.role != "regulator" and party_id != reader.id:
            raise Forbidden("party_id is for regulators; your calendar is your own models'")
        models = views.visible_models(session, reader)
        if party_id is not None:
            models = [m for m in models if m.developer_id == party_id]
        now = store.clock.now()
        found = [calendar.model_calendar(session, m, reader, now) for m in models]
    rows = calendar.calendar_rows(found)
    return list_response(
        request,
        total=len(rows),
        items=rows[offset : offset + limit],
        limit=limit,
        offset=offset,
        name="obligations",
    )


@router.get("/reports/models/{model_id}/obligations")
def model_obligations(
    request: Request, model_id: RecordId, token: Token, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """One model's calendar: its role, cumulative compute, markets and revenue as used, and
    its obligations (the items) with deadlines; 404 for a model the caller may not see."""
    store = store_of(request)
    with reader_session(store, token, views.READ, model_id) as (session, reader):
        scopes_for(reader, views.READ)
        model = views.readable_model(session, reader, model_id)
        found = calendar.model_calendar(session, model, reader, store.clock.now())
    rows = calendar.calendar_rows([found])
    extra = {k: v for k, v in found.items() if k != "obligations"}
    return list_response(
        request,
        total=len(rows),
        items=rows[offset : offset + limit],
        limit=limit,
        offset=offset,
        name=f"obligations-{model_id}",
        extra=extra,
    )


@router.get("/reports/models/{model_id}/packets/{obligation_id}")
def show_packet(
    request: Request, model_id: RecordId, obligation_id: ObligationId, token: Token
) -> dict[str, Any]:
    """The filing packet for one obligation of one model, as of today, with its SHA-256 (what
    `report.filing` signs). Only the model's developer, its filer, may fetch it."""
    store = store_of(request)
    with reader_session(store, token, views.READ, model_id) as (session, reader):
        scopes_for(reader, views.READ)
        model = views.readable_model(session, reader, model_id)
        if model.developer_id != reader.id:
            raise Forbidden("a filing packet is made for the model's developer, its filer")
        packet = packets.build_packet(session, model, obligation_id, reader, store.clock.now())
    return {"packet": packet, "packet_sha256": packets.digest(packet)}


@router.get("/reports/filings")
def list_filings(
    request: Request, token: Token, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """Filings the caller may see (its own; a regulator's: of models addressed to it)."""
    with reader_session(store_of(request), token, views.READ, "reports/filings") as (
        session,
        reader,
    ):
        scopes_for(reader, views.READ)
        rows = packets.visible_filings(session, reader)
        items = [
            {k: v for k, v in packets.filing_dict(f).items() if k != "packet"}
            for f in rows[offset : offset + limit]
        ]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="filings"
    )


@router.get("/reports/filings/{filing_id}.pdf")
def filing_pdf(request: Request, filing_id: RecordId, token: Token) -> Response:
    """A stored filing's packet as PDF."""
    with reader_session(store_of(request), token, views.READ, filing_id) as (session, reader):
        scopes_for(reader, views.READ)
        filing = packets.readable_filing(session, reader, filing_id)
        content = render_pdf(filing)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filing_id}.pdf"'},
    )


@router.get("/reports/filings/{filing_id}")
def show_filing(request: Request, filing_id: RecordId, token: Token) -> dict[str, Any]:
    """One filing with its packet and digest; 404 for one the caller may not see."""
    with reader_session(store_of(request), token, views.READ, filing_id) as (session, reader):
        scopes_for(reader, views.READ)
        return packets.filing_dict(packets.readable_filing(session, reader, filing_id))


@router.get("/reports/training-runs/{report_id}/page")
def report_page(request: Request, report_id: RecordId, token: Token) -> dict[str, Any]:
    """A report's page: the report, both estimates of its stage, the thresholds on its
    model's lineage today, the model's obligations and the flags about the report."""
    store = store_of(request)
    with reader_session(store, token, views.READ, report_id) as (session, reader):
        scopes_for(reader, views.READ)
        report = views.readable_report(session, reader, report_id)
        model = views.readable_model(session, reader, report.model_id)
        found = calendar.model_calendar(session, model, reader, store.clock.now())
        candidates = session.scalars(
            sa.select(Flag)
            .where(
                sa.or_(
                    Flag.subject_id == report.id,
                    sa.cast(Flag.evidence, sa.Text).contains(report.id),
                )
            )
            .order_by(Flag.created_at, Flag.id)
        )
        flags = [
            f
            for f in candidates
            if f.subject_id == report.id or (f.evidence or {}).get("report_id") == report.id
        ]
        shown = views.report_dict(session, report, reader)
        stage = shown["assessment"]["stage"]
        return {
            "report": shown,
            "estimates": {
                "declared_flop": stage["declared_flop"],
                "operation_count": stage["operation_count"],
                "hardware": stage["hardware"],
                "checks": stage["checks"],
                "plausible": stage["plausible"],
            },
            "thresholds": found["lineage"]["thresholds"],
            "lineage": found["lineage"],
            "obligations": found["obligations"],
            "flags": flag_dicts(session, flags, reader),
        }
