"""Alembic configured from code, so migrations run from an installed package (no alembic.ini)."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from computegov.store.db import MIGRATION_LOCK, advisory_lock, is_sqlite, writer_engine
from computegov.store.models import Base, load_all_models


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, bound to `connection`."""
    config = Config()
    config.set_main_option("script_location", str(files("computegov.store") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`, one migrator at a time.

    PostgreSQL: under an advisory lock. SQLite: in a transaction that takes the write lock at
    BEGIN, so a second process starting at once reads the version only after the first is done.
    """
    with writer_engine(engine).connect() as conn, advisory_lock(conn, MIGRATION_LOCK):
        if not is_sqlite(conn):
            conn.commit()  # the lock is session-level; migrations run in their own txn
        command.upgrade(alembic_config(conn), revision)
        conn.commit()


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the package ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_differences(engine: sa.Engine) -> list[Any]:
    """What autogenerate would change: empty when the models and the migrations agree."""
    load_all_models()
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": is_sqlite(conn)}
        )
        return list(compare_metadata(context, Base.metadata))
