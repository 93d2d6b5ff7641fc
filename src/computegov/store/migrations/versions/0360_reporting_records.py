"""Compute reporting's other records: providers' attestations of chip-hours and the
regulators' requests for them, identity attestations (a salted hash, with a retention date)
and requests to see the record, entity facts (revenue, markets), filing packets; and the
full flag workflow (the flagged party, the assignee, what a step carried).

Revision ID: 0360_reporting_records
Revises: 0350_reporting
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from computegov.store.types import UtcDateTime

revision: str = "0360_reporting_records"
down_revision: str | None = "0350_reporting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _at(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _id(name: str = "id", nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length=32), nullable=nullable)


def _entry() -> sa.Column[Any]:
    return sa.Column("entry_id", sa.String(length=36), nullable=False)


def _party_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["parties.id"], name=op.f(f"fk_{table}_{column}_parties")
    )


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.create_table(
        "provider_attestations",
        _id(),
        _id("provider_id"),
        _id("customer_id"),
        _at("period_start"),
        _at("period_end"),
        sa.Column("lines", _JSON, nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        _id("request_id", nullable=True),
        _id("supersedes_id", nullable=True),
        _id("superseded_by_id", nullable=True),
        sa.Column("jurisdictions", _JSON, nullable=False),
        _at("created_at"),
        _entry(),
        _party_fk("provider_attestations", "provider_id"),
        _party_fk("provider_attestations", "customer_id"),
        _pk("provider_attestations"),
    )
    _indexes("provider_attestations", "provider_id", "customer_id", "superseded_by_id")

    op.create_table(
        "attestation_requests",
        _id(),
        _id("regulator_id"),
        _id("provider_id"),
        _id("customer_id"),
        _at("period_start"),
        _at("period_end"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _id("attestation_id", nullable=True),
        sa.Column("countries", _JSON, nullable=False),
        _at("created_at"),
        _entry(),
        _party_fk("attestation_requests", "regulator_id"),
        _party_fk("attestation_requests", "provider_id"),
        _party_fk("attestation_requests", "customer_id"),
        _pk("attestation_requests"),
    )
    _indexes("attestation_requests", "provider_id")

    op.create_table(
        "identity_attestations",
        _id(),
        _id("provider_id"),
        sa.Column("customer_ref", sa.String(length=128), nullable=True),
        sa.Column("record_hash", sa.String(length=128), nullable=True),
        sa.Column("customer_country", sa.String(length=2), nullable=True),
        _at("verified_on"),
        _at("retain_until"),
        _at("erased_at", nullable=True),
        sa.Column("jurisdictions", _JSON, nullable=False),
        _at("created_at"),
        _entry(),
        _party_fk("identity_attestations", "provider_id"),
        _pk("identity_attestations"),
    )
    _indexes("identity_attestations", "provider_id", "retain_until")

    op.create_table(
        "identity_requests",
        _id(),
        _id("attestation_id"),
        _id("regulator_id"),
        _id("provider_id"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        _at("created_at"),
        _at("answered_at", nullable=True),
        _entry(),
        sa.ForeignKeyConstraint(
            ["attestation_id"],
            ["identity_attestations.id"],
            name=op.f("fk_identity_requests_attestation_id_identity_attestations"),
        ),
        _party_fk("identity_requests", "regulator_id"),
        _party_fk("identity_requests", "provider_id"),
        _pk("identity_requests"),
    )
    _indexes("identity_requests", "attestation_id", "provider_id")

    op.create_table(
        "entity_facts",
        _id(),
        _id("party_id"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("revenue_usd", sa.Float(), nullable=True),
        sa.Column("markets", _JSON, nullable=False),
        sa.Column("jurisdictions", _JSON, nullable=False),
        _at("reported_at"),
        _entry(),
        _party_fk("entity_facts", "party_id"),
        _pk("entity_facts"),
    )
    _indexes("entity_facts", "party_id")

    op.create_table(
        "filings",
        _id(),
        _id("model_id"),
        _id("filer_id"),
        sa.Column("obligation_id", sa.String(length=64), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("authority", sa.Text(), nullable=False),
        _at("deadline", nullable=True),
        sa.Column("packet", _JSON, nullable=False),
        sa.Column("packet_sha256", sa.String(length=64), nullable=False),
        sa.Column("jurisdictions", _JSON, nullable=False),
        _at("created_at"),
        _entry(),
        sa.ForeignKeyConstraint(
            ["model_id"], ["reported_models.id"], name=op.f("fk_filings_model_id_reported_models")
        ),
        _party_fk("filings", "filer_id"),
        _pk("filings"),
    )
    _indexes("filings", "model_id", "filer_id")

    with op.batch_alter_table("flags") as batch:
        batch.add_column(sa.Column("party_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("assignee_id", sa.String(length=32), nullable=True))
        batch.create_index(batch.f("ix_flags_party_id"), ["party_id"])
    with op.batch_alter_table("flag_events") as batch:
        batch.add_column(sa.Column("details", _JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flag_events") as batch:
        batch.drop_column("details")
    with op.batch_alter_table("flags") as batch:
        batch.drop_index(batch.f("ix_flags_party_id"))
        batch.drop_column("assignee_id")
        batch.drop_column("party_id")
    for table in (
        "filings",
        "entity_facts",
        "identity_requests",
        "identity_attestations",
        "attestation_requests",
        "provider_attestations",
    ):
        op.drop_table(table)
