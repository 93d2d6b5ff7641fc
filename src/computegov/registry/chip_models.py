"""The registry's tables for chips, manifests, sites, export licenses, transfers, custody
history, device-key bindings and refused actions (issue 5). Parties are in `models.py`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from computegov.registry.models import Json
from computegov.store.models import Base
from computegov.store.types import UtcDateTime

Instant = UtcDateTime()
PartyRef = sa.String(32)

#: Chip statuses. `in_transit` is set by a declared transfer and cleared by its completion
#: or cancellation; `lost` and `stolen` are reported by the custodian.
CHIP_STATUSES = ("in_stock", "in_transit", "installed", "decommissioned", "lost", "stolen")


class Manifest(Base):
    """A batch of chips a manufacturer registered: the RFC 9162 root over its rows, signed."""

    __tablename__ = "manifests"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    manufacturer_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    sha256: Mapped[str] = mapped_column(sa.String(64))  # of the manifest's CSV bytes
    root: Mapped[bytes] = mapped_column(sa.LargeBinary)  # RFC 9162 root over the row leaves
    size: Mapped[int] = mapped_column(sa.Integer)
    key_id: Mapped[str] = mapped_column(sa.String(16))  # the manufacturer key that signed
    signature: Mapped[bytes] = mapped_column(sa.LargeBinary)  # Ed25519 over the root
    created_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class Site(Base):
    """A data centre: operator, country, coordinates and declared networking."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    operator_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    networking: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class Chip(Base):
    """One AI chip: identity at manufacture, current custodian, place and status."""

    __tablename__ = "chips"
    __table_args__ = (
        sa.UniqueConstraint("vendor", "serial"),
        # Covers the overview's GROUP BY country, status, model without reading the table.
        sa.Index("ix_chips_country_status_model", "country", "status", "model"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    vendor: Mapped[str] = mapped_column(sa.String(64))
    serial: Mapped[str] = mapped_column(sa.String(128))
    model: Mapped[str] = mapped_column(sa.String(64), index=True)  # catalog model name
    manufactured_on: Mapped[date] = mapped_column(sa.Date)
    fab: Mapped[str] = mapped_column(sa.String(128))
    device_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    device_key_id: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    manufacturer_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    custodian_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    country: Mapped[str] = mapped_column(sa.String(2))  # indexed by ix_chips_country_status_model
    site_id: Mapped[str | None] = mapped_column(sa.String(32), sa.ForeignKey("sites.id"))
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    manifest_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("manifests.id"))
    manifest_index: Mapped[int] = mapped_column(sa.Integer)  # the row's leaf index
    registered_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class ExportLicense(Base):
    """An export license a regulator issued; transfers draw it down."""

    __tablename__ = "export_licenses"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    regulator_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    licensee_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    consignee_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    destination: Mapped[str] = mapped_column(sa.String(2))
    models: Mapped[list[str]] = mapped_column(Json)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    used: Mapped[int] = mapped_column(sa.Integer, default=0)
    issued_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class Transfer(Base):
    """A change of custody (and maybe of country), declared by the custodian, then
    completed by the receiver or cancelled."""

    __tablename__ = "transfers"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    sender_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    receiver_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    origin_country: Mapped[str] = mapped_column(sa.String(2))
    destination_country: Mapped[str] = mapped_column(sa.String(2))
    destination_site_id: Mapped[str | None] = mapped_column(
        sa.String(32), sa.ForeignKey("sites.id")
    )
    license_id: Mapped[str | None] = mapped_column(
        sa.String(32), sa.ForeignKey("export_licenses.id")
    )
    status: Mapped[str] = mapped_column(sa.String(16), index=True)  # pending|completed|cancelled
    chip_count: Mapped[int] = mapped_column(sa.Integer)
    regime: Mapped[dict[str, Any]] = mapped_column(Json)  # the evaluation at receipt time
    declared_at: Mapped[datetime] = mapped_column(Instant)
    closed_at: Mapped[datetime | None] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))
    closing_entry_id: Mapped[str | None] = mapped_column(sa.String(36))


class TransferChip(Base):
    """Which chips a transfer moves."""

    __tablename__ = "transfer_chips"

    transfer_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("transfers.id"), primary_key=True
    )
    chip_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("chips.id"), primary_key=True, index=True
    )


class CustodyEvent(Base):
    """One step in a chip's chain of custody, pointing at the ledger entry that records it.

    kinds: registered, transfer_declared, transfer_completed, transfer_cancelled, installed,
    moved, status_reported, key_bound.
    """

    __tablename__ = "custody_events"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    chip_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("chips.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column(Instant)
    party_id: Mapped[str] = mapped_column(PartyRef)
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class KeyBinding(Base):
    """A request to bind a new device key to a registered chip; a regulator approves it."""

    __tablename__ = "key_bindings"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    chip_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("chips.id"), index=True)
    new_device_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    requested_by: Mapped[str] = mapped_column(PartyRef)
    requested_at: Mapped[datetime] = mapped_column(Instant)
    status: Mapped[str] = mapped_column(sa.String(16))  # pending|approved|rejected
    decided_by: Mapped[str | None] = mapped_column(PartyRef)
    decided_at: Mapped[datetime | None] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class RefusedAction(Base):
    """An action the registry refused (committed on its own after the rollback), so that
    repeated refusals by one party can be flagged."""

    __tablename__ = "refused_actions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    party_id: Mapped[str] = mapped_column(PartyRef, index=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    reason: Mapped[str] = mapped_column(sa.String(64))
    detail: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(Instant)
