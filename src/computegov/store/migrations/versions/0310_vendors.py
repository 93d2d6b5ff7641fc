"""Vendor bindings (which manufacturer makes a catalog vendor's chips) and each chip's
assembly site (where it was finished, so where it starts).

Revision ID: 0310_vendors
Revises: 0210_chip_overview_index
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0310_vendors"
down_revision: str | None = "0300_actions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendor_bindings",
        sa.Column("vendor", sa.String(length=64), nullable=False),
        sa.Column("manufacturer_id", sa.String(length=32), nullable=False),
        sa.Column("bound_by", sa.String(length=32), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["bound_by"], ["parties.id"], name=op.f("fk_vendor_bindings_bound_by_parties")
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["parties.id"],
            name=op.f("fk_vendor_bindings_manufacturer_id_parties"),
        ),
        sa.PrimaryKeyConstraint("vendor", name=op.f("pk_vendor_bindings")),
    )
    with op.batch_alter_table("vendor_bindings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vendor_bindings_manufacturer_id"), ["manufacturer_id"], unique=False
        )
    with op.batch_alter_table("chips", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assembly_site", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chips", schema=None) as batch_op:
        batch_op.drop_column("assembly_site")
    with op.batch_alter_table("vendor_bindings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_bindings_manufacturer_id"))
    op.drop_table("vendor_bindings")
