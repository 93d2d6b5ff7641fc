"""Reconciliation by one inequality, and the chips a report claims.

**The inequality.** For each attestation that counts (provider P, customer D, period
[s, e)): the chip-hours D attributes to runs at P in the period must not exceed what P
attested it delivered to D then, times (1 + tolerance) (`data/reconciliation.json`).
Attributed chip-hours are summed over D's training-run reports that count (not
superseded; planned reports are plans, not use, and are left out), over their lines at P
(chip_count x hours). A run that lies partly outside the period is apportioned **pro rata
by time**: the share of its line's chip-hours is the share of [started_at, ended_at] that
falls in [s, e) (an interim report without an end runs to when it was reported). Over: an
`attestation_exceeded` flag on the attestation, party the developer, with both figures, the
period, the provider, the rule, the tolerance and the reports that contributed; its
countries are those reports' jurisdictions, and it is read as they are (`report.read`).
Using fewer chip-hours than delivered is normal (idle, evaluation, inference) and is never
a flag. It runs on receipt of an attestation and of a training-run report; a flag already
open on the same attestation with the same figures is not raised twice.

**Claimed chips.** A report line may name its chips (`chip_ids`). Each must be a registered
chip held by the line's provider (or the developer) and installed at the line's site for
the whole run, by the chips' custody history; otherwise a `chips_not_held` flag on the
report names each such chip and who held it where during the run. Planned runs are not
checked (they have not happened).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, load_only

from computegov.identity.access import Resource, default_matrix
from computegov.instants import as_utc, to_wire
from computegov.registry.actions import actor_of
from computegov.registry.chips.models import Chip
from computegov.registry.custody.common import GONE, canonical_model
from computegov.registry.custody.models import CustodyEvent
from computegov.registry.flags.models import Flag
from computegov.registry.flags.service import open_flag
from computegov.registry.parties.models import Party
from computegov.registry.reporting.attestation_views import chip_hours, reconciliation_data
from computegov.registry.reporting.models import ProviderAttestation, TrainingRunReport

EXCEEDED = "attestation_exceeded"
NOT_HELD = "chips_not_held"


def run_span(report: TrainingRunReport) -> tuple[datetime, datetime]:
    return as_utc(report.started_at), as_utc(report.ended_at or report.reported_at)


def share_in(report: TrainingRunReport, start: datetime, end: datetime) -> float:
    """The share of the report's run that falls in [start, end), by time."""
    run_start, run_end = run_span(report)
    start, end = as_utc(start), as_utc(end)
    if run_end <= run_start:  # an instant: in the period or not
        return 1.0 if start <= run_start < end else 0.0
    overlap = (min(run_end, end) - max(run_start, start)).total_seconds()
    return max(0.0, overlap) / (run_end - run_start).total_seconds()


def attributed(session: Session, attestation: ProviderAttestation) -> list[dict[str, Any]]:
    """Each counting report's chip-hours at the attestation's provider in its period."""
    # Only the runs that overlap the period, and only the columns the sum needs: the
    # assessment and the declared figures are large JSON that reconciliation never reads.
    ended = sa.func.coalesce(TrainingRunReport.ended_at, TrainingRunReport.reported_at)
    reports = session.scalars(
        sa.select(TrainingRunReport)
        .options(
            load_only(
                TrainingRunReport.id,
                TrainingRunReport.model_id,
                TrainingRunReport.stage,
                TrainingRunReport.started_at,
                TrainingRunReport.ended_at,
                TrainingRunReport.reported_at,
                TrainingRunReport.compute_used,
                TrainingRunReport.jurisdictions,
            )
        )
        .where(
            TrainingRunReport.developer_id == attestation.customer_id,
            TrainingRunReport.superseded_by_id.is_(None),
            TrainingRunReport.report_kind != "planned",
            TrainingRunReport.started_at < attestation.period_end,
            ended >= attestation.period_start,
        )
        .order_by(TrainingRunReport.reported_at, TrainingRunReport.id)
    )
    found = []
    for report in reports:
        hours = sum(
            float(line["chip_count"]) * float(line["hours"])
            for line in report.compute_used
            if line["provider_id"] == attestation.provider_id
        )
        share = share_in(report, attestation.period_start, attestation.period_end)
        if hours > 0 and share > 0:
            found.append(
                {
                    "report_id": report.id,
                    "model_id": report.model_id,
                    "stage": report.stage,
                    "chip_hours": hours,
                    "share_in_period": share,
                    "attributed_chip_hours": hours * share,
                    "jurisdictions": list(report.jurisdictions),
                }
            )
    return found


