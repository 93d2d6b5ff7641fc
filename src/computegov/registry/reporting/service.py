"""`report.model` and `report.training_run`: an AI developer's signed reports.

A model names its provider of record, its EU authorised representative where that provider
is established outside the EU and the model is placed on the EU market, its parent (any
developer's reported model; never one that would close a cycle), the countries it is placed
on the market in and the jurisdictions the report is addressed to. A training-run report is
one stage of one of the developer's own models; it supersedes the latest earlier report of
that stage. Each report is assessed on receipt (`assessment.py`, `lineage.py`), the
assessment kept with it; a figure outside the bands raises an `implausible_compute` flag for
the addressed regulators and the report is recorded all the same. Hostile input is a 422
`invalid_report` naming its field (`inputs.py`).

Reports are confidential: visible to the filer and the regulators of the jurisdictions they
are addressed to (`report.read`), never the administrator. Their ledger entries name only the
filer as subject and the addressed jurisdictions as countries (`reads.CONFIDENTIAL_ENTRIES`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from computegov.identity.access import Resource
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.flags.service import flag_dict, flag_dicts, open_flag
from computegov.registry.ids import new_id
from computegov.registry.reporting import inputs, reconcile
from computegov.registry.reporting.assessment import assess_stage
from computegov.registry.reporting.inputs import invalid
from computegov.registry.reporting.lineage import MAX_DEPTH, chain, eu_members, lineage_compute
from computegov.registry.reporting.models import ReportedModel, TrainingRunReport
from computegov.registry.reporting.views import model_dict, report_dict

IMPLAUSIBLE = "implausible_compute"
PROVIDERS = ("ai_developer", "cloud_provider", "distributor", "manufacturer")


def _check_parent(ctx: ActionContext, model_id: str | None, parent_id: str | None) -> None:
    if parent_id is None:
        return
    parent = ctx.session.get(ReportedModel, parent_id)
    if parent is None:
        raise invalid(f"parent_id: no reported model {parent_id!r}", "parent_id")
    if parent_id == model_id:
        raise invalid("parent_id: a model is not its own parent", "parent_id")
    ancestors = chain(ctx.session, parent)
    if model_id is not None and any(a.id == model_id for a in ancestors):
        raise invalid(
            f"parent_id: {parent_id} descends from {model_id}; a lineage has no cycles",
            "parent_id",
        )
    # An amended model brings its descendants along: the deepest of them must stay within
    # MAX_DEPTH, or its lineage would stop short of the base model and drop its compute.
    below = _depth_below(ctx, model_id) if model_id is not None else 0
    if len(ancestors) + below >= MAX_DEPTH:
        raise invalid(f"parent_id: a lineage is at most {MAX_DEPTH} models deep", "parent_id")


def _depth_below(ctx: ActionContext, model_id: str) -> int:
    """How many generations of reported models descend from `model_id` (0: none)."""
    depth, level = 0, {model_id}
    while level and depth <= MAX_DEPTH:
        level = set(
            ctx.session.scalars(
                sa.select(ReportedModel.id).where(ReportedModel.parent_id.in_(sorted(level)))
            )
        )
        depth += 1 if level else 0
    return depth


def report_model(ctx: ActionContext) -> ActionResult:
    """Report a model, or amend one of the caller's (`model_id`); see the module doc."""
    body = inputs.parsed(inputs.ModelReport, ctx.body)
    jurisdictions = inputs.countries(body.jurisdictions, "jurisdictions")
    markets = inputs.countries(body.markets, "markets")
    ctx.authorize(
        "report.model",
        Resource(owners=frozenset({ctx.party.id}), countries=frozenset(jurisdictions)),
    )
    model = None
    if body.model_id is not None:
        model = ctx.session.get(ReportedModel, body.model_id, with_for_update=True)
        if model is None or model.developer_id != ctx.party.id:
            raise invalid(f"model_id: no model {body.model_id!r} of yours", "model_id")
        # An amendment adds jurisdictions, never drops one: a regulator the model was
        # addressed to keeps reading it, its lineage and its later reports.
        jurisdictions = sorted(set(jurisdictions) | set(model.jurisdictions))
    provider = ctx.party
    if body.provider_id is not None and body.provider_id != ctx.party.id:
        provider = inputs.party(ctx.session, body.provider_id, "provider_id", PROVIDERS)
    representative = None
    outside = provider.country not in eu_members()
    if body.eu_representative_id is not None:
        representative = inputs.party(
            ctx.session, body.eu_representative_id, "eu_representative_id", PROVIDERS
        )
        if representative.country not in eu_members():
            raise invalid(
                f"eu_representative_id: {representative.id} is established in "
                f"{representative.country}; an authorised representative is established in "
                "the EU",
                "eu_representative_id",
            )
        if not outside:
            raise invalid(
                f"eu_representative_id: the provider {provider.id} is established in the EU "
                f"({provider.country}); only a provider outside it appoints one",
                "eu_representative_id",
            )
    elif outside and set(markets) & eu_members():
        raise invalid(
            f"eu_representative_id: the provider {provider.id} is established outside the EU "
            f"({provider.country}) and the model is placed on the EU market: name its "
            "authorised representative in the EU (AI Act Art. 54)",
            "eu_representative_id",
        )
    _check_parent(ctx, body.model_id, body.parent_id)
    details = dict(model.details) if model is not None else {}
    for name in ("placed_on", "deployed_on"):
        day = getattr(body, name)
        if day is not None:
            if day < inputs.EARLIEST.date():
                raise invalid(f"{name}: before {inputs.EARLIEST.date()}; give the day", name)
            details[name] = day.isoformat()
    values: dict[str, Any] = {
        "name": body.name,
        "provider_id": provider.id,
        "eu_representative_id": representative.id if representative else None,
        "parent_id": body.parent_id,
        "markets": markets,
        "jurisdictions": jurisdictions,
        "details": details,
        "updated_at": ctx.now,
        "entry_id": ctx.entry_id,
    }
    status = 200
    if model is None:
        status = 201
        model = ReportedModel(
            id=new_id("mdl"), developer_id=ctx.party.id, created_at=ctx.now, **values
        )
        ctx.session.add(model)
    else:
        for name, value in values.items():
            setattr(model, name, value)
    ctx.session.flush()
    shown = model_dict(ctx.session, model, ctx.party, ctx.now)
    return ActionResult({"model": shown}, status, [], jurisdictions, [model])


