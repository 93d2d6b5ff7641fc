"""Compute reporting: the models AI developers report (provider of record, EU representative,
parent model, markets, addressed jurisdictions) and the training-run reports of each stage,
with the registry's assessment on receipt.

Revision ID: 0350_reporting
Revises: 0340_license_process
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from computegov.store.types import UtcDateTime

revision: str = "0350_reporting"
down_revision: str | None = "0340_license_process"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _at(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _party_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["parties.id"], name=op.f(f"fk_{table}_{column}_parties")
    )


def upgrade() -> None:
    op.create_table(
        "reported_models",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("developer_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("provider_id", sa.String(length=32), nullable=False),
        sa.Column("eu_representative_id", sa.String(length=32), nullable=True),
        sa.Column("parent_id", sa.String(length=32), nullable=True),
        sa.Column("markets", _JSON, nullable=False),
        sa.Column("jurisdictions", _JSON, nullable=False),
        sa.Column("details", _JSON, nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        _party_fk("reported_models", "developer_id"),
        _party_fk("reported_models", "provider_id"),
        _party_fk("reported_models", "eu_representative_id"),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["reported_models.id"],
            name=op.f("fk_reported_models_parent_id_reported_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reported_models")),
    )
    for column in ("developer_id", "parent_id"):
        op.create_index(op.f(f"ix_reported_models_{column}"), "reported_models", [column])

    op.create_table(
        "training_run_reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("model_id", sa.String(length=32), nullable=False),
        sa.Column("developer_id", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("stage_kind", sa.String(length=32), nullable=False),
        sa.Column("report_kind", sa.String(length=16), nullable=False),
        sa.Column("supersedes_id", sa.String(length=32), nullable=True),
        sa.Column("superseded_by_id", sa.String(length=32), nullable=True),
        _at("started_at"),
        _at("ended_at", nullable=True),
        sa.Column("declared_flop", sa.Float(), nullable=False),
        sa.Column("bio", sa.Boolean(), nullable=False),
        sa.Column("run", _JSON, nullable=False),
        sa.Column("compute_used", _JSON, nullable=False),
        sa.Column("assessment", _JSON, nullable=False),
        sa.Column("jurisdictions", _JSON, nullable=False),
        _at("reported_at"),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        _party_fk("training_run_reports", "developer_id"),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["reported_models.id"],
            name=op.f("fk_training_run_reports_model_id_reported_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_run_reports")),
    )
    for column in ("model_id", "developer_id", "superseded_by_id"):
        op.create_index(op.f(f"ix_training_run_reports_{column}"), "training_run_reports", [column])


def downgrade() -> None:
    op.drop_table("training_run_reports")
    op.drop_table("reported_models")
