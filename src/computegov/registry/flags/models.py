"""The one flag model: something a regulator should look at, with its evidence and history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from computegov.registry.tables import Instant, Json
from computegov.store.models import Base


class Flag(Base):
    """Something a regulator should look at: one model for every kind, with its evidence.

    `status` is a state of `registry.flags.workflow`; every change of it is a `FlagEvent`.
    `source_id` names what raised the flag where that is a record of its own (the screening
    list of a `screening_match`).
    """

    __tablename__ = "flags"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(64), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    countries: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(Instant)
    source_id: Mapped[str | None] = mapped_column(sa.String(32), index=True, default=None)
    updated_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    #: The flagged party (who may read its own flag and dispute it); None where a flag is
    #: about no one party (raised before this column existed, or on a record alone).
    party_id: Mapped[str | None] = mapped_column(sa.String(32), index=True, default=None)
    #: The official the flag is assigned to (`flag.assign`).
    assignee_id: Mapped[str | None] = mapped_column(sa.String(32), default=None)


class FlagEvent(Base):
    """One step of a flag's workflow: who moved it from which state to which, why and when,
    and the ledger entry of the signed action that did it."""

    __tablename__ = "flag_events"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    flag_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("flags.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    from_status: Mapped[str] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[str] = mapped_column(sa.String(32))
    reason: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))
    #: What the step carried besides its reason: a dispute's evidence, an assignee.
    details: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