def _supersede(ctx: ActionContext, model_id: str, stage: str) -> TrainingRunReport | None:
    return ctx.session.scalars(
        sa.select(TrainingRunReport)
        .where(
            TrainingRunReport.model_id == model_id,
            TrainingRunReport.stage == stage,
            TrainingRunReport.superseded_by_id.is_(None),
        )
        .with_for_update()
    ).first()


def report_training_run(ctx: ActionContext) -> ActionResult:
    """Report one stage of one of the caller's models; assess it; flag what does not fit."""
    body = inputs.parsed(inputs.TrainingRunReportBody, ctx.body)
    model = ctx.session.get(ReportedModel, body.model_id, with_for_update=True)
    if model is None or model.developer_id != ctx.party.id:
        raise invalid(f"model_id: no model {body.model_id!r} of yours", "model_id")
    jurisdictions = (
        inputs.countries(body.jurisdictions, "jurisdictions")
        if body.jurisdictions is not None
        else list(model.jurisdictions)
    )
    # The model's regulators see its compute and its current reports' figures, so a report
    # goes to each of them (and to more where the developer wishes).
    missing = sorted(set(model.jurisdictions) - set(jurisdictions))
    if missing:
        raise invalid(
            f"jurisdictions: the model is addressed to {', '.join(missing)} too; a report of "
            "it goes to every jurisdiction the model is addressed to",
            "jurisdictions",
        )
    ctx.authorize(
        "report.training_run",
        Resource(owners=frozenset({ctx.party.id}), countries=frozenset(jurisdictions)),
    )
    inputs.check_run(body, ctx.now)
    lines = inputs.check_lines(ctx.session, body, ctx.party)
    stage = body.stage or body.stage_kind
    stage_assessment = assess_stage(
        stage_kind=body.stage_kind,
        declared_flop=body.declared_flop,
        params=body.params,
        active_params=body.active_params,
        tokens=body.tokens,
        precision=body.precision,
        compute_used=lines,
    )
    earlier = _supersede(ctx, model.id, stage)
    if earlier is not None and earlier.report_kind == "final" and body.report_kind != "final":
        # Otherwise a planned figure would replace a run's measured compute and take the
        # lineage back under a threshold; a final report is corrected by another final one.
        raise invalid(
            f"report_kind: stage {stage} has a final report ({earlier.id}); a {body.report_kind} "
            "report does not supersede it: correct it with another final report",
            "report_kind",
        )
    run = body.model_dump(
        mode="json",
        include={
            "estimation_method",
            "flop_uncertainty",
            "params",
            "active_params",
            "tokens",
            "precision",
            "energy_kwh",
        },
    )
    report = TrainingRunReport(
        id=new_id("trr"),
        model_id=model.id,
        developer_id=ctx.party.id,
        stage=stage,
        stage_kind=body.stage_kind,
        report_kind=body.report_kind,
        supersedes_id=earlier.id if earlier else None,
        superseded_by_id=None,
        started_at=body.started_at,
        ended_at=body.ended_at,
        declared_flop=body.declared_flop,
        bio=body.bio,
        run=run,
        compute_used=lines,
        assessment={"stage": stage_assessment},
        jurisdictions=jurisdictions,
        reported_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    if earlier is not None:
        earlier.superseded_by_id = report.id
    ctx.session.add(report)
    ctx.session.flush()
    report.assessment = {
        "stage": stage_assessment,
        "lineage": lineage_compute(ctx.session, model, ctx.now),
    }
    flags = _flag_implausible(ctx, report)
    # Shown as the filer may see them (a chips_not_held flag without other parties' custody).
    flags += flag_dicts(ctx.session, reconcile.on_report(ctx.session, report, ctx.now), ctx.party)
    shown = report_dict(ctx.session, report, ctx.party)
    return ActionResult({"report": shown, "flags": flags}, 201, [], jurisdictions, [report])


def _flag_implausible(ctx: ActionContext, report: TrainingRunReport) -> list[dict[str, Any]]:
    """An `implausible_compute` flag with both figures and the rule of each check that failed."""
    stage = report.assessment["stage"]
    failed = [c for c in stage["checks"] if c["raises_flag"]]
    if not failed:
        return []
    operation = stage.get("operation_count") or {}
    hardware = stage.get("hardware") or {}
    evidence = {
        "report_id": report.id,
        "model_id": report.model_id,
        "developer_id": report.developer_id,
        "stage": report.stage,
        "declared_flop": report.declared_flop,
        "operation_count_flop": operation.get("flop"),
        "hardware_flop": hardware.get("flop"),
        "hardware_peak_flop": hardware.get("peak_flop"),
        "checks": failed,
        "bands": stage["bands"],
    }
    on = ("training_run", report.id)
    flag = open_flag(
        ctx.session,
        IMPLAUSIBLE,
        on,
        evidence,
        report.jurisdictions,
        ctx.now,
        party_id=report.developer_id,
    )
    return [flag_dict(flag)]
