"""Filing packets: per obligation of a model's calendar, the packet that authority asks for,
and `report.filing`, the filer's signature on the packet it reviewed.

The registry is not the channel of the EU AI Office, California OES or New York DFS: it
assembles the packet (the model, its lineage compute with both estimates per stage, the
thresholds crossed, the obligation with its authority, deadline, citation and source, the
filer, what the authority asks for and where to send it: `data/packets.json`), and the filer
sends it there. A packet is deterministic for a model, an obligation, a filer and a day:
its SHA-256 is over its canonical JSON (RFC 8785). `report.filing` names the model, the
obligation and the digest the filer reviewed; the registry recomputes the packet and refuses
with 409 when the digest differs (the filer signs what it saw, not what changed since), then
keeps the packet as a `Filing`. A filing is read as its model's reports are: its filer and
the regulators of the jurisdictions the model is addressed to (`report.read`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import rfc8785
import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.errors import Conflict, NotFound
from computegov.identity.access import Resource
from computegov.instants import parse_instant, to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body
from computegov.registry.custody.common import reader_filter
from computegov.registry.ids import new_id
from computegov.registry.parties.models import Party
from computegov.registry.reporting import inputs
from computegov.registry.reporting.calendar import model_calendar
from computegov.registry.reporting.inputs import Id, invalid
from computegov.registry.reporting.lineage import chain, current_reports
from computegov.registry.reporting.models import Filing, ReportedModel
from computegov.registry.reporting.views import READ

FORMAT = "computegov filing packet 1"


@cache
def packet_forms() -> dict[str, dict[str, Any]]:
    text = resources.files("computegov.registry.reporting").joinpath("data/packets.json")
    forms: dict[str, dict[str, Any]] = json.loads(text.read_text("utf-8"))["forms"]
    return forms


def as_doubles(value: Any) -> Any:
    """Whole numbers as floats: PostgreSQL's JSONB gives 3.3e25 back as an integer, which
    RFC 8785 (numbers as IEEE doubles) does not take beyond 2^53."""
    if isinstance(value, dict):
        return {k: as_doubles(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_doubles(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return float(value)
    return value


def digest(packet: dict[str, Any]) -> str:
    """The SHA-256 (hex) of the packet's canonical JSON (RFC 8785)."""
    return hashlib.sha256(rfc8785.dumps(packet)).hexdigest()


def _stages(session: Session, model: ReportedModel, lineage: dict[str, Any]) -> list[Any]:
    """Both estimates of each counted stage of each model in the lineage the filer may read."""
    readable = {s["model_id"] for s in lineage["chain"] if s["own_flop"] is not None}
    found = []
    for item in chain(session, model):
        if item.id not in readable:
            continue
        for report in current_reports(session, item.id):
            stage = report.assessment.get("stage", {})
            operation = stage.get("operation_count") or {}
            hardware = stage.get("hardware") or {}
            found.append(
                {
                    "model_id": item.id,
                    "report_id": report.id,
                    "stage": report.stage,
                    "stage_kind": report.stage_kind,
                    "report_kind": report.report_kind,
                    "declared_flop": report.declared_flop,
                    "estimation_method": report.run.get("estimation_method"),
                    "operation_count_flop": operation.get("flop"),
                    "hardware_flop": hardware.get("flop"),
                    "energy_kwh": report.run.get("energy_kwh"),
                    "plausible": stage.get("plausible"),
                }
            )
    return found


