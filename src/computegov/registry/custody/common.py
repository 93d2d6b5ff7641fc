"""What sites, transfers and licenses share: naming chips on the wire, custody events, and
the access-matrix view of the registry's custody records.

A chip is named by its id (`chp_...`) or by `{"vendor": ..., "serial": ...}`; `resolve_chips`
turns a list of such names into rows, refusing (`unknown_chip`) with every name not found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.catalog import get_chip
from computegov.errors import InvalidInput, Refused
from computegov.identity.access import Resource, default_matrix
from computegov.registry.bodies import Body
from computegov.registry.chips.models import Chip
from computegov.registry.custody.models import CustodyEvent, Site, Transfer
from computegov.registry.licensing.models import ExportLicense
from computegov.registry.parties.models import Party

#: The most chips one action may name (a transfer or an installation).
MAX_CHIPS_PER_ACTION = 10_000
#: Statuses in which a chip is no longer held: it cannot be moved, installed or counted.
GONE = ("decommissioned", "lost", "stolen")
#: Statuses from which a custodian may move a chip.
MOVABLE = ("in_stock", "installed")


class ChipRef(Body):
    """A chip named by its manufacturer's vendor name and serial number."""

    vendor: str = Field(min_length=1, max_length=64)
    serial: str = Field(min_length=1, max_length=128)


ChipName = str | ChipRef
ChipList = list[ChipName]


def chip_list_field() -> Any:
    """The pydantic field for a body's `chips`: 1 to MAX_CHIPS_PER_ACTION names."""
    return Field(min_length=1, max_length=MAX_CHIPS_PER_ACTION)


def _label(name: ChipName) -> str:
    return name if isinstance(name, str) else f"{name.vendor}/{name.serial}"


def resolve_chips(session: Session, names: Sequence[ChipName]) -> list[Chip]:
    """The chips these names denote, in order; Refused `unknown_chip` naming every miss."""
    ids = [n for n in names if isinstance(n, str)]
    pairs = [(n.vendor, n.serial) for n in names if not isinstance(n, str)]
    by_id: dict[str, Chip] = {}
    by_pair: dict[tuple[str, str], Chip] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for chip in session.scalars(sa.select(Chip).where(Chip.id.in_(chunk))):
            by_id[chip.id] = chip
    for start in range(0, len(pairs), 300):
        chunk_pairs = pairs[start : start + 300]
        condition = sa.or_(*(sa.and_(Chip.vendor == v, Chip.serial == s) for v, s in chunk_pairs))
        for chip in session.scalars(sa.select(Chip).where(condition)):
            by_pair[(chip.vendor, chip.serial)] = chip
    found: list[Chip] = []
    missing: list[str] = []
    for name in names:
        hit = by_id.get(name) if isinstance(name, str) else by_pair.get((name.vendor, name.serial))
        if hit is None:
            missing.append(_label(name))
        else:
            found.append(hit)
    if missing:
        shown = ", ".join(missing[:20]) + (
            f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        )
        raise Refused(f"no registered chip {shown}", reason="unknown_chip", chips=missing[:100])
    if len({chip.id for chip in found}) != len(found):
        raise InvalidInput("a chip is named twice; name each chip once")
    return found


def check_movable(chip: Chip, party_id: str) -> None:
    """Refuse unless `party_id` holds `chip` and the chip is in stock or installed."""
    if chip.custodian_id != party_id:
        raise Refused(
            f"chip {chip.id} ({chip.vendor}/{chip.serial}) is held by {chip.custodian_id}, "
            f"not {party_id}: only a chip's custodian moves it",
            reason="not_custodian",
        )
    if chip.status == "in_transit":
        raise Refused(
            f"chip {chip.id} ({chip.vendor}/{chip.serial}) is in transit under a pending "
            "transfer; it can move again once that transfer is confirmed or cancelled",
            reason="in_transit",
        )
    if chip.status not in MOVABLE:
        raise Refused(
            f"chip {chip.id} ({chip.vendor}/{chip.serial}) is {chip.status}; only chips in "
            "stock or installed can move",
            reason="chip_unavailable",
        )


def canonical_model(name: str) -> str:
    """The catalog's own name for a model (aliases and case folded)."""
    return get_chip(name).model


def add_events(
    session: Session,
    chips: Iterable[Chip],
    kind: str,
    party_id: str,
    at: datetime,
    details: dict[str, Any] | None = None,
    per_chip: dict[str, dict[str, Any]] | None = None,
) -> list[CustodyEvent]:
    """One CustodyEvent per chip (their entry_id is stamped by `perform`)."""
    events = [
        CustodyEvent(
            chip_id=chip.id,
            kind=kind,
            at=at,
            party_id=party_id,
            details={**(details or {}), **((per_chip or {}).get(chip.id, {}))},
            entry_id="",
        )
        for chip in chips
    ]
    session.add_all(events)
    return events


def site_resource(site: Site) -> Resource:
    """A site is its operator's; it is where it is."""
    return Resource(
        id=site.id, owners=frozenset({site.operator_id}), countries=frozenset({site.country})
    )


def license_resource(lic: ExportLicense) -> Resource:
    """A license is its licensee's, consignee's and issuer's; its country is the destination."""
    owners = {lic.licensee_id, lic.consignee_id, lic.regulator_id}
    return Resource(id=lic.id, owners=frozenset(owners), countries=frozenset({lic.destination}))


def transfer_resource(transfer: Transfer, followers: frozenset[str] = frozenset()) -> Resource:
    """A transfer is its sender's and its receiver's; it touches origin and destination;
    `followers` are the jurisdictions whose licenses its chips had moved under
    (`licensing.follow.transfer_followers`)."""
    return Resource(
        id=transfer.id,
        owners=frozenset({transfer.sender_id, transfer.receiver_id}),
        countries=frozenset({transfer.origin_country, transfer.destination_country}),
        followers=followers,
    )


def reader_filter(session: Session, reader: Party, action: str) -> Callable[[Resource], bool]:
    """A test of whether the access matrix lets `reader` read a resource (to filter lists)."""
    from computegov.registry.actions import actor_of

    actor = actor_of(session, reader)
    matrix = default_matrix()
    return lambda resource: matrix.decide(actor, action, resource).allowed


def page(items: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    """The list shape every registry list returns: total, limit, offset, items."""
    return {
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "items": items[offset : offset + limit],
    }
