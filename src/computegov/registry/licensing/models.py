"""The table of export licenses issued by regulators and drawn down by transfers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from computegov.registry.tables import Instant, Json, PartyRef
from computegov.store.models import Base


class ExportLicense(Base):
    """An export license a regulator issued; transfers draw it down.

    `jurisdiction` is the one jurisdiction (ISO alpha-2, one of the issuer's) under whose
    instruments it was issued: it counts only for instruments that jurisdiction administers.
    """

    __tablename__ = "export_licenses"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    regulator_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    jurisdiction: Mapped[str] = mapped_column(sa.String(2))
    licensee_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"), index=True)
    consignee_id: Mapped[str] = mapped_column(PartyRef, sa.ForeignKey("parties.id"))
    destination: Mapped[str] = mapped_column(sa.String(2))
    models: Mapped[list[str]] = mapped_column(Json)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    used: Mapped[int] = mapped_column(sa.Integer, default=0)
    issued_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))
