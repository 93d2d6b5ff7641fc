"""Routes for compute reporting: models with their lineage and training-run reports (mutations
signed; reads confidential to the filer and the regulators a report is addressed to)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Limit, Offset, list_response
from computegov.instants import parse_instant
from computegov.registry.actions import scopes_for
from computegov.registry.reads import reader_session
from computegov.registry.reporting import above, service, views

router = APIRouter(prefix="/v1", tags=["reporting"])
Token = Annotated[str | None, Depends(bearer_token)]
RecordId = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_]+$")]


add_signed_route(
    router,
    "/reports/models",
    "report.model",
    service.report_model,
    201,
    "Report a model (`report.model`, an AI developer): `name`, `provider_id` (the provider of "
    "record; default you), `eu_representative_id` (required where that provider is outside "
    "the EU and `markets` include an EU country), `parent_id` (the reported model it derives "
    "from), `markets` and `jurisdictions` (ISO alpha-2 codes, `EU` for its member states): the "
    "regulators it is addressed to. `model_id` amends one of your models (200). The answer "
    "shows the model's lineage, cumulative compute and the thresholds tested on it.",
)
add_signed_route(
    router,
    "/reports/training-runs",
    "report.training_run",
    service.report_training_run,
    201,
    "Report one stage of one of your models (`report.training_run`): `stage_kind` "
    "(pre_training, continued_pre_training, fine_tuning, rl, synthetic_data), `report_kind` "
    "(planned, interim, final), dates, `declared_flop` with `estimation_method` and "
    "`flop_uncertainty`, `params`, `active_params`, `tokens`, `precision`, `bio`, "
    "`energy_kwh`, `compute_used` ([{provider_id, site_id, chip_model, chip_count, hours}]). "
    "It supersedes the stage's latest report. The registry assesses it on receipt (6ND and "
    "hardware time, verdicts from the bands, thresholds on the lineage's cumulative "
    "compute); a figure outside the bands raises an `implausible_compute` flag, never a "
    "refusal.",
)


@router.get("/reports/models")
def list_models(
    request: Request,
    token: Token,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The reported models the caller may see (its own; a regulator's: those addressed to its
    jurisdictions), oldest first, each with its lineage and cumulative compute."""
    store = store_of(request)
    with reader_session(store, token, views.READ, "reports/models") as (session, reader):
        scopes_for(reader, views.READ)
        rows = views.visible_models(session, reader)
        now = store.clock.now()
        items = [views.model_dict(session, m, reader, now) for m in rows[offset : offset + limit]]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="models"
    )


@router.get("/reports/models/{model_id}")
def show_model(request: Request, model_id: RecordId, token: Token) -> dict[str, Any]:
    """One model with its lineage, cumulative compute, thresholds and the reports that count;
    404 for one the caller may not see."""
    store = store_of(request)
    with reader_session(store, token, views.READ, model_id) as (session, reader):
        scopes_for(reader, views.READ)
        model = views.readable_model(session, reader, model_id)
        return views.model_dict(session, model, reader, store.clock.now())


@router.get("/reports/training-runs")
def list_reports(
    request: Request,
    token: Token,
    model_id: Annotated[
        str | None, Query(max_length=32, pattern=r"^[A-Za-z0-9_]+$", description="one model's")
    ] = None,
    developer_id: Annotated[
        str | None,
        Query(max_length=32, pattern=r"^[A-Za-z0-9_]+$", description="one developer's"),
    ] = None,
    provider_id: Annotated[
        str | None,
        Query(
            max_length=32, pattern=r"^[A-Za-z0-9_]+$", description="with compute at this provider"
        ),
    ] = None,
    status: Annotated[
        Literal["planned", "interim", "final", "superseded", "current"] | None,
        Query(description="a kind that still counts; current (all that count) or superseded"),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The training-run reports the caller may see, oldest first, superseded ones included
    (`counts` false) unless `status` says otherwise, each with its assessment; `?format=csv`
    for CSV."""
    with reader_session(store_of(request), token, views.READ, "reports/training-runs") as (
        session,
        reader,
    ):
        scopes_for(reader, views.READ)
        rows = views.visible_reports(
            session,
            reader,
            model_id=model_id,
            developer_id=developer_id,
            provider_id=provider_id,
            status=status,
        )
        items = [views.report_dict(session, r, reader) for r in rows[offset : offset + limit]]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="training-runs"
    )


@router.get("/reports/training-runs/{report_id}")
def show_report(request: Request, report_id: RecordId, token: Token) -> dict[str, Any]:
    """One training-run report with its assessment; 404 for one the caller may not see."""
    with reader_session(store_of(request), token, views.READ, report_id) as (session, reader):
        scopes_for(reader, views.READ)
        return views.report_dict(session, views.readable_report(session, reader, report_id), reader)


@router.get("/reports/above-thresholds")
def models_above_thresholds(
    request: Request,
    token: Token,
    on: Annotated[
        str | None, Query(max_length=40, description="the day thresholds are tested; default today")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Regulators only: the reported models addressed to the caller's jurisdictions whose
    cumulative compute over their lineage crosses any instrument's threshold today (or on
    `on`): id, name, developer, cumulative FLOP (withheld where the lineage runs through a
    model not addressed to the caller) and each threshold crossed with its instrument id and
    its status on that day."""
    store = store_of(request)
    with reader_session(store, token, above.ACTION, "reports/above-thresholds") as (
        session,
        reader,
    ):
        scopes_for(reader, above.ACTION)
        day = parse_instant(on) if on else store.clock.now()
        rows = above.above_thresholds(session, reader, day)
    return list_response(
        request,
        total=len(rows),
        items=rows[offset : offset + limit],
        limit=limit,
        offset=offset,
        name="above-thresholds",
    )
