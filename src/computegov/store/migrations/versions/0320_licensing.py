"""A license counts only for its jurisdiction's instruments; a transfer may cite several.

`export_licenses.jurisdiction` names the jurisdiction a license was issued under. Licenses
issued before it were issued by a regulator for an exporter in or headquartered in its
jurisdiction, so each gets the first of the licensee's country and headquarters country that
its issuer's jurisdiction holds (else the issuer's first country). `transfer_licenses` holds
every license a transfer cites with the chips drawn from it; each transfer that cited a
license gets its one row (all its chips).

Revision ID: 0320_licensing
Revises: 0210_chip_overview_index
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0320_licensing"
down_revision: str | None = "0310_vendors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

_parties = sa.table(
    "parties",
    sa.column("id", sa.String),
    sa.column("country", sa.String),
    sa.column("hq_country", sa.String),
    sa.column("jurisdiction", _JSON),
)
_licenses = sa.table(
    "export_licenses",
    sa.column("id", sa.String),
    sa.column("regulator_id", sa.String),
    sa.column("licensee_id", sa.String),
    sa.column("jurisdiction", sa.String),
)
_transfers = sa.table(
    "transfers",
    sa.column("id", sa.String),
    sa.column("license_id", sa.String),
    sa.column("chip_count", sa.Integer),
)
_transfer_licenses = sa.table(
    "transfer_licenses",
    sa.column("transfer_id", sa.String),
    sa.column("license_id", sa.String),
    sa.column("position", sa.Integer),
    sa.column("chips", sa.Integer),
)


def _issued_under(issuer: list[str], licensee: Any) -> str:
    for country in (licensee.country, licensee.hq_country):
        if country and country in issuer:
            return str(country)
    return issuer[0] if issuer else "ZZ"


def upgrade() -> None:
    # Added in place with a default, not rebuilt: on SQLite, batch mode would drop and recreate
    # export_licenses, which transfers reference (foreign keys are on). The default '' names no
    # jurisdiction, so a row that somehow kept it would count for no instrument; PostgreSQL
    # drops it below, SQLite cannot without the rebuild.
    op.add_column(
        "export_licenses",
        sa.Column("jurisdiction", sa.String(length=2), nullable=False, server_default=""),
    )
    conn = op.get_bind()
    parties = {row.id: row for row in conn.execute(sa.select(_parties))}
    for lic in conn.execute(sa.select(_licenses)).all():
        issuer = list(parties[lic.regulator_id].jurisdiction or [])
        conn.execute(
            sa.update(_licenses)
            .where(_licenses.c.id == lic.id)
            .values(jurisdiction=_issued_under(issuer, parties[lic.licensee_id]))
        )
    if conn.dialect.name != "sqlite":
        op.alter_column("export_licenses", "jurisdiction", server_default=None)

    op.create_table(
        "transfer_licenses",
        sa.Column("transfer_id", sa.String(length=32), nullable=False),
        sa.Column("license_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("chips", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["license_id"],
            ["export_licenses.id"],
            name=op.f("fk_transfer_licenses_license_id_export_licenses"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name=op.f("fk_transfer_licenses_transfer_id_transfers"),
        ),
        sa.PrimaryKeyConstraint("transfer_id", "license_id", name=op.f("pk_transfer_licenses")),
    )
    with op.batch_alter_table("transfer_licenses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfer_licenses_license_id"), ["license_id"], unique=False
        )
    cited = conn.execute(
        sa.select(_transfers.c.id, _transfers.c.license_id, _transfers.c.chip_count).where(
            _transfers.c.license_id.is_not(None)
        )
    ).all()
    if cited:
        conn.execute(
            sa.insert(_transfer_licenses),
            [
                {
                    "transfer_id": t.id,
                    "license_id": t.license_id,
                    "position": 0,
                    "chips": t.chip_count,
                }
                for t in cited
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("transfer_licenses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_licenses_license_id"))
    op.drop_table("transfer_licenses")
    with op.batch_alter_table("export_licenses", schema=None) as batch_op:
        batch_op.drop_column("jurisdiction")  # SQLite rebuilds it: foreign keys off if referenced
