"""Export licensing as a process: applications and their review, license terms (value,
status, riders, named parties, validity, end-use period), KYC attestations, test labs'
shipment reports, the chips each license moved, per-shipment evidence on transfers, and
ownership shares on parent links.

Existing licenses become active, with no value limit, valid from their issue, naming no other
party, and a chip's life as their end-use period; existing transfers carry no evidence;
existing parent links state no share.

Revision ID: 0340_license_process
Revises: 0330_screening_flags
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from computegov.store.types import UtcDateTime

revision: str = "0340_license_process"
down_revision: str | None = "0330_screening_flags"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _at(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def upgrade() -> None:
    # Columns are added in place (never a batch rebuild: transfers reference export_licenses,
    # and SQLite would drop and recreate it). Non-null ones carry a server default for the
    # rows already there; PostgreSQL drops it afterwards, SQLite cannot without a rebuild.
    added: list[sa.Column[Any]] = [
        sa.Column("value_usd", sa.BigInteger(), nullable=True),
        sa.Column("used_value_usd", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("status", sa.String(length=16), nullable=False, server_default="active"),
        sa.Column("status_reason", sa.Text(), nullable=True),
        _at("status_changed_at", nullable=True),
        _at("valid_from", nullable=True),
        sa.Column("riders", _JSON, nullable=False, server_default="[]"),
        sa.Column("named_parties", _JSON, nullable=False, server_default="[]"),
        _at("end_use_until", nullable=True),
        sa.Column("application_id", sa.String(length=32), nullable=True),
        sa.Column("instruments", _JSON, nullable=False, server_default="[]"),
    ]
    for added_column in added:
        op.add_column("export_licenses", added_column)
    op.create_index(
        op.f("ix_export_licenses_application_id"), "export_licenses", ["application_id"]
    )
    op.execute("UPDATE export_licenses SET valid_from = issued_at")
    op.add_column("transfers", sa.Column("evidence", _JSON, nullable=False, server_default="{}"))
    op.add_column("parties", sa.Column("parent_share", sa.Float(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        for column in ("used_value_usd", "status", "riders", "named_parties", "instruments"):
            op.alter_column("export_licenses", column, server_default=None)
        op.alter_column("transfers", "evidence", server_default=None)

    op.create_table(
        "license_applications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("applicant_id", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("appealed", sa.Boolean(), nullable=False),
        sa.Column("form", _JSON, nullable=False),
        sa.Column("evaluation", _JSON, nullable=False),
        _at("submitted_at"),
        _at("updated_at"),
        _at("respond_by", nullable=True),
        sa.Column("license_id", sa.String(length=32), nullable=True),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["parties.id"],
            name=op.f("fk_license_applications_applicant_id_parties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_applications")),
    )
    for column in ("applicant_id", "jurisdiction", "status"):
        op.create_index(op.f(f"ix_license_applications_{column}"), "license_applications", [column])

    op.create_table(
        "license_application_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("party_id", sa.String(length=32), nullable=False),
        _at("at"),
        sa.Column("details", _JSON, nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["license_applications.id"],
            name=op.f("fk_license_application_steps_application_id_license_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_application_steps")),
    )
    op.create_index(
        op.f("ix_license_application_steps_application_id"),
        "license_application_steps",
        ["application_id"],
    )

    op.create_table(
        "kyc_attestations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("party_id", sa.String(length=32), nullable=False),
        _at("attested_at"),
        _at("expires_at"),
        sa.Column("statement", _JSON, nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_kyc_attestations_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kyc_attestations")),
    )
    op.create_index(op.f("ix_kyc_attestations_party_id"), "kyc_attestations", ["party_id"])

    op.create_table(
        "lab_reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("lab_id", sa.String(length=32), nullable=False),
        sa.Column("license_id", sa.String(length=32), nullable=True),
        _at("reviewed_at"),
        sa.Column("findings", _JSON, nullable=False),
        sa.Column("chip_count", sa.Integer(), nullable=False),
        _at("created_at"),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["lab_id"], ["parties.id"], name=op.f("fk_lab_reports_lab_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lab_reports")),
    )
    op.create_index(op.f("ix_lab_reports_lab_id"), "lab_reports", ["lab_id"])
    op.create_index(op.f("ix_lab_reports_license_id"), "lab_reports", ["license_id"])

    op.create_table(
        "lab_report_chips",
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("chip_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["lab_reports.id"],
            name=op.f("fk_lab_report_chips_report_id_lab_reports"),
        ),
        sa.PrimaryKeyConstraint("report_id", "chip_id", name=op.f("pk_lab_report_chips")),
    )
    op.create_index(op.f("ix_lab_report_chips_chip_id"), "lab_report_chips", ["chip_id"])

    op.create_table(
        "licensed_chips",
        sa.Column("license_id", sa.String(length=32), nullable=False),
        sa.Column("chip_id", sa.String(length=32), nullable=False),
        sa.Column("transfer_id", sa.String(length=32), nullable=False),
        _at("at"),
        sa.ForeignKeyConstraint(
            ["license_id"],
            ["export_licenses.id"],
            name=op.f("fk_licensed_chips_license_id_export_licenses"),
        ),
        sa.PrimaryKeyConstraint(
            "license_id", "chip_id", "transfer_id", name=op.f("pk_licensed_chips")
        ),
    )
    op.create_index(op.f("ix_licensed_chips_chip_id"), "licensed_chips", ["chip_id"])


def downgrade() -> None:
    for table in (
        "licensed_chips",
        "lab_report_chips",
        "lab_reports",
        "kyc_attestations",
        "license_application_steps",
        "license_applications",
    ):
        op.drop_table(table)
    op.drop_index(op.f("ix_export_licenses_application_id"), table_name="export_licenses")
    for column in (
        "value_usd",
        "used_value_usd",
        "status",
        "status_reason",
        "status_changed_at",
        "valid_from",
        "riders",
        "named_parties",
        "end_use_until",
        "application_id",
        "instruments",
    ):
        op.drop_column("export_licenses", column)
    op.drop_column("transfers", "evidence")
    op.drop_column("parties", "parent_share")
