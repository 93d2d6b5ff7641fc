"""Undoing a pending transfer: its chips go back to the sender as they were, and each license
it drew on gets back the chips and the value the transfer drew from it.

Two paths cancel a transfer: its sender (`transfer.cancel`), and a regulator who suspends or
revokes a license it cites (`license.suspend`, `license.revoke`): a transfer declared under
that license and not yet confirmed can no longer be confirmed. Both take `release`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.registry.actions import ActionContext
from computegov.registry.chips.models import Chip
from computegov.registry.custody.common import add_events
from computegov.registry.custody.models import CustodyEvent, Transfer, TransferChip, TransferLicense
from computegov.registry.licensing import follow
from computegov.registry.licensing.models import ExportLicense


class ClosingStamp:
    """Takes the closing entry's id from `perform` and keeps it on the transfer."""

    def __init__(self, transfer: Transfer) -> None:
        self.transfer = transfer

    @property
    def entry_id(self) -> str | None:
        return self.transfer.closing_entry_id

    @entry_id.setter
    def entry_id(self, value: str) -> None:
        self.transfer.closing_entry_id = value


def transfer_chips(session: Session, transfer: Transfer) -> list[Chip]:
    """The chips a transfer moves, as rows, by id."""
    return list(
        session.scalars(
            sa.select(Chip)
            .join(TransferChip, TransferChip.chip_id == Chip.id)
            .where(TransferChip.transfer_id == transfer.id)
            .order_by(Chip.id)
        )
    )


def drawn_values(transfer: Transfer) -> dict[str, int]:
    """The value in US dollars the transfer drew from each license (kept in its regime)."""
    return {
        str(lic["license_id"]): int(lic.get("value_usd") or 0)
        for lic in (transfer.regime or {}).get("licenses", [])
    }


def close(
    ctx: ActionContext,
    transfer: Transfer,
    status: str,
    kind: str,
    chips: list[Chip],
    details: dict[str, Any],
) -> list[Any]:
    """Close a transfer now, by this action, with one custody event per chip; the rows the
    action's entry stamps."""
    transfer.status = status
    transfer.closed_at = ctx.now
    transfer.closing_entry_id = ctx.entry_id or None
    events = add_events(
        ctx.session, chips, kind, ctx.party.id, ctx.now, {"transfer_id": transfer.id, **details}
    )
    return [ClosingStamp(transfer), *events]


def release(
    ctx: ActionContext, transfer: Transfer, details: dict[str, Any]
) -> tuple[list[Chip], list[Any]]:
    """Cancel a pending transfer: chips back to their status before it was declared, licenses
    given back what it drew (chips and value), the transfer closed as cancelled with
    `details` on each chip's `transfer_cancelled` event. Returns its chips and the rows to
    stamp with the action's entry."""
    chips = transfer_chips(ctx.session, transfer)
    previous = {
        event.chip_id: (event.details or {}).get("previous_status", "in_stock")
        for event in ctx.session.scalars(
            sa.select(CustodyEvent)
            .where(
                CustodyEvent.kind == "transfer_declared",
                CustodyEvent.chip_id.in_([c.id for c in chips]),
            )
            .order_by(CustodyEvent.id)
        )
        if (event.details or {}).get("transfer_id") == transfer.id
    }
    for chip in chips:
        chip.status = previous.get(chip.id, "in_stock")
    values = drawn_values(transfer)
    drawn = ctx.session.scalars(
        sa.select(TransferLicense)
        .where(TransferLicense.transfer_id == transfer.id)
        .order_by(TransferLicense.license_id)
    ).all()
    for row in drawn:
        ctx.session.execute(
            sa.update(ExportLicense)
            .where(ExportLicense.id == row.license_id)
            .values(
                used=ExportLicense.used - row.chips,
                used_value_usd=ExportLicense.used_value_usd - values.get(row.license_id, 0),
            )
            .execution_options(synchronize_session=False)
        )
    follow.forget_transfer(ctx.session, transfer.id)  # its chips never moved under the licenses
    stamps = close(ctx, transfer, "cancelled", "transfer_cancelled", chips, details)
    return chips, stamps


def pending_under(session: Session, license_id: str) -> list[Transfer]:
    """The pending transfers that cite a license, oldest first, their rows locked: one that a
    concurrent confirmation or cancellation closed first is not pending any more (PostgreSQL
    re-reads the row once the other commits) and is left alone."""
    return list(
        session.scalars(
            sa.select(Transfer)
            .join(TransferLicense, TransferLicense.transfer_id == Transfer.id)
            .where(TransferLicense.license_id == license_id, Transfer.status == "pending")
            .order_by(Transfer.declared_at, Transfer.id)
            .with_for_update(of=Transfer)
        )
    )
