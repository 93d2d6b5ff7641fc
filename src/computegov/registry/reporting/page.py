"""A training-run report's page: the report, both estimates of its stage, the thresholds on
its model's lineage, the model's obligations and the flags about the report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.registry.flags.models import Flag
from computegov.registry.flags.service import flag_dicts
from computegov.registry.parties.models import Party
from computegov.registry.reporting import calendar, views


def _about(flag: Flag, report_id: str) -> bool:
    """Whether a flag is about this report: raised on it, or naming it in its evidence (an
    implausible figure, chips not held, or chip-hours over a provider's attestation)."""
    if flag.subject_id == report_id:
        return True
    evidence = flag.evidence or {}
    if evidence.get("report_id") == report_id:
        return True
    return any(
        isinstance(item, dict) and item.get("report_id") == report_id
        for item in evidence.get("reports") or ()
    )


def report_page(session: Session, reader: Party, report_id: str, now: datetime) -> dict[str, Any]:
    """The page as `reader` may see it; NotFound for a report it may not read. The flags
    shown are read as the report is (their kinds open as `report.read`)."""
    report = views.readable_report(session, reader, report_id)
    model = views.readable_model(session, reader, report.model_id)
    found = calendar.model_calendar(session, model, reader, now)
    candidates = session.scalars(
        sa.select(Flag)
        .where(
            sa.or_(
                Flag.subject_id == report.id, sa.cast(Flag.evidence, sa.Text).contains(report.id)
            )
        )
        .order_by(Flag.created_at, Flag.id)
    )
    flags = [flag for flag in candidates if _about(flag, report.id)]
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
