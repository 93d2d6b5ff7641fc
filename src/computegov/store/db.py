"""One engine and its session factories, with SQLite made to behave like a real database.

pysqlite's own transaction handling defers `BEGIN` and cannot take the write lock up front;
we switch it off and emit `BEGIN` ourselves, so a connection (or a whole engine) with the
execution option `sqlite_begin="IMMEDIATE"` starts with the write lock held. The integrator
uses that: on SQLite it is the single writer for the length of its transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000

#: The key of PostgreSQL advisory locks that serialise migrations and integration.
MIGRATION_LOCK = 0x636F6D70_6D696772  # "compmigr"
INTEGRATOR_LOCK = 0x636F6D70_6C6F6769  # "complogi"


def is_sqlite(engine: sa.Engine | sa.Connection) -> bool:
    """True when the engine (or connection) talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for `url`; on SQLite: WAL, foreign keys, a busy timeout and explicit BEGIN."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see module doc)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        # 256 MiB of page cache (grown only as used): bulk writes touch many index pages.
        cursor.execute("PRAGMA cache_size=-262144")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def writer_engine(engine: sa.Engine) -> sa.Engine:
    """The same pool, but transactions take SQLite's write lock at BEGIN (no-op elsewhere)."""
    if is_sqlite(engine):
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Sessions that keep their objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def advisory_lock(conn: sa.Connection, key: int) -> Iterator[None]:
    """Hold a PostgreSQL session advisory lock for the block (nothing to do on SQLite)."""
    if is_sqlite(conn):
        yield
        return
    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
    try:
        yield
    finally:
        conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
