"""Demo module `reporting`: models with their stages, a provider's attestation that
contradicts one stage, the flag it raises and its dispute, entity facts, a planned run that
takes a lineage over the EU's 10^25 FLOP, the obligations it brings and a filing packet.

Run dates are relative to the day the world is built, so a final report has always ended
and a planned run always lies ahead. The figures are chosen to be honest runs on the
demo's chips (their 6ND and hardware estimates agree), except the one the provider's
attestation contradicts: Aurora attributes 716,800 H100-hours at Northwind's Ashburn campus
to its pre-training; Northwind attests it delivered 600,000 in that period.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from computegov.demo.context import DemoBuildError, DemoContext
from computegov.demo.module import DemoModule
from computegov.instants import to_wire
from computegov.registry.flags import steps
from computegov.registry.flags.models import Flag
from computegov.registry.parties.models import Party
from computegov.registry.reporting import attestations, facts, packets
from computegov.registry.reporting import service as reporting
from computegov.registry.reporting.models import ReportedModel

#: Aurora's pre-training: 448 H100s for 1,600 hours (716,800 chip-hours; at BF16 dense
#: 989.4 TFLOP/s and 38% utilization, 9.7e23 FLOP; 6 x 70e9 x 2.3e12 = 9.66e23).
PRE_CHIPS, PRE_HOURS, PRE_FLOP = 448, 1600.0, 9.7e23
#: What Northwind attests it delivered to Aurora at Ashburn in the period.
ATTESTED_CHIP_HOURS = 600_000.0
#: The EU AI Act's notification (Art. 52(1)) that Helix's planned run brings.
NOTIFICATION = "eu-art52-notification"


def _day(now: datetime, days: int) -> str:
    return to_wire((now + timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0))


def _models(ctx: DemoContext, now: datetime) -> dict[str, Any]:
    sites = ctx.examples["sites"]
    aurora = ctx.act(
        "aurora",
        "report.model",
        {"name": "Aurora Frontier 1", "markets": ["US"], "jurisdictions": ["US"]},
        reporting.report_model,
    )["model"]
    pre = ctx.act(
        "aurora",
        "report.training_run",
        {
            "model_id": aurora["id"],
            "stage_kind": "pre_training",
            "report_kind": "final",
            "started_at": _day(now, -150),
            "ended_at": _day(now, -80),
            "declared_flop": PRE_FLOP,
            "estimation_method": "hardware",
            "flop_uncertainty": 0.1,
            "params": 70e9,
            "tokens": 2.3e12,
            "precision": "bf16",
            "energy_kwh": 790_000.0,
            "compute_used": [
                {
                    "provider_id": ctx.parties["northwind"].id,
                    "site_id": sites["ashburn"],
                    "chip_model": "H100 SXM",
                    "chip_count": PRE_CHIPS,
                    "hours": PRE_HOURS,
                }
            ],
        },
        reporting.report_training_run,
    )["report"]
    tune = ctx.act(
        "aurora",
        "report.training_run",
        {
            "model_id": aurora["id"],
            "stage_kind": "fine_tuning",
            "report_kind": "final",
            "started_at": _day(now, -70),
            "ended_at": _day(now, -64),
            "declared_flop": 4.3e22,
            "estimation_method": "operation_count",
            "flop_uncertainty": 0.1,
            "params": 70e9,
            "tokens": 1e11,
            "precision": "bf16",
            "compute_used": [
                {
                    "provider_id": ctx.parties["aurora"].id,
                    "site_id": sites["columbus"],
                    "chip_model": "MI300X",
                    "chip_count": 256,
                    "hours": 120.0,
                }
            ],
        },
        reporting.report_training_run,
    )["report"]
    # Helix (GB) plans a run on its 400 B200s at Cambridge that takes its model over 10^25
    # FLOP: 3.2M B200-hours at 2,250 TFLOP/s BF16 dense and 42% utilization, 1.09e25; the
    # EU's notification runs from when that became known, the day of this planned report.
    helix = ctx.act(
        "helix",
        "report.model",
        {
            "name": "Helix Atlas 2",
            "markets": ["EU", "GB"],
            "jurisdictions": ["EU"],
            "eu_representative_id": ctx.parties["cumulus"].id,
        },
        reporting.report_model,
    )["model"]
    planned = ctx.act(
        "helix",
        "report.training_run",
        {
            "model_id": helix["id"],
            "stage_kind": "pre_training",
            "report_kind": "planned",
            "started_at": _day(now, 30),
            "ended_at": _day(now, 30 + 334),
            "declared_flop": 1.09e25,
            "estimation_method": "operation_count",
            "flop_uncertainty": 0.15,
            "params": 400e9,
            "tokens": 4.5e12,
            "precision": "bf16",
            "compute_used": [
                {
                    "provider_id": ctx.parties["helix"].id,
                    "site_id": sites["cambridge"],
                    "chip_model": "B200",
                    "chip_count": 400,
                    "hours": 8000.0,
                }
            ],
        },
        reporting.report_training_run,
    )["report"]
    return {
        "aurora_model": aurora["id"],
        "aurora_pre_training": pre["id"],
        "aurora_fine_tuning": tune["id"],
        "helix_model": helix["id"],
        "helix_planned": planned["id"],
    }


def _attestation(ctx: DemoContext, now: datetime, made: dict[str, Any]) -> None:
    """The US regulator asks Northwind what it delivered to Aurora over the pre-training's
    months; Northwind's answer is less than Aurora attributes to it, so the registry flags
    Aurora (`attestation_exceeded`, both figures and the rule)."""
    period = {
        "provider_id": ctx.parties["northwind"].id,
        "customer_id": ctx.parties["aurora"].id,
        "period_start": _day(now, -150),
        "period_end": _day(now, -80),
    }
    request = ctx.act(
        "us-regulator",
        "report.attestation_request",
        {**period, "reason": "Aurora Frontier 1's pre-training names Northwind's Ashburn campus"},
        attestations.request_attestation,
    )["request"]
    line = {
        "site_id": ctx.examples["sites"]["ashburn"],
        "chip_model": "H100 SXM",
        "chip_hours": ATTESTED_CHIP_HOURS,
    }
    body = {key: value for key, value in period.items() if key != "provider_id"}
    attested = ctx.act(
        "northwind",
        "report.attestation",
        {**body, "lines": [line], "basis": "request", "request_id": request["id"]},
        attestations.report_attestation,
    )["attestations"][0]
    with ctx.store.sessions() as session:
        flag = session.scalars(
            sa.select(Flag.id).where(
                Flag.kind == "attestation_exceeded", Flag.party_id == ctx.parties["aurora"].id
            )
        ).first()
    if flag is None:
        raise DemoBuildError("Northwind's attestation raised no attestation_exceeded flag")
    made.update(attestation_request=request["id"], attestation=attested["id"], flag=flag)
    # The US regulator assigns it to itself; Aurora disputes it with its evidence; the
    # regulator asks Northwind's side: the flag stays disputed, for a regulator to resolve.
    assign = {"flag_id": flag, "assignee_id": ctx.parties["us-regulator"].id}
    ctx.act("us-regulator", "flag.assign", assign, steps.assign_flag)
    dispute = {
        "flag_id": flag,
        "reason": "Northwind's figure leaves out the 120 H100s it lent us from its reserve pool",
        "evidence": [
            {
                "kind": "scheduler_log",
                "reference": "aurora://clusters/ashburn/jobs/af1-pretrain",
                "note": "716,800 GPU-hours over 448 GPUs, 2,016 job records",
            },
            {
                "kind": "contract",
                "reference": "Northwind order NW-2026-0412, schedule B",
                "note": "reserve-pool capacity billed separately",
            },
        ],
    }
    ctx.act("aurora", "flag.dispute", dispute, steps.dispute_flag)
    comment = {
        "flag_id": flag,
        "text": "Asked Northwind whether its reserve pool is billed under another contract",
    }
    ctx.act("us-regulator", "flag.comment", comment, steps.comment_flag)


def _facts_and_filing(ctx: DemoContext, now: datetime, made: dict[str, Any]) -> None:
    """Revenue with affiliates for last year (what makes a developer "large"), and Helix's
    signed packet for the EU notification its planned run brings."""
    year = now.year - 1
    for slug, revenue, markets, where in (
        ("aurora", 1.2e9, ["US"], ["US"]),
        ("helix", 3.1e8, ["EU", "GB"], ["EU"]),
    ):
        body = {"year": year, "revenue_usd": revenue, "markets": markets, "jurisdictions": where}
        ctx.act(slug, "report.facts", body, facts.report_facts)
    with ctx.store.sessions() as session:
        model = session.get(ReportedModel, made["helix_model"])
        filer = session.get(Party, ctx.parties["helix"].id)
        assert model is not None and filer is not None
        packet = packets.build_packet(session, model, NOTIFICATION, filer, now)
    body = {
        "model_id": made["helix_model"],
        "obligation_id": NOTIFICATION,
        "packet_sha256": packets.digest(packet),
    }
    filing = ctx.act("helix", "report.filing", body, packets.file_packet)["filing"]
    made.update(filing=filing["id"], filing_deadline=filing["deadline"])


def build(ctx: DemoContext) -> None:
    now = ctx.store.clock.now()
    made = _models(ctx, now)
    _attestation(ctx, now, made)
    _facts_and_filing(ctx, now, made)
    ctx.examples["reporting"] = made


MODULE = DemoModule(name="reporting", build=build)
