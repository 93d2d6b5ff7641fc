"""Which manufacturer makes which vendor's chips: the `vendor.bind` action and the check that a
manifest registers only the registrant's own vendors.

A catalog vendor (NVIDIA, AMD, Huawei, ...) belongs to one manufacturer party; that party and
its subsidiaries (parties whose `parent_id` chain reaches it) register the vendor's chips. Only
the administrator or a regulator of the vendor's headquarters country binds it, so a regulator
elsewhere cannot create a maker of another country's chips.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.catalog import all_vendors, get_vendor
from computegov.errors import Conflict, Forbidden, NotFound
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult, authorize
from computegov.registry.bodies import Body, parse_body
from computegov.registry.chips.models import VendorBinding
from computegov.registry.parties.models import Party
from computegov.registry.parties.service import MAX_PARENT_DEPTH, party_resource


class VendorBind(Body):
    vendor: str = Field(min_length=1, max_length=64)
    manufacturer_id: str = Field(min_length=1, max_length=32)
    replace: bool = False


def binding_dict(row: VendorBinding) -> dict[str, Any]:
    """The API view of a vendor binding."""
    vendor = get_vendor(row.vendor)
    return {
        "vendor": row.vendor,
        "hq_country": vendor.hq_country,
        "manufacturer_id": row.manufacturer_id,
        "bound_by": row.bound_by,
        "bound_at": to_wire(row.bound_at),
        "entry_id": row.entry_id,
    }


def _visible_manufacturer(ctx: ActionContext, party_id: str) -> Party:
    """The manufacturer to bind, if the binder may see it; one answer for "no such party" and
    "not yours to see", so binding cannot probe for parties."""
    party = ctx.session.get(Party, party_id)
    if party is not None:
        try:
            authorize(ctx.session, ctx.party, "party.read", party_resource(party))
        except Forbidden:
            party = None
    if party is None or party.role != "manufacturer":
        raise NotFound(
            f"no manufacturer with id {party_id!r} that you may see; bind a vendor to a "
            "manufacturer party in your jurisdiction (`computegov parties list --role "
            "manufacturer`)"
        )
    return party


def bind_vendor(ctx: ActionContext) -> ActionResult:
    """Bind a catalog vendor to the manufacturer party that makes its chips (`vendor.bind`)."""
    body = parse_body(VendorBind, ctx.body)
    vendor = get_vendor(body.vendor)
    hq = frozenset({vendor.hq_country})
    try:
        ctx.authorize("vendor.bind", Resource(id=f"vendor:{vendor.name}", countries=hq))
    except Forbidden:
        raise Forbidden(
            f"{vendor.name} is headquartered in {vendor.hq_country}: only the administrator or "
            f"a regulator of {vendor.hq_country} binds it to a manufacturer",
            reason="access",
        ) from None
    maker = _visible_manufacturer(ctx, body.manufacturer_id)
    row = ctx.session.get(VendorBinding, vendor.name)
    if row is not None and row.manufacturer_id == maker.id:
        raise Conflict(f"{vendor.name} is already bound to {maker.id}", reason="already_bound")
    if row is not None and not body.replace:
        raise Conflict(
            f"{vendor.name} is bound to manufacturer {row.manufacturer_id}; send "
            '"replace": true (`--replace`) to bind it to another',
            reason="vendor_bound",
        )
    previous = row.manufacturer_id if row is not None else None
    if row is None:
        row = VendorBinding(vendor=vendor.name, entry_id="")
        ctx.session.add(row)
    row.manufacturer_id = maker.id
    row.bound_by = ctx.party.id
    row.bound_at = ctx.now
    ctx.session.flush()
    result = {"binding": binding_dict(row), "replaced": previous}
    subjects = [maker.id] + ([previous] if previous else [])
    return ActionResult(result, 200 if previous else 201, subjects, [vendor.hq_country], [row])


def ownership_chain(session: Session, party: Party) -> list[tuple[str, str | None]]:
    """The party, then its parent, up to the top of its ownership chain: (id, created_by)."""
    chain = [(party.id, party.created_by)]
    parent_id = party.parent_id
    seen = {party.id}
    while parent_id is not None and parent_id not in seen and len(chain) <= MAX_PARENT_DEPTH:
        seen.add(parent_id)
        row = session.execute(
            sa.select(Party.created_by, Party.parent_id).where(Party.id == parent_id)
        ).first()
        if row is None:
            break
        chain.append((parent_id, row[0]))
        parent_id = row[1]
    return chain


def _may_bind(session: Session, party_id: str | None, hq: str) -> bool:
    """Whether a party is the administrator or a regulator of `hq` (who may bind its vendors)."""
    creator = session.get(Party, party_id) if party_id else None
    if creator is None:
        return False
    return creator.role == "administrator" or (
        creator.role == "regulator" and hq in (creator.jurisdiction or ())
    )


def vendor_refusal(session: Session, party: Party) -> Callable[[str], str | None]:
    """For a manifest of `party`: why it may not register a vendor's chips, or None where the
    vendor is bound to it or to a party above it in its ownership chain.

    A subsidiary counts only where each link below the bound manufacturer was made by the
    administrator or a regulator of the vendor's headquarters country: whoever may not bind
    the vendor may not make a subsidiary that registers its chips either."""
    chain = ownership_chain(session, party)
    ids = [party_id for party_id, _ in chain]
    bound = {
        vendor: maker
        for vendor, maker in session.execute(
            sa.select(VendorBinding.vendor, VendorBinding.manufacturer_id)
        )
    }

    def refusal(vendor: str) -> str | None:
        maker = bound.get(vendor)
        hq = get_vendor(vendor).hq_country
        if maker is None:
            return (
                f"{vendor} is bound to no manufacturer yet: the administrator or a regulator of "
                f"{hq} binds it (`computegov chips bind-vendor`) before its chips are registered"
            )
        if maker not in ids:
            return (
                f"{vendor} chips are registered only by the manufacturer bound to {vendor} and "
                "its subsidiaries, and you are neither"
            )
        for link, created_by in chain[: ids.index(maker)]:
            if not _may_bind(session, created_by, hq):
                return (
                    f"{vendor} chips are registered only by the manufacturer bound to {vendor} "
                    f"and its subsidiaries; {link} was made a subsidiary by a party that may not "
                    f"bind {vendor} (the administrator or a regulator of {hq} may)"
                )
        return None

    return refusal


def list_vendors(session: Session, reader: Party) -> dict[str, Any]:
    """The catalog's vendors with their headquarters and source, and whether each is bound;
    the bound manufacturer is named to the administrator, regulators and its own group."""
    bound = {row.vendor: row for row in session.scalars(sa.select(VendorBinding))}
    may_register = vendor_refusal(session, reader)
    sees_all = reader.role in ("administrator", "regulator")
    items = []
    for vendor in all_vendors():
        row = bound.get(vendor.name)
        item: dict[str, Any] = {
            "vendor": vendor.name,
            "legal_name": vendor.legal_name,
            "hq_country": vendor.hq_country,
            "source": vendor.source,
            "bound": row is not None,
            "manufacturer_id": None,
            "yours": row is not None and may_register(vendor.name) is None,
        }
        if row is not None and (sees_all or item["yours"]):
            item["manufacturer_id"] = row.manufacturer_id
        items.append(item)
    return {"items": items, "total": len(items)}
