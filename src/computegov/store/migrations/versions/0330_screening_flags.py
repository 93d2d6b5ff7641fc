"""Screening lists have owners, and flags have a workflow with a history.

`screening_lists` records each list with the party that imported it (name unique per
owner); `screening_entries.list_id` now names such a list. Lists imported before this
revision were keyed by name alone: each becomes a list owned by the party whose key signed
the last `screening.import` of that name in the ledger (read, never rewritten), or the
administrator where none is found. Their open `screening_match` flags are attributed to the
list holding the matched entry (`flags.source_id`); a flag whose entry is on no list any more
keeps no source, refuses nothing, and stays for a regulator to close. `flag_events` keeps
every step of a flag's workflow.

Revision ID: 0330_screening_flags
Revises: 0210_chip_overview_index
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from computegov.store.types import UtcDateTime

revision: str = "0330_screening_flags"
down_revision: str | None = "0320_licensing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "screening_lists",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["parties.id"], name=op.f("fk_screening_lists_owner_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_lists")),
        sa.UniqueConstraint("owner_id", "name", name="uq_screening_lists_owner"),
    )
    with op.batch_alter_table("screening_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_lists_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "flag_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("flag_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flags.id"], name=op.f("fk_flag_events_flag_id_flags")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_events")),
    )
    with op.batch_alter_table("flag_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_events_flag_id"), ["flag_id"], unique=False)

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_flags_source_id"), ["source_id"], unique=False)

    _own_legacy_lists()

    with op.batch_alter_table("screening_entries", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_screening_entries_list_id_screening_lists"),
            "screening_lists",
            ["list_id"],
            ["id"],
        )


def _own_legacy_lists() -> None:
    """Give every list imported before this revision its owner, and its flags their list."""
    conn = op.get_bind()
    names = [
        row[0] for row in conn.execute(sa.text("SELECT DISTINCT list_id FROM screening_entries"))
    ]
    if not names:
        return
    entries = sa.table(
        "ledger_entries",
        sa.column("seq", sa.Integer()),
        sa.column("type", sa.String()),
        sa.column("actor", sa.String()),
        sa.column("record", sa.Text()),
        sa.column("received_at", UtcDateTime()),
    )
    keys: dict[str, str] = {
        str(k): str(p) for k, p in conn.execute(sa.text("SELECT key_id, party_id FROM party_keys"))
    }
    admin = conn.execute(
        sa.text("SELECT id FROM parties WHERE role = 'administrator' ORDER BY created_at")
    ).scalar()
    imported: dict[str, tuple[str | None, datetime, datetime]] = {}
    for _, actor, record, at in conn.execute(
        sa.select(entries.c.seq, entries.c.actor, entries.c.record, entries.c.received_at)
        .where(entries.c.type == "screening.import")
        .order_by(entries.c.seq)
    ):
        name = _imported_name(record)
        if name is None:
            continue
        first = imported[name][1] if name in imported else at
        imported[name] = (keys.get(actor), first, at)
    lists = sa.table(
        "screening_lists",
        sa.column("id", sa.String()),
        sa.column("owner_id", sa.String()),
        sa.column("name", sa.String()),
        sa.column("status", sa.String()),
        sa.column("entries", sa.Integer()),
        sa.column("sha256", sa.String()),
        sa.column("created_at", UtcDateTime()),
        sa.column("updated_at", UtcDateTime()),
        sa.column("entry_id", sa.String()),
    )
    now = datetime.now(UTC)
    by_entry: dict[str, str] = {}
    for name in sorted(names):
        owner, created, updated = imported.get(name, (None, now, now))
        owner = owner or admin
        if owner is None:
            raise RuntimeError(f"screening list {name!r} has no importer and no administrator")
        list_id = f"scl_{secrets.token_hex(8)}"
        count = conn.execute(
            sa.text("SELECT COUNT(*) FROM screening_entries WHERE list_id = :n"), {"n": name}
        ).scalar_one()
        conn.execute(
            lists.insert().values(
                id=list_id,
                owner_id=owner,
                name=name[:100],
                status="active",
                entries=count,
                sha256="",
                created_at=created,
                updated_at=updated,
                entry_id="",
            )
        )
        for (entry_name,) in conn.execute(
            sa.text("SELECT name FROM screening_entries WHERE list_id = :n ORDER BY id"),
            {"n": name},
        ):
            by_entry.setdefault(entry_name, list_id)
        conn.execute(
            sa.text("UPDATE screening_entries SET list_id = :id WHERE list_id = :n"),
            {"id": list_id, "n": name},
        )
    flags = conn.execute(
        sa.text("SELECT id, evidence FROM flags WHERE kind = 'screening_match'")
    ).all()
    for flag_id, evidence in flags:
        data = json.loads(evidence) if isinstance(evidence, str) else evidence
        source = by_entry.get(str((data or {}).get("entry", {}).get("name", "")))
        if source is not None:
            conn.execute(
                sa.text("UPDATE flags SET source_id = :s WHERE id = :id"),
                {"s": source, "id": flag_id},
            )


def _imported_name(record: str) -> str | None:
    try:
        data: Any = json.loads(record)
        name = data["envelope"]["envelope"]["body"]["name"]
    except (ValueError, KeyError, TypeError):
        return None
    return name if isinstance(name, str) else None


def downgrade() -> None:
    with op.batch_alter_table("screening_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_screening_entries_list_id_screening_lists"), type_="foreignkey"
        )
    conn = op.get_bind()
    for list_id, name in conn.execute(sa.text("SELECT id, name FROM screening_lists")).all():
        conn.execute(
            sa.text("UPDATE screening_entries SET list_id = :n WHERE list_id = :id"),
            {"n": name[:32], "id": list_id},
        )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flags_source_id"))
        batch_op.drop_column("updated_at")
        batch_op.drop_column("source_id")
    with op.batch_alter_table("flag_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_events_flag_id"))
    op.drop_table("flag_events")
    with op.batch_alter_table("screening_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_lists_owner_id"))
    op.drop_table("screening_lists")