def _already(session: Session, kind: str, subject_id: str, evidence: dict[str, Any]) -> bool:
    key = evidence.get("key")
    return any(
        flag.evidence.get("key") == key
        for flag in session.scalars(
            sa.select(Flag).where(
                Flag.kind == kind, Flag.subject_id == subject_id, Flag.status == "open"
            )
        )
    )


def check_attestation(
    session: Session, attestation: ProviderAttestation, now: datetime
) -> list[Flag]:
    """The inequality for one attestation; an `attestation_exceeded` flag where it fails."""
    if attestation.superseded_by_id is not None:
        return []
    tolerance = float(reconciliation_data()["tolerance"]["value"])
    attested = chip_hours(attestation)
    contributions = attributed(session, attestation)
    claimed = sum(c["attributed_chip_hours"] for c in contributions)
    if claimed <= attested * (1 + tolerance):
        return []
    evidence = {
        "key": f"{attestation.id}:{claimed:.6g}",
        "developer_id": attestation.customer_id,
        "provider_id": attestation.provider_id,
        "attestation_id": attestation.id,
        "period_start": to_wire(attestation.period_start),
        "period_end": to_wire(attestation.period_end),
        "attributed_chip_hours": claimed,
        "attested_chip_hours": attested,
        "tolerance": tolerance,
        "allowed_chip_hours": attested * (1 + tolerance),
        "rule": reconciliation_data()["tolerance"]["rule"],
        "apportioned": "pro rata by time: the share of each run inside the period",
        "reports": contributions,
    }
    if _already(session, EXCEEDED, attestation.id, evidence):
        return []
    countries = {c for item in contributions for c in item["jurisdictions"]}
    flag = open_flag(
        session,
        EXCEEDED,
        ("attestation", attestation.id),
        evidence,
        countries,
        now,
        party_id=attestation.customer_id,
    )
    return [flag]


#: What the flagged developer sees of each chip a `chips_not_held` flag names: not who held
#: it where (another party's custody, which `chip.read` does not show it).
CHIP_FIELDS_SHOWN = ("line", "chip_id", "problem")


def evidence_shown(session: Session, flag: Flag, reader: Party) -> dict[str, Any]:
    """A reconciliation flag's evidence as `reader` may see it.

    `chips_not_held`, to the flagged developer: each chip's line, id and problem, not its
    custody (naming another party's chip id must not tell who holds it and where; the
    regulators see all). `attestation_exceeded`: each contributing report the reader may not
    read (`report.read`: one addressed to other jurisdictions only) is withheld but for its
    chip-hours, so a regulator reading the flag learns neither the id, the model nor the
    stage of a report not addressed to it; the totals stay."""
    if flag.kind == NOT_HELD:
        if reader.id != flag.party_id:
            return flag.evidence
        chips = [
            {k: item[k] for k in CHIP_FIELDS_SHOWN if k in item}
            for item in flag.evidence.get("chips", [])
        ]
        return {**flag.evidence, "chips": chips}
    actor, matrix = actor_of(session, reader), default_matrix()
    owners = frozenset({flag.party_id} if flag.party_id else ())

    def readable(item: dict[str, Any]) -> bool:
        resource = Resource(
            id=item["report_id"], owners=owners, countries=frozenset(item["jurisdictions"])
        )
        return matrix.decide(actor, "report.read", resource).allowed

    reports = [
        item
        if readable(item)
        else {
            "withheld": "a report not addressed to your jurisdiction",
            "attributed_chip_hours": item["attributed_chip_hours"],
        }
        for item in flag.evidence.get("reports", [])
    ]
    return {**flag.evidence, "reports": reports}


