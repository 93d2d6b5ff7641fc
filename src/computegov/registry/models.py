"""The registry's tables for parties, their keys and tokens, replay and retry bookkeeping,
screening lists and flags. Ledger tables live in `computegov.store.models`."""

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


class Party(Base):
    """A legal person acting in the registry: manufacturer, regulator, cloud provider..."""

    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    legal_name: Mapped[str] = mapped_column(sa.String(300))
    aliases: Mapped[list[str]] = mapped_column(Json, default=list)
    role: Mapped[str] = mapped_column(sa.String(32), index=True)
    country: Mapped[str | None] = mapped_column(sa.String(2))
    hq_country: Mapped[str | None] = mapped_column(sa.String(2))
    parent_id: Mapped[str | None] = mapped_column(sa.String(32), sa.ForeignKey("parties.id"))
    jurisdiction: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(Instant)
    created_by: Mapped[str | None] = mapped_column(sa.String(32))
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class PartyKey(Base):
    """An Ed25519 public key of a party; revoked keys stay for verifying old signatures."""

    __tablename__ = "party_keys"

    key_id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    party_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("parties.id"), index=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(Instant)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant)
    replaced_by: Mapped[str | None] = mapped_column(sa.String(16))
    entry_id: Mapped[str] = mapped_column(sa.String(36))


class ApiToken(Base):
    """A bearer token that authenticates connections of one party; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    party_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("parties.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(Instant)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant)


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


class AuditGrant(Base):
    """A regulator's grant to an auditor to read one resource."""

    __tablename__ = "audit_grants"

    auditor_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("parties.id"), primary_key=True
    )
    resource_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    granted_by: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("parties.id"))
    created_at: Mapped[datetime] = mapped_column(Instant)


class ScreeningEntryRow(Base):
    """One listed party of an imported screening list (CSL format)."""

    __tablename__ = "screening_entries"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    name: Mapped[str] = mapped_column(sa.String(500))
    alt_names: Mapped[list[str]] = mapped_column(Json, default=list)
    addresses: Mapped[list[str]] = mapped_column(Json, default=list)
    source: Mapped[str] = mapped_column(sa.String(300))
    programs: Mapped[list[str]] = mapped_column(Json, default=list)


class Flag(Base):
    """Something a regulator should look at: one model for every kind, with its evidence."""

    __tablename__ = "flags"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(64), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    countries: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(Instant)
