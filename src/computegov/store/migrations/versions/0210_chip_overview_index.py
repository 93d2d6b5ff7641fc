"""An index for the overview's counts by country, status and model; it also serves lookups
by country, so the single-column country index goes.

Revision ID: 0210_chip_overview_index
Revises: 0200_chips
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0210_chip_overview_index"
down_revision: str | None = "0200_chips"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_chips_country_status_model", "chips", ["country", "status", "model"], unique=False
    )
    op.drop_index("ix_chips_country", table_name="chips")


def downgrade() -> None:
    op.create_index("ix_chips_country", "chips", ["country"], unique=False)
    op.drop_index("ix_chips_country_status_model", table_name="chips")
