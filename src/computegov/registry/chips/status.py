"""Chip status reports and device-key binding: custody actions on registered chips.

The custodian reports a chip lost, stolen or decommissioned (lost and stolen raise a flag for
regulators) and asks to bind a new device key; a regulator of the chip's country decides.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import Field, field_validator

from computegov.errors import Conflict, NotFound
from computegov.identity.keys import decode_public_key, encode_public_key, key_id
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.chips.models import Chip, KeyBinding
from computegov.registry.chips.service import ChipRef, chip_dict, chip_resource, find_chip
from computegov.registry.custody.models import CustodyEvent
from computegov.registry.flags.service import open_flag
from computegov.registry.ids import new_id

REPORTABLE = ("lost", "stolen", "decommissioned")
#: status -> the statuses its custodian may report from it
REPORT_FROM: dict[str, tuple[str, ...]] = {
    "in_stock": REPORTABLE,
    "installed": REPORTABLE,
    "lost": ("stolen", "decommissioned"),
    "stolen": ("lost", "decommissioned"),
}


class StatusReport(Body):
    chip: str | ChipRef
    status: str
    note: str = Field(default="", max_length=2000)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in REPORTABLE:
            raise ValueError(f"status must be one of {', '.join(REPORTABLE)}")
        return value


class KeyRequest(Body):
    chip: str | ChipRef
    device_public_key: str


class KeyDecision(Body):
    binding_id: str = Field(min_length=1, max_length=32)
    approve: bool = True


def _custody_check(ctx: ActionContext, chip: Chip, action: str) -> None:
    ctx.authorize(action, chip_resource(chip, custody=True))
    if chip.status == "in_transit":
        raise Conflict(
            f"chip {chip.id} is in transit; its receiver confirms or its sender cancels the "
            "transfer first",
            reason="in_transit",
        )


def _event(ctx: ActionContext, chip: Chip, kind: str, details: dict[str, Any]) -> CustodyEvent:
    event = CustodyEvent(
        chip_id=chip.id,
        kind=kind,
        at=ctx.now,
        party_id=ctx.party.id,
        details=details,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(event)
    return event


def report_status(ctx: ActionContext) -> ActionResult:
    """The custodian reports a chip lost, stolen or decommissioned; lost and stolen raise a
    `lost_or_stolen` flag for regulators."""
    body = parse_body(StatusReport, ctx.body)
    chip = find_chip(ctx.session, body.chip)
    _custody_check(ctx, chip, "chip.report")
    allowed = REPORT_FROM.get(chip.status, ())
    if body.status not in allowed:
        raise Conflict(
            f"chip {chip.id} is {chip.status}; from {chip.status} its custodian may report "
            f"{', '.join(allowed) or 'nothing more'}",
            reason="bad_status_change",
        )
    previous, chip.status = chip.status, body.status
    event = _event(
        ctx, chip, "status_reported", {"from": previous, "to": body.status, "note": body.note}
    )
    flags = []
    if body.status in ("lost", "stolen"):
        flag = open_flag(
            ctx.session,
            "lost_or_stolen",
            ("chip", chip.id),
            {
                "chip": chip.id,
                "vendor": chip.vendor,
                "serial": chip.serial,
                "model": chip.model,
                "status": body.status,
                "previous_status": previous,
                "reported_by": ctx.party.id,
                "reported_at": to_wire(ctx.now),
                "country": chip.country,
                "site_id": chip.site_id,
                "note": body.note,
            },
            [chip.country],
            ctx.now,
            party_id=chip.custodian_id,  # the holder answers for the chip it reported
        )
        flags.append(flag.id)
    ctx.session.flush()
    return ActionResult(
        {"chip": chip_dict(chip), "flags": flags},
        200,
        [chip.custodian_id, chip.manufacturer_id],
        [chip.country],
        [event],
    )


def binding_dict(row: KeyBinding) -> dict[str, Any]:
    return {
        "id": row.id,
        "chip_id": row.chip_id,
        "new_device_key": encode_public_key(row.new_device_key),
        "requested_by": row.requested_by,
        "requested_at": to_wire(row.requested_at),
        "status": row.status,
        "decided_by": row.decided_by,
        "decided_at": to_wire(row.decided_at) if row.decided_at else None,
        "entry_id": row.entry_id,
    }


def request_key(ctx: ActionContext) -> ActionResult:
    """The custodian asks to bind a new device key to a chip; a regulator decides."""
    body = parse_body(KeyRequest, ctx.body)
    chip = find_chip(ctx.session, body.chip)
    _custody_check(ctx, chip, "chip.key.request")
    raw = decode_public_key(body.device_public_key, what="device key")
    holder = ctx.session.scalars(
        sa.select(Chip.id).where(Chip.device_key_id == key_id(raw))
    ).first()
    if holder is not None:
        raise Conflict(f"device key {key_id(raw)} is bound to chip {holder}", reason="key_taken")
    pending = ctx.session.scalars(
        sa.select(KeyBinding.id).where(
            KeyBinding.chip_id == chip.id, KeyBinding.status == "pending"
        )
    ).first()
    if pending is not None:
        raise Conflict(
            f"chip {chip.id} already has a pending key binding {pending}", reason="pending"
        )
    row = KeyBinding(
        id=new_id("kbd"),
        chip_id=chip.id,
        new_device_key=raw,
        requested_by=ctx.party.id,
        requested_at=ctx.now,
        status="pending",
        entry_id=ctx.entry_id,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return ActionResult(
        {"binding": binding_dict(row)}, 201, [chip.custodian_id], [chip.country], [row]
    )


def decide_key(ctx: ActionContext) -> ActionResult:
    """A regulator of the chip's country approves (or rejects) a pending key binding."""
    body = parse_body(KeyDecision, ctx.body)
    row = ctx.session.get(KeyBinding, body.binding_id)
    if row is None:
        raise NotFound(f"no key binding {body.binding_id!r}")
    chip = ctx.session.get(Chip, row.chip_id)
    assert chip is not None
    ctx.authorize("chip.key.approve", chip_resource(chip))
    if row.status != "pending":
        raise Conflict(f"key binding {row.id} was already {row.status}", reason="decided")
    row.status = "approved" if body.approve else "rejected"
    row.decided_by, row.decided_at = ctx.party.id, ctx.now
    stamp: list[Any] = []
    if body.approve:
        taken = ctx.session.scalars(
            sa.select(Chip.id).where(Chip.device_key_id == key_id(row.new_device_key))
        ).first()
        if taken is not None:
            raise Conflict(f"the key is bound to chip {taken} since the request", reason="taken")
        old = chip.device_key
        chip.device_key, chip.device_key_id = row.new_device_key, key_id(row.new_device_key)
        stamp.append(
            _event(
                ctx,
                chip,
                "key_bound",
                {
                    "binding_id": row.id,
                    "old_device_key": encode_public_key(old) if old else None,
                    "new_device_key": encode_public_key(row.new_device_key),
                    "requested_by": row.requested_by,
                },
            )
        )
    ctx.session.flush()
    return ActionResult(
        {"binding": binding_dict(row), "chip": chip_dict(chip)},
        200,
        [chip.custodian_id, row.requested_by],
        [chip.country],
        stamp,
    )
