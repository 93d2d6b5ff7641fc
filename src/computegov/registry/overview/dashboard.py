"""What the registry's pages show, as plain data: the overview, a chip list, a chip's chain of
custody and the current checkpoint. Each read is limited to what the reader may see."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.errors import NotFound
from computegov.instants import to_wire
from computegov.ledger import log
from computegov.registry.actions import authorize
from computegov.registry.chips.models import Chip
from computegov.registry.custody.models import CustodyEvent, Transfer
from computegov.registry.licensing.follow import followed_chip
from computegov.registry.overview.stats import model_h100e
from computegov.registry.overview.visibility import chip_resource, visible_chips, visible_transfers
from computegov.registry.parties.models import Party
from computegov.registry.parties.names import party_names
from computegov.store.models import LedgerEntry


def checkpoint_summary(session: Session, origin: str, verifier_key: str) -> dict[str, Any]:
    """The latest checkpoint: size, root (base64), origin, time, and the log's verifier key."""
    latest = log.latest_checkpoint(session)
    return {
        "origin": origin,
        "size": latest.size,
        "root": base64.b64encode(latest.root).decode("ascii"),
        "time": to_wire(latest.created_at),
        "verifier_key": verifier_key,
    }


def recent_transfers(session: Session, reader: Party, limit: int = 10) -> list[dict[str, Any]]:
    """The newest transfers the reader may see, newest first."""
    rows = session.scalars(
        sa.select(Transfer)
        .where(visible_transfers(session, reader))
        .order_by(Transfer.declared_at.desc(), Transfer.id)
        .limit(limit)
    ).all()
    names = party_names(session, {r.sender_id for r in rows} | {r.receiver_id for r in rows})
    return [
        {
            "id": row.id,
            "sender": row.sender_id,
            "sender_name": names.get(row.sender_id),
            "receiver": row.receiver_id,
            "receiver_name": names.get(row.receiver_id),
            "origin_country": row.origin_country,
            "destination_country": row.destination_country,
            "chips": row.chip_count,
            "license_id": row.license_id,
            "status": row.status,
            "declared_at": to_wire(row.declared_at),
        }
        for row in rows
    ]


@dataclass(frozen=True)
class ChipPage:
    """A page of chips and how many there are in all."""

    total: int
    items: list[dict[str, Any]]


def chip_dict(chip: Chip, custodian_name: str | None = None) -> dict[str, Any]:
    """A chip as the pages show it (device key as its id only)."""
    return {
        "id": chip.id,
        "vendor": chip.vendor,
        "serial": chip.serial,
        "model": chip.model,
        "h100_equivalents": model_h100e(chip.model),
        "status": chip.status,
        "country": chip.country,
        "custodian": chip.custodian_id,
        "custodian_name": custodian_name,
        "manufacturer": chip.manufacturer_id,
        "site_id": chip.site_id,
        "manufactured_on": chip.manufactured_on.isoformat(),
        "fab": chip.fab,
        "assembly_site": chip.assembly_site,
        "device_key_id": chip.device_key_id,
        "registered_at": to_wire(chip.registered_at),
    }


def list_chips(
    session: Session,
    reader: Party,
    *,
    country: str | None = None,
    status: str | None = None,
    model: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ChipPage:
    """The chips the reader may see, newest registrations first, filtered and paginated."""
    where = [visible_chips(session, reader)]
    if country:
        where.append(Chip.country == country.upper())
    if status:
        where.append(Chip.status == status)
    if model:
        where.append(Chip.model == model)
    total = session.execute(sa.select(sa.func.count()).select_from(Chip).where(*where))
    rows = session.scalars(
        sa.select(Chip)
        .where(*where)
        .order_by(Chip.registered_at.desc(), Chip.id)
        .limit(limit)
        .offset(offset)
    ).all()
    names = party_names(session, {row.custodian_id for row in rows})
    items = [chip_dict(row, names.get(row.custodian_id)) for row in rows]
    return ChipPage(int(total.scalar_one()), items)


def _manifest_step(session: Session, chip: Chip, event: CustodyEvent) -> dict[str, Any] | None:
    """For a registration logged as its manifest's one entry: the manifest and the chip's leaf
    in it (the chip's path comes with its attestation). None for other steps and for chips
    registered before batching, whose registration is an entry of its own."""
    if event.kind != "registered" or not chip.manifest_id:
        return None
    kind = session.execute(
        sa.select(LedgerEntry.type).where(LedgerEntry.id == event.entry_id)
    ).scalar_one_or_none()
    if kind != "chip.register":
        return None
    return {"id": chip.manifest_id, "leaf_index": chip.manifest_index}


def chip_history(session: Session, reader: Party, chip_id: str) -> dict[str, Any]:
    """One chip and its chain of custody: each step with its time, kind, party, ledger entry,
    index once integrated and whether the latest checkpoint covers it (for its proof)."""
    chip = session.get(Chip, chip_id)
    if chip is None:
        raise NotFound(f"no chip with id {chip_id!r}; chip ids look like chp_0123456789abcdef")
    authorize(session, reader, "chip.read", followed_chip(session, chip_resource(chip)))
    events = session.scalars(
        sa.select(CustodyEvent)
        .where(CustodyEvent.chip_id == chip.id)
        .order_by(CustodyEvent.at, CustodyEvent.id)
    ).all()
    size = log.tree_size(session)
    names = party_names(
        session, {e.party_id for e in events} | {chip.custodian_id, chip.manufacturer_id}
    )
    steps = []
    for event in events:
        index = log.pending_status(session, event.entry_id)["index"]
        steps.append(
            {
                "at": to_wire(event.at),
                "kind": event.kind,
                "party": event.party_id,
                "party_name": names.get(event.party_id),
                "details": event.details or {},
                "entry_id": event.entry_id,
                "index": index,
                "in_checkpoint": index is not None and index < size,
                "manifest": _manifest_step(session, chip, event),
            }
        )
    result = chip_dict(chip, names.get(chip.custodian_id))
    result["manufacturer_name"] = names.get(chip.manufacturer_id)
    return {"chip": result, "history": steps, "checkpoint_size": size}
