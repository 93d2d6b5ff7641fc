"""The tables of custody: sites, transfers and each chip's custody history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from computegov.registry.tables import Instant, Json, PartyRef
from computegov.store.models import Base


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
    # Per-shipment evidence of a transfer under a license: export filing reference,
    # destination control statement, lab report ids ({} when none was given).
    evidence: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class TransferChip(Base):
    """Which chips a transfer moves."""

    __tablename__ = "transfer_chips"

    transfer_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("transfers.id"), primary_key=True
    )
    chip_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("chips.id"), primary_key=True, index=True
    )


class TransferLicense(Base):
    """A license a transfer cites and how many of its chips the transfer drew from it (given
    back if the transfer is cancelled). `Transfer.license_id` keeps the first one."""

    __tablename__ = "transfer_licenses"

    transfer_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("transfers.id"), primary_key=True
    )
    license_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("export_licenses.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer)
    chips: Mapped[int] = mapped_column(sa.Integer)


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
