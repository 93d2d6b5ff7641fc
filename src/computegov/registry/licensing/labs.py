"""Test labs' per-shipment reports (`lab.report`): a `test_lab` party signs that it reviewed
these chips (named as transfers name them: ids or vendor and serial) at `reviewed_at`,
optionally for one license, with its findings.

Any test lab may file a report; the January 2026 rule (`bis-2026-01-review`) accepts, for a
license granted under it, only reports by a lab located in the United States, reviewed
before the transfer was declared, that together list every chip the transfer moves (checked
at declaration: `custody.evidence`). Who reads a report: its lab, and the licensee and the
regulator of every license cited by a transfer that cites the report (and of the license the
report names); the administrator; an auditor granted it.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from computegov.errors import InvalidInput, NotFound, Refused
from computegov.identity.access import Resource
from computegov.instants import parse_instant, to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.custody.common import (
    ChipList,
    chip_list_field,
    reader_filter,
    resolve_chips,
)
from computegov.registry.custody.models import Transfer, TransferChip, TransferLicense
from computegov.registry.ids import new_id
from computegov.registry.licensing.models import ExportLicense, LabReport, LabReportChip
from computegov.registry.parties.models import Party

#: The instruments under which every shipment needs a lab report (the January 2026 rule).
LAB_REVIEW_INSTRUMENTS = ("bis-2026-01-review",)
#: The country a lab must be located in for those instruments.
LAB_COUNTRY = "US"
#: The most bytes a report's findings may take, as JSON.
MAX_FINDINGS_BYTES = 20_000


class LabReportBody(Body):
    chips: ChipList = chip_list_field()
    reviewed_at: str
    license_id: str | None = None
    findings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("findings")
    @classmethod
    def _findings(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value)) > MAX_FINDINGS_BYTES:
            raise ValueError(f"findings take at most {MAX_FINDINGS_BYTES} bytes as JSON")
        return value


def report_chips(session: Session, report_id: str) -> list[str]:
    """The ids of the chips a report lists."""
    return list(
        session.scalars(
            sa.select(LabReportChip.chip_id)
            .where(LabReportChip.report_id == report_id)
            .order_by(LabReportChip.chip_id)
        )
    )


def report_dict(report: LabReport, chips: list[str] | None = None) -> dict[str, Any]:
    """The API view of a lab report (`chips` where asked for)."""
    data: dict[str, Any] = {
        "id": report.id,
        "lab_id": report.lab_id,
        "license_id": report.license_id,
        "reviewed_at": to_wire(report.reviewed_at),
        "chip_count": report.chip_count,
        "findings": dict(report.findings or {}),
        "created_at": to_wire(report.created_at),
        "entry_id": report.entry_id,
    }
    if chips is not None:
        data["chips"] = chips
    return data


def file_report(ctx: ActionContext) -> ActionResult:
    """A test lab files its report on chips it reviewed (see the module doc)."""
    body = parse_body(LabReportBody, ctx.body)
    here = {ctx.party.country} if ctx.party.country else set()
    ctx.authorize(
        "lab.report", Resource(owners=frozenset({ctx.party.id}), countries=frozenset(here))
    )
    reviewed_at = parse_instant(body.reviewed_at)
    if reviewed_at > ctx.now:
        raise InvalidInput(
            f"reviewed_at {to_wire(reviewed_at)} is after the registry's time {to_wire(ctx.now)}: "
            "a lab reports a review it has made"
        )
    if body.license_id is not None and ctx.session.get(ExportLicense, body.license_id) is None:
        raise Refused(f"no export license {body.license_id!r}", reason="unknown_license")
    chips = resolve_chips(ctx.session, body.chips)
    report = LabReport(
        id=new_id("lab"),
        lab_id=ctx.party.id,
        license_id=body.license_id,
        reviewed_at=reviewed_at,
        findings=dict(body.findings),
        chip_count=len(chips),
        created_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(report)
    ctx.session.flush()
    ctx.session.add_all(LabReportChip(report_id=report.id, chip_id=c.id) for c in chips)
    subjects = [report.id, *([body.license_id] if body.license_id else []), *(c.id for c in chips)]
    return ActionResult(
        {"lab_report": report_dict(report, sorted(c.id for c in chips))},
        201,
        subjects,
        sorted(here | {c.country for c in chips}),
        [report],
    )


def _citing_licenses(session: Session, report: LabReport) -> list[ExportLicense]:
    """The licenses cited by transfers that cite the report, and the one it names."""
    moved = (
        sa.select(TransferChip.transfer_id)
        .join(LabReportChip, LabReportChip.chip_id == TransferChip.chip_id)
        .where(LabReportChip.report_id == report.id)
    )
    transfers = session.scalars(sa.select(Transfer).where(Transfer.id.in_(moved)))
    citing = [t.id for t in transfers if report.id in (t.evidence or {}).get("lab_report_ids", [])]
    ids = set(
        session.scalars(
            sa.select(TransferLicense.license_id).where(TransferLicense.transfer_id.in_(citing))
        )
    )
    if report.license_id:
        ids.add(report.license_id)
    if not ids:
        return []
    return list(session.scalars(sa.select(ExportLicense).where(ExportLicense.id.in_(ids))))


def report_resource(session: Session, report: LabReport) -> Resource:
    """A report is its lab's, and the licensees' and regulators' of the licenses it served."""
    owners = {report.lab_id}
    for lic in _citing_licenses(session, report):
        owners |= {lic.licensee_id, lic.regulator_id}
    return Resource(id=report.id, owners=frozenset(owners), countries=frozenset())


def get_report(session: Session, report_id: str) -> LabReport:
    """The lab report with this id, or NotFound."""
    report = session.get(LabReport, report_id)
    if report is None:
        raise NotFound(f"no lab report with id {report_id!r}")
    return report


def visible_reports(session: Session, reader: Party) -> list[dict[str, Any]]:
    """The lab reports a reader may see, newest first."""
    allowed = reader_filter(session, reader, "lab.report.read")
    query = sa.select(LabReport).order_by(LabReport.created_at.desc(), LabReport.id)
    if reader.role == "test_lab":
        query = query.where(LabReport.lab_id == reader.id)
    return [report_dict(r) for r in session.scalars(query) if allowed(report_resource(session, r))]
