"""The tables of parties: their keys and tokens, auditors' grants and imported screening
lists."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from computegov.registry.tables import Instant, Json
from computegov.store.models import Base


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
    # The share of this party its parent owns, in percent (None: not stated).
    parent_share: Mapped[float | None] = mapped_column(sa.Float, default=None)
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


class AuditGrant(Base):
    """A regulator's grant to an auditor to read one resource."""

    __tablename__ = "audit_grants"

    auditor_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("parties.id"), primary_key=True
    )
    resource_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    granted_by: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("parties.id"))
    created_at: Mapped[datetime] = mapped_column(Instant)


class ScreeningList(Base):
    """A screening list as its owner imported it: the party that imported it owns it, its
    name is unique among that owner's lists, and only the owner replaces or withdraws it."""

    __tablename__ = "screening_lists"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name", name="uq_screening_lists_owner"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    owner_id: Mapped[str] = mapped_column(sa.String(32), sa.ForeignKey("parties.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(16))  # "active" or "withdrawn"
    entries: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(Instant)
    updated_at: Mapped[datetime] = mapped_column(Instant)
    entry_id: Mapped[str] = mapped_column(sa.String(36))  # the last import or withdrawal


class ScreeningEntryRow(Base):
    """One listed party of an imported screening list (CSL format)."""

    __tablename__ = "screening_entries"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("screening_lists.id"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(500))
    alt_names: Mapped[list[str]] = mapped_column(Json, default=list)
    addresses: Mapped[list[str]] = mapped_column(Json, default=list)
    source: Mapped[str] = mapped_column(sa.String(300))
    programs: Mapped[list[str]] = mapped_column(Json, default=list)