def on_attestation(session: Session, attestation: ProviderAttestation, now: datetime) -> None:
    check_attestation(session, attestation, now)


def on_report(session: Session, report: TrainingRunReport, now: datetime) -> list[Flag]:
    """Reconcile every attestation a new report bears on; check the chips it names."""
    if report.report_kind == "planned":
        return []
    providers = sorted({line["provider_id"] for line in report.compute_used})
    run_start, run_end = run_span(report)
    flags: list[Flag] = []
    for attestation in session.scalars(
        sa.select(ProviderAttestation).where(
            ProviderAttestation.customer_id == report.developer_id,
            ProviderAttestation.provider_id.in_(providers),
            ProviderAttestation.superseded_by_id.is_(None),
            ProviderAttestation.period_start <= run_end,
            ProviderAttestation.period_end > run_start,
        )
    ):
        flags += check_attestation(session, attestation, now)
    return flags + check_chips(session, report, now)


def holders(events: Sequence[CustodyEvent]) -> list[dict[str, Any]]:
    """A chip's custody as spans {from, party_id, site_id, held} (held: in custody and not
    in transit, lost, stolen or decommissioned), from its custody events in order."""
    spans: list[dict[str, Any]] = []
    party, site, held = None, None, False
    for event in events:
        details = event.details or {}
        if event.kind == "registered":
            party, site, held = event.party_id, None, True
        elif event.kind in ("installed", "moved", "transfer_completed"):
            party, site, held = event.party_id, details.get("site_id"), True
        elif event.kind == "transfer_declared":
            held = False
        elif event.kind == "transfer_cancelled":
            held = True
        elif event.kind == "status_reported":
            held = details.get("to") not in GONE
        else:
            continue
        spans.append({"from": as_utc(event.at), "party_id": party, "site_id": site, "held": held})
    return spans


def _during(spans: list[dict[str, Any]], start: datetime, end: datetime) -> list[dict[str, Any]]:
    before = [s for s in spans if s["from"] <= start][-1:]
    return before + [s for s in spans if start < s["from"] <= end]


def check_chips(session: Session, report: TrainingRunReport, now: datetime) -> list[Flag]:
    start, end = run_span(report)
    problems = []
    for index, line in enumerate(report.compute_used):
        names = line.get("chip_ids") or []
        if not names:
            continue
        allowed = {line["provider_id"], report.developer_id}
        chips = {c.id: c for c in session.scalars(sa.select(Chip).where(Chip.id.in_(names)))}
        events: dict[str, list[CustodyEvent]] = {name: [] for name in names}
        for event in session.scalars(
            sa.select(CustodyEvent)
            .where(CustodyEvent.chip_id.in_(names))
            .order_by(CustodyEvent.at, CustodyEvent.id)
        ):
            events[event.chip_id].append(event)
        for name in names:
            chip = chips.get(name)
            if chip is None:
                problems.append({"line": index, "chip_id": name, "problem": "not registered"})
                continue
            during = _during(holders(events[name]), start, end)
            wrong = canonical_model(chip.model) != canonical_model(line["chip_model"])
            fits = bool(during) and all(
                s["held"] and s["party_id"] in allowed and s["site_id"] == line["site_id"]
                for s in during
            )
            if fits and not wrong:
                continue
            problems.append(
                {
                    "line": index,
                    "chip_id": name,
                    "chip_model": chip.model,
                    "problem": "another chip model" if fits else "not held there then",
                    "held_during_run": [{**s, "from": to_wire(s["from"])} for s in during],
                    "custodian_now": chip.custodian_id,
                    "site_now": chip.site_id,
                }
            )
    if not problems:
        return []
    evidence = {
        "report_id": report.id,
        "developer_id": report.developer_id,
        "run": [to_wire(start), to_wire(end)],
        "rule": "each chip a report names is registered, held by the line's provider (or the "
        "developer) and installed at the line's site for the whole run",
        "chips": problems,
    }
    flag = open_flag(
        session,
        NOT_HELD,
        ("training_run", report.id),
        evidence,
        report.jurisdictions,
        now,
        party_id=report.developer_id,
    )
    return [flag]