def build_packet(
    session: Session, model: ReportedModel, obligation_id: str, filer: Party, on: datetime
) -> dict[str, Any]:
    """The packet for one obligation of the model's calendar on day `on`, as `filer` sees it.
    NotFound (naming the model's obligations) for an obligation the calendar does not list."""
    calendar = model_calendar(session, model, filer, on)
    matches = [o for o in calendar["obligations"] if o["obligation_id"] == obligation_id]
    if not matches:
        listed = ", ".join(o["obligation_id"] for o in calendar["obligations"]) or "none"
        raise NotFound(
            f"no obligation {obligation_id!r} in the calendar of {model.id} on "
            f"{calendar['on']}; its obligations: {listed}"
        )
    obligation = matches[0]
    form = packet_forms().get(obligation_id, {})
    lineage = calendar["lineage"]
    packet = {
        "format": FORMAT,
        "title": form.get("title", obligation["duty"]),
        "as_of": calendar["on"],
        "authority": obligation["authority"],
        "send_to": form.get("send_to", obligation["authority"]),
        "asks_for": list(form.get("asks_for", [])),
        "form_source": form.get("source"),
        "deadline": obligation["deadline"],
        "due": obligation["due"],
        "citation": obligation["citation"],
        "source": obligation["source"],
        "obligation": obligation,
        "model": {
            "id": model.id,
            "name": model.name,
            "developer_id": model.developer_id,
            "provider_id": model.provider_id,
            "eu_representative_id": model.eu_representative_id,
            "parent_id": model.parent_id,
            "markets": list(model.markets),
            "placed_on": calendar["placed_on"],
            "deployed_on": calendar["deployed_on"],
            "role": calendar["role"],
        },
        "lineage_compute": {
            "cumulative_flop": lineage["cumulative_flop"],
            "chain": lineage["chain"],
            "modifier": lineage["modifier"],
            "stages": _stages(session, model, lineage),
        },
        "thresholds_crossed": [t for t in lineage["thresholds"] if t["crossed"]],
        "filer": {"id": filer.id, "name": filer.legal_name, "country": filer.country},
        "note": "The registry is not the authority's channel: the filer sends this packet to "
        "the authority named in send_to.",
    }
    normal: dict[str, Any] = as_doubles(packet)
    return normal


class FilingBody(Body):
    model_id: str = Id
    obligation_id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")
    packet_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


def file_packet(ctx: ActionContext) -> ActionResult:
    """`report.filing`: the developer signs the packet it reviewed (see the module doc)."""
    body = inputs.parsed(FilingBody, ctx.body)
    model = ctx.session.get(ReportedModel, body.model_id)
    jurisdictions = list(model.jurisdictions) if model is not None else []
    ctx.authorize(
        "report.filing",
        Resource(owners=frozenset({ctx.party.id}), countries=frozenset(jurisdictions)),
    )
    if model is None or model.developer_id != ctx.party.id:
        raise invalid(f"model_id: no model {body.model_id!r} of yours", "model_id")
    packet = build_packet(ctx.session, model, body.obligation_id, ctx.party, ctx.now)
    found = digest(packet)
    if found != body.packet_sha256:
        raise Conflict(
            f"packet_sha256 {body.packet_sha256} is not the digest of the packet the registry "
            f"produces now ({found}): fetch the packet again "
            f"(GET /v1/reports/models/{model.id}/packets/{body.obligation_id}), review it and "
            "sign its digest"
        )
    deadline = packet["deadline"]
    filing = Filing(
        id=new_id("fil"),
        model_id=model.id,
        filer_id=ctx.party.id,
        obligation_id=body.obligation_id,
        instrument_id=packet["obligation"]["instrument_id"],
        authority=packet["authority"],
        deadline=parse_instant(deadline) if deadline else None,
        packet=packet,
        packet_sha256=found,
        jurisdictions=jurisdictions,
        created_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(filing)
    ctx.session.flush()
    return ActionResult({"filing": filing_dict(filing)}, 201, [], jurisdictions, [filing])


def filing_dict(filing: Filing) -> dict[str, Any]:
    return {
        "id": filing.id,
        "model_id": filing.model_id,
        "filer_id": filing.filer_id,
        "obligation_id": filing.obligation_id,
        "instrument_id": filing.instrument_id,
        "authority": filing.authority,
        "deadline": filing.packet.get("deadline"),
        "packet_sha256": filing.packet_sha256,
        "packet": as_doubles(filing.packet),
        "jurisdictions": list(filing.jurisdictions),
        "created_at": to_wire(filing.created_at),
        "entry_id": filing.entry_id,
    }


def filing_resource(filing: Filing) -> Resource:
    return Resource(
        id=filing.id,
        owners=frozenset({filing.filer_id}),
        countries=frozenset(filing.jurisdictions or ()),
    )


def readable_filing(session: Session, reader: Party, filing_id: str) -> Filing:
    filing = session.get(Filing, filing_id)
    if filing is None or not reader_filter(session, reader, READ)(filing_resource(filing)):
        raise NotFound(f"no filing {filing_id!r} that you may see")
    return filing


def visible_filings(session: Session, reader: Party) -> list[Filing]:
    allowed = reader_filter(session, reader, READ)
    rows = session.scalars(sa.select(Filing).order_by(Filing.created_at, Filing.id))
    return [f for f in rows if allowed(filing_resource(f))]
