"""The evidence a shipment under a license carries, checked at declaration and kept on the
transfer (`Transfer.evidence`).

- `export_filing_ref`: the export filing of this shipment. Leaving the United States, it is
  the Internal Transaction Number that the Automated Export System returns when it accepts the
  Electronic Export Information (15 CFR 30.3, 30.7; 15 CFR 758.1): "X", the year, month and
  day of acceptance, then six digits (e.g. X20260302123456; U.S. Census Bureau, "Filing in
  AESDirect: How do you find your Internal Transaction Number?", 2019). Its date must be a
  real day not after the registry's receipt of the declaration. From elsewhere (a re-export,
  a transfer within a country) no AES filing exists: the reference of the filing the
  shipment was made under (e.g. an EU export declaration's MRN), 1 to 64 visible
  characters. One reference names one shipment: a reference already given by another
  transfer that was not cancelled is refused.
- `destination_control_statement`: 15 CFR 758.6(a)(1) asks the exporter to put the
  destination control statement on the commercial invoice of every shipment of items on the
  Commerce Control List. `true` affirms the invoice carries it (the statement is stored), or
  the statement itself (whitespace and quotes aside, it must be the regulation's text).
- `lab_report_ids`: test labs' reports (`licensing.labs`); for a license granted under an
  instrument of `LAB_REVIEW_INSTRUMENTS`, reports by labs in the United States, reviewed
  before the declaration, that together list every chip moved. A report reviews a chip for
  one shipment: a chip that a transfer citing the report moved (one not cancelled) is not
  listed by it again.

The refusals: `shipment_evidence_missing` (with `missing`, the fields), `shipment_evidence_
invalid` (with `field`), `export_filing_reused`, `lab_report_missing` (with `chips`, those no
report lists), `lab_report_invalid` (with `report_id`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa

from computegov.errors import Refused
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext
from computegov.registry.chips.models import Chip
from computegov.registry.custody.models import Transfer, TransferChip
from computegov.registry.licensing.labs import (
    LAB_COUNTRY,
    LAB_REVIEW_INSTRUMENTS,
    report_chips,
)
from computegov.registry.licensing.models import ExportLicense, LabReport
from computegov.registry.parties.models import Party

#: 15 CFR 758.6(a)(1), as amended by 81 FR 54721 (August 17, 2016), effective 2016-09-16.
DESTINATION_CONTROL_STATEMENT = (
    "These items are controlled by the U.S. Government and authorized for export only to the "
    "country of ultimate destination for use by the ultimate consignee or end-user(s) herein "
    "identified. They may not be resold, transferred, or otherwise disposed of, to any other "
    "country or to any person other than the authorized ultimate consignee or end-user(s), "
    "either in their original form or after being incorporated into other items, without "
    "first obtaining approval from the U.S. government or as otherwise authorized by U.S. law "
    "and regulations"
)
DCS_CITATION = "15 CFR 758.6(a)(1)"
#: The AES Internal Transaction Number: X, YYYYMMDD of acceptance, six digits (ASCII: `\d`
#: alone would take any script's digits, a look-alike of an ITN already cited).
ITN = re.compile(r"X([0-9]{4})([0-9]{2})([0-9]{2})[0-9]{6}")
OTHER_FILING = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?")
#: The most lab reports one declaration may cite.
MAX_LAB_REPORTS = 50
#: The most a shipment may be worth (whole US dollars).
MAX_SHIPMENT_VALUE_USD = 10_000_000_000_000


def _invalid(field: str, detail: str) -> Refused:
    return Refused(detail, reason="shipment_evidence_invalid", field=field)


def _words(text: str) -> str:
    return " ".join(text.replace("\u201c", "").replace("\u201d", "").replace('"', "").split())


def _statement(given: bool | str) -> str:
    if given is True:
        return DESTINATION_CONTROL_STATEMENT
    if given is False or _words(str(given)).rstrip(".") != _words(DESTINATION_CONTROL_STATEMENT):
        raise _invalid(
            "destination_control_statement",
            f"the destination control statement must be the text of {DCS_CITATION} (or `true`, "
            "affirming the commercial invoice carries it)",
        )
    return DESTINATION_CONTROL_STATEMENT


def _filing(ctx: ActionContext, ref: str, origin: str, destination: str) -> str:
    if origin == "US" and destination != "US":
        match = ITN.fullmatch(ref)
        try:
            day = date(*(int(g) for g in match.groups())) if match else None
        except ValueError:
            day = None
        if day is None:
            raise _invalid(
                "export_filing_ref",
                f"{ref!r} is not an AES Internal Transaction Number: an export from the United "
                "States cites its ITN, X then the date of acceptance (YYYYMMDD) then six "
                "digits, e.g. X20260302123456",
            )
        if day > ctx.now.date():
            raise _invalid(
                "export_filing_ref",
                f"ITN {ref} is dated {day.isoformat()}, after the registry's receipt "
                f"{to_wire(ctx.now)}: the filing is accepted before the shipment leaves",
            )
    elif not OTHER_FILING.fullmatch(ref):
        raise _invalid(
            "export_filing_ref",
            "the export filing reference is 1 to 64 visible characters",
        )
    # One filing names one shipment, whoever cites it: another exporter's ITN is no filing of
    # this shipment (its transfer is named only to its own sender).
    taken = ctx.session.execute(
        sa.select(Transfer.id, Transfer.sender_id)
        .where(
            Transfer.status != "cancelled",
            Transfer.license_id.is_not(None),
            Transfer.evidence["export_filing_ref"].as_string() == ref,
        )
        .order_by(Transfer.id)
        .limit(1)
    ).first()
    if taken is not None:
        own = taken.sender_id == ctx.party.id
        raise Refused(
            f"export filing {ref} is cited by "
            f"{f'transfer {taken.id}' if own else 'a shipment of another sender'} already; one "
            "filing names one shipment",
            reason="export_filing_reused",
            **({"transfer_id": taken.id} if own else {}),
        )
    return ref


def _shipped_under(ctx: ActionContext, report_id: str, chips: list[Chip]) -> set[str]:
    """The chips among `chips` that a transfer (not cancelled) citing the report moved: a
    report reviews a chip for one shipment, so it does not cover that chip again."""
    ids = [c.id for c in chips]
    shipped: set[str] = set()
    for start in range(0, len(ids), 500):
        rows = ctx.session.execute(
            sa.select(TransferChip.chip_id, Transfer.evidence)
            .join(Transfer, Transfer.id == TransferChip.transfer_id)
            .where(
                TransferChip.chip_id.in_(ids[start : start + 500]), Transfer.status != "cancelled"
            )
        )
        shipped |= {
            chip_id
            for chip_id, evidence in rows
            if report_id in (evidence or {}).get("lab_report_ids", [])
        }
    return shipped


def _lab_reports(
    ctx: ActionContext, ids: list[str], cited: list[ExportLicense], chips: list[Chip]
) -> list[str]:
    required = [lic.id for lic in cited if set(lic.instruments or ()) & set(LAB_REVIEW_INSTRUMENTS)]
    listed: set[str] = set()
    for report_id in dict.fromkeys(ids):
        report = ctx.session.get(LabReport, report_id)

        def invalid(detail: str, rid: str = report_id) -> Refused:
            return Refused(
                f"lab report {rid}: {detail}", reason="lab_report_invalid", report_id=rid
            )

        if report is None:
            raise invalid("no such report")
        lab = ctx.session.get(Party, report.lab_id)
        if lab is None or lab.role != "test_lab":
            raise invalid(f"{report.lab_id} is not a test lab")
        if required and lab.country != LAB_COUNTRY:
            raise invalid(
                f"its lab {lab.id} is located in {lab.country}; under "
                f"{', '.join(LAB_REVIEW_INSTRUMENTS)} a lab in {LAB_COUNTRY} reviews the shipment"
            )
        if report.reviewed_at >= ctx.now:
            raise invalid(
                f"reviewed at {to_wire(report.reviewed_at)}, not before this declaration "
                f"({to_wire(ctx.now)}): the lab reviews a shipment before it leaves"
            )
        if report.license_id is not None and report.license_id not in {c.id for c in cited}:
            raise invalid(f"it was made for license {report.license_id}, which is not cited")
        listed |= set(report_chips(ctx.session, report.id)) - _shipped_under(ctx, report.id, chips)
    if required:
        missing = [c for c in chips if c.id not in listed]
        if missing:
            shown = ", ".join(f"{c.id} ({c.vendor}/{c.serial})" for c in missing[:20])
            more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
            raise Refused(
                f"license {', '.join(required)} was granted under "
                f"{', '.join(LAB_REVIEW_INSTRUMENTS)}: every chip shipped is listed by a lab "
                f"report made before the declaration for this shipment; no cited report lists "
                f"{shown}{more} (or its report served an earlier shipment of it)",
                reason="lab_report_missing",
                chips=[c.id for c in missing[:100]],
                license_ids=required,
            )
    return list(dict.fromkeys(ids))


def shipment_evidence(
    ctx: ActionContext,
    body: Any,
    cited: list[ExportLicense],
    chips: list[Chip],
    origin: str,
    destination: str,
) -> dict[str, Any]:
    """Check the evidence a declaration carries; what the transfer keeps of it. A transfer
    that cites no license keeps what it was given, unchecked but for its form."""
    evidence: dict[str, Any] = {}
    if body.value_usd is not None:
        evidence["value_usd"] = body.value_usd
    if cited:
        missing = [
            name
            for name in ("export_filing_ref", "destination_control_statement")
            if getattr(body, name) in (None, "")
        ]
        if missing:
            raise Refused(
                f"a shipment under a license carries {' and '.join(missing)} "
                f"(license {', '.join(lic.id for lic in cited)}): the export filing's "
                f"reference and the destination control statement of {DCS_CITATION}",
                reason="shipment_evidence_missing",
                missing=missing,
            )
    if body.export_filing_ref is not None:
        evidence["export_filing_ref"] = _filing(ctx, body.export_filing_ref, origin, destination)
    if body.destination_control_statement is not None:
        evidence["destination_control_statement"] = _statement(body.destination_control_statement)
        evidence["destination_control_citation"] = DCS_CITATION
    reports = _lab_reports(ctx, list(body.lab_report_ids), cited, chips)
    if reports:
        evidence["lab_report_ids"] = reports
    return evidence
