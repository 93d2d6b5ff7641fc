"""Reports as their readers see them, and who may see which.

A model or a training-run report is visible to its developer and to the regulators of the
jurisdictions it is addressed to (`report.read`); to anyone else it does not exist (404 alike
for one that is missing). The lineage of a model may run through other developers' models:
a reader sees every model's id in the chain, but the compute of a model it may not read is
withheld (`null`), and so is the cumulative figure (it would reveal the rest by
subtraction); which thresholds are crossed and whether the modifier rule makes the reader a
provider stay shown, since they are the reader's own duties.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.errors import NotFound
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.custody.common import reader_filter
from computegov.registry.parties.models import Party
from computegov.registry.reporting.lineage import current_reports, lineage_compute
from computegov.registry.reporting.models import ReportedModel, TrainingRunReport

READ = "report.read"


def model_resource(model: ReportedModel) -> Resource:
    return Resource(
        id=model.id,
        owners=frozenset({model.developer_id}),
        countries=frozenset(model.jurisdictions or ()),
    )


def report_resource(report: TrainingRunReport) -> Resource:
    return Resource(
        id=report.id,
        owners=frozenset({report.developer_id}),
        countries=frozenset(report.jurisdictions or ()),
    )


def _readable_models(session: Session, reader: Party, ids: list[str]) -> set[str]:
    allowed = reader_filter(session, reader, READ)
    found = set()
    for model_id in ids:
        model = session.get(ReportedModel, model_id)
        if model is not None and allowed(model_resource(model)):
            found.add(model_id)
    return found


def shown_lineage(session: Session, lineage: dict[str, Any], reader: Party) -> dict[str, Any]:
    """A lineage assessment with the figures of models `reader` may not read withheld."""
    readable = _readable_models(session, reader, [s["model_id"] for s in lineage["chain"]])
    if all(s["model_id"] in readable for s in lineage["chain"]):
        return lineage
    shown = copy.deepcopy(lineage)
    shown["cumulative_flop"] = None
    shown["withheld"] = "figures of models in the lineage you may not read"
    for step in shown["chain"]:
        if step["model_id"] not in readable:
            step["own_flop"] = None
            step["developer_id"] = None
    if shown.get("modifier"):
        shown["modifier"]["original_flop"] = None
        shown["modifier"]["share"] = None
    return shown


def report_dict(session: Session, report: TrainingRunReport, reader: Party) -> dict[str, Any]:
    assessment = dict(report.assessment)
    if "lineage" in assessment:
        assessment["lineage"] = shown_lineage(session, assessment["lineage"], reader)
    return {
        "id": report.id,
        "model_id": report.model_id,
        "developer_id": report.developer_id,
        "stage": report.stage,
        "stage_kind": report.stage_kind,
        "report_kind": report.report_kind,
        "supersedes_id": report.supersedes_id,
        "superseded_by_id": report.superseded_by_id,
        "counts": report.superseded_by_id is None,
        "started_at": to_wire(report.started_at),
        "ended_at": to_wire(report.ended_at) if report.ended_at else None,
        "declared_flop": report.declared_flop,
        "bio": report.bio,
        **report.run,
        "compute_used": list(report.compute_used),
        "jurisdictions": list(report.jurisdictions),
        "reported_at": to_wire(report.reported_at),
        "entry_id": report.entry_id,
        "assessment": assessment,
    }


def model_dict(
    session: Session, model: ReportedModel, reader: Party, on: datetime
) -> dict[str, Any]:
    """A model with its lineage, cumulative compute and thresholds on day `on`, and the
    reports that count now."""
    lineage = shown_lineage(session, lineage_compute(session, model, on), reader)
    return {
        "id": model.id,
        "name": model.name,
        "developer_id": model.developer_id,
        "provider_id": model.provider_id,
        "eu_representative_id": model.eu_representative_id,
        "parent_id": model.parent_id,
        "markets": list(model.markets),
        "jurisdictions": list(model.jurisdictions),
        "placed_on": (model.details or {}).get("placed_on"),
        "deployed_on": (model.details or {}).get("deployed_on"),
        "created_at": to_wire(model.created_at),
        "updated_at": to_wire(model.updated_at),
        "entry_id": model.entry_id,
        "lineage": lineage,
        "reports": [
            {
                "id": r.id,
                "stage": r.stage,
                "stage_kind": r.stage_kind,
                "report_kind": r.report_kind,
                "declared_flop": r.declared_flop,
                "reported_at": to_wire(r.reported_at),
            }
            for r in current_reports(session, model.id)
        ],
    }


def readable_model(session: Session, reader: Party, model_id: str) -> ReportedModel:
    model = session.get(ReportedModel, model_id)
    if model is None or not reader_filter(session, reader, READ)(model_resource(model)):
        raise NotFound(f"no reported model {model_id!r} that you may see")
    return model


def readable_report(session: Session, reader: Party, report_id: str) -> TrainingRunReport:
    report = session.get(TrainingRunReport, report_id)
    if report is None or not reader_filter(session, reader, READ)(report_resource(report)):
        raise NotFound(f"no training-run report {report_id!r} that you may see")
    return report


def visible_models(session: Session, reader: Party) -> list[ReportedModel]:
    allowed = reader_filter(session, reader, READ)
    rows = session.scalars(
        sa.select(ReportedModel).order_by(ReportedModel.created_at, ReportedModel.id)
    )
    return [m for m in rows if allowed(model_resource(m))]


#: A report's status for lists: its kind while it counts, or superseded.
STATUSES = ("planned", "interim", "final", "superseded", "current")


def visible_reports(
    session: Session,
    reader: Party,
    *,
    model_id: str | None = None,
    developer_id: str | None = None,
    provider_id: str | None = None,
    status: str | None = None,
) -> list[TrainingRunReport]:
    """The reports `reader` may see, oldest first: one model's, one developer's, those with
    compute at one provider, and by status (`STATUSES`: a kind that still counts, `current`
    for every report that counts, `superseded` for those that no longer do)."""
    allowed = reader_filter(session, reader, READ)
    query = sa.select(TrainingRunReport).order_by(
        TrainingRunReport.reported_at, TrainingRunReport.id
    )
    if model_id is not None:
        query = query.where(TrainingRunReport.model_id == model_id)
    if developer_id is not None:
        query = query.where(TrainingRunReport.developer_id == developer_id)
    if status == "superseded":
        query = query.where(TrainingRunReport.superseded_by_id.is_not(None))
    elif status is not None:
        query = query.where(TrainingRunReport.superseded_by_id.is_(None))
        if status != "current":
            query = query.where(TrainingRunReport.report_kind == status)
    rows = [r for r in session.scalars(query) if allowed(report_resource(r))]
    if provider_id is not None:
        rows = [
            r
            for r in rows
            if any(line.get("provider_id") == provider_id for line in r.compute_used)
        ]
    return rows
