"""Transfers of custody: declared by the custodian, confirmed by the receiver, or cancelled.

A declaration is checked at the server's receipt time (`ctx.now`) against the export regime:
for every model moved, `rules.license_required(model, destination, end_user_hq=<the
receiver's ultimate parent's headquarters>, quantity=n)`. Every transfer is evaluated, also
one within a country and one between two countries neither of which is the chip's maker's: the
rules follow the chip (a 3A090 chip handed over inside Germany to a firm whose parent sits in
China fires bis-2023-10, as an in-country transfer of an EAR item does; so does a re-export
from the Netherlands to China, or a transfer inside China), and the rules module itself
answers that a shipment within the United States is no export. Each instrument that fires
names the jurisdiction that administers it; for each such jurisdiction the transfer must
cite licenses issued under it that cover it (`licensing.coverage`): a license counts only for
its own jurisdiction's instruments, and only for its named licensee, the sender. Several
licenses may be cited (`licenses`, besides the single `license_id` of before); each is drawn
down at declaration by what it covers, in chips and in value (`licensing.coverage`), and
given that back on cancellation (`custody.release`). A cited license must be active and
valid (`checks.check_status`), and the shipment carries its evidence (`custody.evidence`).
Nothing else refuses a licensed transfer: the registry's own estimates (of shipments to a
destination, say) are evidence for the licensing officer, never a term of an issued license.

Two declarations of one chip at once: the chips move to `in_transit` by a conditional
UPDATE (held by the declarer, in their read status) whose row count must equal the number
of chips, so exactly one wins under PostgreSQL's READ COMMITTED and SQLite's single writer.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from computegov.countries import parse_country
from computegov.errors import NotFound, Refused
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.chips.models import Chip
from computegov.registry.custody.checks import (
    check_license,
    draw_down,
    evaluate_regime,
    origin_of,
    refuse_reexport,
    refuse_screened,
    take_chips,
)
from computegov.registry.custody.common import (
    ChipList,
    add_events,
    canonical_model,
    check_movable,
    chip_list_field,
    reader_filter,
    resolve_chips,
    transfer_resource,
)
from computegov.registry.custody.evidence import (
    MAX_LAB_REPORTS,
    MAX_SHIPMENT_VALUE_USD,
    shipment_evidence,
)
from computegov.registry.custody.flags import flag_hq_in_licensed_destination, parent_chain
from computegov.registry.custody.models import Transfer, TransferChip, TransferLicense
from computegov.registry.custody.release import close, release, transfer_chips
from computegov.registry.custody.sites import get_site
from computegov.registry.ids import new_id
from computegov.registry.licensing import follow
from computegov.registry.licensing.coverage import allocate, draw_values
from computegov.registry.licensing.service import get_license
from computegov.registry.parties.models import Party
from computegov.registry.parties.names import name_parties
from computegov.registry.parties.service import get_party

#: The most export licenses one declaration may cite.
MAX_CITED_LICENSES = 20


class TransferDeclare(Body):
    chips: ChipList = chip_list_field()
    receiver_id: str
    destination_country: str
    destination_site_id: str | None = None
    license_id: str | None = None
    licenses: list[str] = Field(default_factory=list, max_length=MAX_CITED_LICENSES)
    # The shipment's evidence (`custody.evidence`): required where a license is cited.
    value_usd: int | None = Field(default=None, ge=0, le=MAX_SHIPMENT_VALUE_USD)
    export_filing_ref: str | None = Field(default=None, max_length=64)
    destination_control_statement: bool | Annotated[str, Field(max_length=2000)] | None = None
    lab_report_ids: list[str] = Field(default_factory=list, max_length=MAX_LAB_REPORTS)

    @field_validator("destination_country")
    @classmethod
    def _country(cls, value: str) -> str:
        return parse_country(value)

    def cited(self) -> list[str]:
        """The licenses cited, `license_id` first, each once, in the order given."""
        ids = ([self.license_id] if self.license_id is not None else []) + self.licenses
        return list(dict.fromkeys(ids))


class TransferClose(Body):
    transfer_id: str


def transfer_dict(transfer: Transfer, chips: list[str] | None = None) -> dict[str, Any]:
    """The API view of a transfer (flat; `chips` only where asked for); `sender_name` and
    `receiver_name` are None here, and `name_transfers` fills them in."""
    data: dict[str, Any] = {
        "id": transfer.id,
        "status": transfer.status,
        "sender_id": transfer.sender_id,
        "sender_name": None,
        "receiver_id": transfer.receiver_id,
        "receiver_name": None,
        "origin_country": transfer.origin_country,
        "destination_country": transfer.destination_country,
        "destination_site_id": transfer.destination_site_id,
        "license_id": transfer.license_id,
        "license_ids": [lic["license_id"] for lic in cited_licenses(transfer)],
        "chip_count": transfer.chip_count,
        "license_required": bool((transfer.regime or {}).get("license_required")),
        "jurisdictions": list((transfer.regime or {}).get("jurisdictions", [])),
        "declared_at": to_wire(transfer.declared_at),
        "closed_at": to_wire(transfer.closed_at) if transfer.closed_at else None,
        "entry_id": transfer.entry_id,
        "closing_entry_id": transfer.closing_entry_id,
    }
    if chips is not None:
        data["chips"] = chips
        data["regime"] = transfer.regime
        data["licenses"] = cited_licenses(transfer)
        data["evidence"] = dict(transfer.evidence or {})
    return data


def named_transfer(session: Session, transfer: Transfer, chips: list[str]) -> dict[str, Any]:
    """One transfer's full view (its chips, regime and licenses) with its parties' names."""
    return name_transfers(session, [transfer_dict(transfer, chips)])[0]


def name_transfers(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page of transfer views with `sender_name` and `receiver_name` (one query)."""
    return name_parties(session, items, ("sender", "receiver"))


