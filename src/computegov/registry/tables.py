"""What every concept's tables share: column types, and the action pipeline's own tables
(used nonces, idempotent results, refused actions). Ledger tables live in
`computegov.store.models`; each concept keeps its tables in its own `models.py`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from computegov.store.models import Base
from computegov.store.types import UtcDateTime

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Instant = UtcDateTime()
PartyRef = sa.String(32)


class UsedNonce(Base):
    """Every envelope nonce accepted, per key, so a replayed envelope is refused."""

    __tablename__ = "used_nonces"

    key_id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    nonce: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(Instant)


class IdempotentResult(Base):
    """The first response to a request with an Idempotency-Key, returned again on retry."""

    __tablename__ = "idempotent_results"

    party_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int] = mapped_column(sa.Integer)
    body: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(Instant)


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
