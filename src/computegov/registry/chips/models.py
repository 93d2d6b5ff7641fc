"""The tables of chips: vendor bindings, manifests, chips and device-key bindings."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from computegov.registry.tables import Instant, PartyRef
from computegov.store.models import Base

#: Chip statuses. `in_transit` is set by a declared transfer and cleared by its completion
#: or cancellation; `lost` and `stolen` are reported by the custodian.
CHIP_STATUSES = ("in_stock", "in_transit", "installed", "decommissioned", "lost", "stolen")


class VendorBinding(Base):
    """Which manufacturer party makes a catalog vendor's chips (it and its subsidiaries register
    them); bound by the administrator or a regulator of the vendor's headquarters country."""

    __tablename__ = "vendor_bindings"

    vendor: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # catalog vendor name
    manufacturer_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    bound_by: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    bound_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))


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
    # Final packaging and test, where the chip started; None for chips registered before it.
    assembly_site: Mapped[str | None] = mapped_column(sa.String(128))
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