def cited_licenses(transfer: Transfer) -> list[dict[str, Any]]:
    """The licenses a transfer drew on: id, jurisdiction and chips (kept in its regime; a
    transfer declared before several licenses could be cited names its one license)."""
    regime = transfer.regime or {}
    if "licenses" in regime:
        return [dict(lic) for lic in regime["licenses"]]
    if transfer.license_id is None:
        return []
    return [{"license_id": transfer.license_id, "jurisdiction": None, "chips": transfer.chip_count}]


def declare_transfer(ctx: ActionContext) -> ActionResult:
    """Declare a transfer of chips the acting party holds (see the module doc for checks)."""
    body = parse_body(TransferDeclare, ctx.body)
    destination = body.destination_country
    ctx.authorize(
        "transfer.declare",
        Resource(owners=frozenset({ctx.party.id}), countries=frozenset({destination})),
    )
    chips = resolve_chips(ctx.session, body.chips)
    for chip in chips:
        check_movable(chip, ctx.party.id)
    origin = origin_of(chips)
    try:
        receiver = get_party(ctx.session, body.receiver_id)
    except NotFound:
        raise Refused(
            f"no party {body.receiver_id!r} to receive the chips", reason="unknown_receiver"
        ) from None
    if receiver.role in ("regulator", "administrator", "auditor", "test_lab"):
        raise Refused(
            f"{receiver.id} is a {receiver.role}; it does not hold chips", reason="bad_receiver"
        )
    refuse_screened(ctx, receiver, chips, origin, destination)
    if body.destination_site_id is not None:
        site = get_site(ctx.session, body.destination_site_id)
        if site.operator_id != receiver.id or site.country != destination:
            raise Refused(
                f"site {site.id} is operated by {site.operator_id} in {site.country}; the "
                f"destination site must be the receiver's ({receiver.id}) in {destination}",
                reason="site_mismatch",
            )
    models = Counter(canonical_model(chip.model) for chip in chips)
    chain = parent_chain(ctx.session, receiver)
    regime = evaluate_regime(ctx, models, destination, chain, origin)
    cited = []
    for license_id in body.cited():
        try:
            lic = get_license(ctx.session, license_id)
        except NotFound:
            raise Refused(f"no export license {license_id!r}", reason="unknown_license") from None
        check_license(ctx, lic, receiver, destination, models)
        cited.append(lic)
    drawn = allocate(cited, regime, destination)
    values = draw_values(cited, drawn, len(chips), body.value_usd)
    refuse_reexport(ctx, chips, origin, destination, cited)
    evidence = shipment_evidence(ctx, body, cited, chips, origin, destination)
    regime["licenses"] = []
    for lic in cited:
        drew: dict[str, Any] = {"license_id": lic.id, "jurisdiction": lic.jurisdiction}
        drew["chips"] = drawn[lic.id]
        if body.value_usd is not None:  # its share of the shipment's value, where stated
            drew["value_usd"] = values[lic.id]
        regime["licenses"].append(drew)
    take_chips(ctx, chips)
    for lic in sorted(cited, key=lambda lic: lic.id):
        draw_down(ctx, lic, drawn[lic.id], values[lic.id])
    transfer = Transfer(
        id=new_id("trf"),
        sender_id=ctx.party.id,
        receiver_id=receiver.id,
        origin_country=origin,
        destination_country=destination,
        destination_site_id=body.destination_site_id,
        license_id=cited[0].id if cited else None,
        status="pending",
        chip_count=len(chips),
        regime=regime,
        declared_at=ctx.now,
        closed_at=None,
        entry_id=ctx.entry_id,
        closing_entry_id=None,
        evidence=evidence,
    )
    ctx.session.add(transfer)
    ctx.session.flush()
    ctx.session.add_all(TransferChip(transfer_id=transfer.id, chip_id=c.id) for c in chips)
    ctx.session.add_all(
        TransferLicense(transfer_id=transfer.id, license_id=lic.id, position=n, chips=drawn[lic.id])
        for n, lic in enumerate(cited)
    )
    events = add_events(
        ctx.session,
        chips,
        "transfer_declared",
        ctx.party.id,
        ctx.now,
        {"transfer_id": transfer.id, "receiver_id": receiver.id, "destination": destination},
        {c.id: {"previous_status": c.status} for c in chips},
    )
    flags = flag_hq_in_licensed_destination(ctx, transfer, models, chain)
    flags += follow.on_transfer_declared(ctx, transfer, chips, cited)
    return ActionResult(
        {"transfer": named_transfer(ctx.session, transfer, [c.id for c in chips]), "flags": flags},
        201,
        [transfer.id, receiver.id, *(lic.id for lic in cited), *(c.id for c in chips)],
        sorted({origin, destination}),
        [transfer, *events],
    )


