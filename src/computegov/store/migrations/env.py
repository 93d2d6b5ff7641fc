"""Alembic environment: always handed a live connection by `computegov.store.migrate`."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from computegov.store.models import Base, load_all_models

load_all_models()

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, sa.Connection):
    raise RuntimeError("run migrations through computegov.store.migrate (computegov db upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
