"""Provider attestations and attestation requests as their readers see them, and capacity
notices.

An attestation is read (`attestation.read`) by its provider, the customer it names and the
regulators of the countries it is addressed to; to anyone else (another provider, another
developer, another jurisdiction's regulator) it does not exist: 404, as for one missing. A
request is read by the provider it is addressed to and the regulators of the countries it
touches; never by the customer it is about.

A **capacity notice** is information for regulators, not an accusation and not a flag: an
attestation that counts whose chip-hours, at a conservative utilization of the chips' dense
16-bit peak (`data/reconciliation.json`), could have trained a run crossing a
training-compute threshold in force at the period's end, counting only the chip-hours that
the customer's training-run reports that count (not planned) do not account for at that
provider in the period (apportioned by time, as the reconciliation counts them): a token
report at the provider does not hide a large attestation. It is computed when read, so
reports that account for the chip-hours remove it. The share left unaccounted is not shown:
it draws on the customer's reports, some of which may not be addressed to the reader.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.catalog import get_chip
from computegov.compute.thresholds import thresholds
from computegov.errors import NotFound
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.custody.common import reader_filter
from computegov.registry.parties.models import Party
from computegov.registry.reporting.models import (
    AttestationRequest,
    ProviderAttestation,
)

READ = "attestation.read"
#: The rates a capacity estimate takes, first published first: dense 16-bit, then wider.
CAPACITY_PRECISIONS = ("bf16", "fp16", "tf32", "fp32")


@cache
def reconciliation_data() -> dict[str, Any]:
    text = resources.files("computegov.registry.reporting").joinpath("data/reconciliation.json")
    data: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return data


def attestation_resource(attestation: ProviderAttestation) -> Resource:
    return Resource(
        id=attestation.id,
        owners=frozenset({attestation.provider_id, attestation.customer_id}),
        countries=frozenset(attestation.jurisdictions or ()),
    )


def request_resource(request: AttestationRequest) -> Resource:
    return Resource(
        id=request.id,
        owners=frozenset({request.provider_id}),
        countries=frozenset(request.countries or ()),
    )


def chip_hours(attestation: ProviderAttestation) -> float:
    return sum(float(line["chip_hours"]) for line in attestation.lines)


def attestation_dict(attestation: ProviderAttestation) -> dict[str, Any]:
    return {
        "id": attestation.id,
        "provider_id": attestation.provider_id,
        "customer_id": attestation.customer_id,
        "period_start": to_wire(attestation.period_start),
        "period_end": to_wire(attestation.period_end),
        "lines": list(attestation.lines),
        "chip_hours": chip_hours(attestation),
        "basis": attestation.basis,
        "request_id": attestation.request_id,
        "supersedes_id": attestation.supersedes_id,
        "superseded_by_id": attestation.superseded_by_id,
        "counts": attestation.superseded_by_id is None,
        "jurisdictions": list(attestation.jurisdictions),
        "created_at": to_wire(attestation.created_at),
        "entry_id": attestation.entry_id,
    }


def request_dict(request: AttestationRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "regulator_id": request.regulator_id,
        "provider_id": request.provider_id,
        "customer_id": request.customer_id,
        "period_start": to_wire(request.period_start),
        "period_end": to_wire(request.period_end),
        "reason": request.reason,
        "status": request.status,
        "attestation_id": request.attestation_id,
        "countries": list(request.countries),
        "created_at": to_wire(request.created_at),
        "entry_id": request.entry_id,
    }


def visible_attestations(
    session: Session, reader: Party, *, customer_id: str | None = None
) -> list[ProviderAttestation]:
    allowed = reader_filter(session, reader, READ)
    query = sa.select(ProviderAttestation).order_by(
        ProviderAttestation.created_at, ProviderAttestation.id
    )
    if customer_id is not None:
        query = query.where(ProviderAttestation.customer_id == customer_id)
    return [a for a in session.scalars(query) if allowed(attestation_resource(a))]


def readable_attestation(session: Session, reader: Party, record_id: str) -> ProviderAttestation:
    found = session.get(ProviderAttestation, record_id)
    if found is None or not reader_filter(session, reader, READ)(attestation_resource(found)):
        raise NotFound(f"no attestation {record_id!r} that you may see")
    return found


def visible_requests(session: Session, reader: Party) -> list[AttestationRequest]:
    allowed = reader_filter(session, reader, READ)
    query = sa.select(AttestationRequest).order_by(
        AttestationRequest.created_at, AttestationRequest.id
    )
    return [r for r in session.scalars(query) if allowed(request_resource(r))]


def capacity_rate(chip_model: str) -> tuple[str, float]:
    """The precision and dense peak (FLOP/s) a capacity estimate takes for a chip."""
    chip = get_chip(chip_model)
    for precision in CAPACITY_PRECISIONS:
        rate = chip.peak_flops(precision)
        if rate is not None:
            return precision, rate
    return "none", 0.0


def capacity_flop(attestation: ProviderAttestation) -> float:
    """What the attested chip-hours could have trained at the conservative utilization."""
    utilization = float(reconciliation_data()["capacity_utilization"]["value"])
    peak = sum(
        float(line["chip_hours"]) * 3600.0 * capacity_rate(line["chip_model"])[1]
        for line in attestation.lines
    )
    return peak * utilization


def unaccounted(session: Session, attestation: ProviderAttestation) -> float:
    """The share of the attested chip-hours that the customer's reports that count do not
    account for: those runs' chip-hours at the provider in the period (apportioned by time,
    as the reconciliation counts them) taken off. A token report at the provider (one chip
    for an hour) leaves nearly all of a large attestation unaccounted for."""
    # Imported here: reconcile builds on this module.
    from computegov.registry.reporting.reconcile import attributed

    attested = chip_hours(attestation)
    used = sum(item["attributed_chip_hours"] for item in attributed(session, attestation))
    return max(0.0, attested - used) / attested if attested > 0 else 0.0


def _crossed(flop: float, attestation: ProviderAttestation) -> list[dict[str, Any]]:
    return [
        t.to_dict()
        for t in thresholds(flop, attestation.period_end)
        if t.crossed and t.status == "in_force"
    ]


def capacity_notices(session: Session, reader: Party, now: datetime) -> list[dict[str, Any]]:
    """The capacity notices a regulator sees: of attestations addressed to its countries."""
    mine = set(reader.jurisdiction or ())
    rows = session.scalars(
        sa.select(ProviderAttestation)
        .where(ProviderAttestation.superseded_by_id.is_(None))
        .order_by(ProviderAttestation.created_at, ProviderAttestation.id)
    )
    notices = []
    data = reconciliation_data()["capacity_utilization"]
    for attestation in rows:
        if not mine & set(attestation.jurisdictions):
            continue
        flop = capacity_flop(attestation)
        if not _crossed(flop, attestation):
            continue
        left = unaccounted(session, attestation)
        crossed = _crossed(flop * left, attestation)
        if not crossed:
            continue
        notices.append(
            {
                "attestation_id": attestation.id,
                "provider_id": attestation.provider_id,
                "customer_id": attestation.customer_id,
                "period_start": to_wire(attestation.period_start),
                "period_end": to_wire(attestation.period_end),
                "chip_hours": chip_hours(attestation),
                "capacity_flop": flop,
                "utilization": data["value"],
                "utilization_source": data["source"],
                "thresholds": [t["id"] for t in crossed],
                "note": "information, not an accusation: the attested chip-hours that no "
                "report of the customer accounts for could have trained a run above these "
                "thresholds",
                "on": to_wire(now),
            }
        )
    return notices