def get_transfer(session: Session, transfer_id: str, *, lock: bool = False) -> Transfer:
    """The transfer with this id, or NotFound; `lock`: its row locked for this transaction
    (a concurrent close waits, then reads the status the other one left)."""
    transfer = session.get(Transfer, transfer_id, with_for_update=lock or None)
    if transfer is None:
        raise NotFound(f"no transfer with id {transfer_id!r}")
    return transfer


def chips_of(session: Session, transfer_id: str) -> list[str]:
    """The ids of the chips a transfer moves."""
    return list(
        session.scalars(
            sa.select(TransferChip.chip_id)
            .where(TransferChip.transfer_id == transfer_id)
            .order_by(TransferChip.chip_id)
        )
    )


def _pending(ctx: ActionContext, action: str, party_field: str) -> Transfer:
    body = parse_body(TransferClose, ctx.body)
    # Locked before its status is read: a confirmation racing a cancellation (by the sender,
    # or by a suspension or revocation of its license) must find the other one's result.
    transfer = get_transfer(ctx.session, body.transfer_id, lock=True)
    ctx.authorize(action, transfer_resource(transfer))
    who = getattr(transfer, party_field)
    if who != ctx.party.id:
        role = party_field.removesuffix("_id")
        raise Refused(
            f"only the transfer's {role} ({who}) may {action.split('.')[1]} it",
            reason=f"not_{role}",
        )
    if transfer.status != "pending":
        raise Refused(
            f"transfer {transfer.id} is {transfer.status}, not pending", reason="not_pending"
        )
    return transfer


def _closed(
    ctx: ActionContext, transfer: Transfer, chips: list[Chip], stamps: list[Any]
) -> ActionResult:
    return ActionResult(
        {"transfer": named_transfer(ctx.session, transfer, [c.id for c in chips])},
        200,
        [transfer.id, transfer.sender_id, transfer.receiver_id, *(c.id for c in chips)],
        sorted({transfer.origin_country, transfer.destination_country}),
        stamps,
    )


def confirm_transfer(ctx: ActionContext) -> ActionResult:
    """The receiver confirms receipt: the chips are its, where the transfer said."""
    transfer = _pending(ctx, "transfer.confirm", "receiver_id")
    chips = transfer_chips(ctx.session, transfer)
    for chip in chips:
        chip.custodian_id = transfer.receiver_id
        chip.country = transfer.destination_country
        chip.site_id = transfer.destination_site_id
        chip.status = "installed" if transfer.destination_site_id else "in_stock"
    details = {
        "from": transfer.sender_id,
        "country": transfer.destination_country,
        "site_id": transfer.destination_site_id,
    }
    stamps = close(ctx, transfer, "completed", "transfer_completed", chips, details)
    return _closed(ctx, transfer, chips, stamps)


def cancel_transfer(ctx: ActionContext) -> ActionResult:
    """The sender cancels a pending transfer: chips back as they were, licenses given back
    what the transfer drew from each (`custody.release`)."""
    transfer = _pending(ctx, "transfer.cancel", "sender_id")
    chips, stamps = release(ctx, transfer, {})
    return _closed(ctx, transfer, chips, stamps)


def visible_transfers(
    session: Session,
    reader: Party,
    *,
    status: str | None = None,
    role: str | None = None,
) -> list[dict[str, Any]]:
    """Transfers a reader may see, newest first; `role` incoming/outgoing is from its side.
    Their parties' names are left out (None) here: `name_transfers` adds them to a page."""
    allowed = reader_filter(session, reader, "transfer.read")
    query = sa.select(Transfer).order_by(Transfer.declared_at.desc(), Transfer.id)
    if status:
        query = query.where(Transfer.status == status)
    if role == "incoming":
        query = query.where(Transfer.receiver_id == reader.id)
    elif role == "outgoing":
        query = query.where(Transfer.sender_id == reader.id)
    followers = follow.followers_for(session, reader)
    return [
        transfer_dict(t)
        for t in session.scalars(query)
        if allowed(transfer_resource(t, followers.get(t.id, frozenset())))
    ]
