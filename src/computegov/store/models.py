"""The ledger's tables. Rows of entries, sequence, tiles and checkpoints are never rewritten,
except the partial tiles at the right edge of the tree and the shrinking pending queue."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: 64-bit integer keys; on SQLite the 32-bit INTEGER spelling is what makes a rowid alias.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every computegov table (shared naming convention)."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


#: Modules whose tables share `Base.metadata` with the ledger's; migrations compare them all.
MODEL_MODULES = (
    "computegov.registry.tables",
    "computegov.registry.parties.models",
    "computegov.registry.flags.models",
    "computegov.registry.chips.models",
    "computegov.registry.custody.models",
    "computegov.registry.licensing.models",
    "computegov.registry.reporting.models",
)


def load_all_models() -> None:
    """Import every module that defines tables, so `Base.metadata` knows them all."""
    import importlib

    for name in MODEL_MODULES:
        importlib.import_module(name)


class Genesis(Base):
    """The first row of a deployment: which log this database holds and which key signs it."""

    __tablename__ = "ledger_genesis"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    origin: Mapped[str] = mapped_column(sa.String(255))
    verifier_key: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class LedgerEntry(Base):
    """One appended entry: its public leaf and the private record and salt that open it.

    `seq` only orders pending entries for the integrator; it is not the log index.
    """

    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    v: Mapped[int] = mapped_column(sa.Integer)
    actor: Mapped[str] = mapped_column(sa.String(255))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    leaf: Mapped[bytes] = mapped_column(sa.LargeBinary)
    record: Mapped[str] = mapped_column(sa.Text)  # JSON of the committed record
    salt: Mapped[bytes] = mapped_column(sa.LargeBinary)


class PendingEntry(Base):
    """An entry committed but not yet given an index; the integrator drains this queue."""

    __tablename__ = "ledger_pending"

    seq: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("ledger_entries.seq"), primary_key=True, autoincrement=False
    )


class SequencedEntry(Base):
    """The integrated sequence: log index -> entry, contiguous from 0."""

    __tablename__ = "ledger_sequence"

    log_index: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigId, sa.ForeignKey("ledger_entries.seq"), unique=True)


class Tile(Base):
    """A C2SP tlog-tiles hash tile: up to 256 concatenated 32-byte hashes."""

    __tablename__ = "ledger_tiles"

    level: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    tile_index: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    hashes: Mapped[bytes] = mapped_column(sa.LargeBinary)


class CheckpointRow(Base):
    """A signed checkpoint; one per tree size, so the log cannot sign two roots for a size."""

    __tablename__ = "ledger_checkpoints"

    size: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(sa.LargeBinary)
    note: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
