"""A fresh store for one benchmark run: a SQLite file, or a PostgreSQL scratch database that
is dropped afterwards (server from COMPUTEGOV_BENCH_POSTGRES_URL, default 127.0.0.1:5432)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from computegov.store import Settings, Store, open_store

# A benchmark measures the registry, not the servers' limits: every store it opens sets rates
# no run reaches and bodies as large as a run sends, explicitly (the defaults would throttle a
# benchmark that drives a server over HTTP).
UNTHROTTLED: dict[str, object] = {
    "rate_limit_token": "1000000/second",
    "rate_limit_address": "1000000/second",
    "rate_limit_tokenless": "1000000/second",
    "rate_limit_device": "1000000/second",
    "manifest_body_limit_bytes": 1024 * 1024 * 1024,
}

PG_ADMIN = os.environ.get(
    "COMPUTEGOV_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def scratch_store(engine: str, workdir: Path) -> Iterator[Store]:
    """A new store on `engine` ("sqlite" or "postgresql") for the length of the block."""
    data = workdir / f"{engine}-{uuid.uuid4().hex[:8]}"
    if engine == "sqlite":
        store = open_store(Settings(data_dir=data, **UNTHROTTLED))
        try:
            yield store
        finally:
            store.close()
        return
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"computegov_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        store = open_store(Settings(data_dir=data, database_url=url, **UNTHROTTLED))
        try:
            yield store
        finally:
            store.close()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
