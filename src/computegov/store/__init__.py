"""The one place that owns persistence: settings, engine, sessions, migrations, clock, signer.

`open_store()` is how a server, a CLI command or a test gets a ready `Store`: it makes the
data directory and database files private (`permissions`), migrates the database, creates the
log's genesis (and key) in an empty database only, and refuses to start when the key or the
checkpoint kept outside the database does not match the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from computegov.errors import ComputegovError
from computegov.store.clock import Clock, ManualClock, SystemClock
from computegov.store.db import (
    MIGRATION_LOCK,
    advisory_lock,
    make_engine,
    session_factory,
    writer_engine,
)
from computegov.store.permissions import NotOurs, secure_data_files
from computegov.store.settings import Settings
from computegov.store.signer import Ed25519FileSigner, KeyFileError, Signer

__all__ = [
    "Clock",
    "Ed25519FileSigner",
    "KeyFileError",
    "ManualClock",
    "NotOurs",
    "Settings",
    "Signer",
    "StartupRefused",
    "Store",
    "SystemClock",
    "open_store",
]


class StartupRefused(ComputegovError):
    """The database, the log key and the checkpoint file do not belong together."""


@dataclass
class Store:
    """Settings, engine, session factories, clock and log signer of one deployment."""

    settings: Settings
    engine: sa.Engine
    clock: Clock
    signer: Signer
    verifier_key: str
    tightened: list[str] = field(default_factory=list)  # made private at start (permissions)
    sessions: sessionmaker[Session] = field(init=False)
    writer_sessions: sessionmaker[Session] = field(init=False)
    tile_cache: dict[tuple[int, int], bytes] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        info: dict[str, Any] = {"clock": self.clock}
        self.sessions = session_factory(self.engine)
        self.sessions.configure(info=info)
        self.writer_sessions = session_factory(writer_engine(self.engine))
        self.writer_sessions.configure(info=info)

    @property
    def origin(self) -> str:
        """The log origin: first line of every checkpoint and the signer's name."""
        return self.settings.log_origin

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """A session in a transaction that commits on success and rolls back on error.

        `write=True` takes SQLite's write lock at BEGIN (use it for read-then-write work).
        """
        factory = self.writer_sessions if write else self.sessions
        with factory() as session, session.begin():
            yield session

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()


def open_store(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    signer: Signer | None = None,
    migrate: bool = True,
) -> Store:
    """Open (and on first use create) a deployment's store, refusing mismatched state.

    Raises StartupRefused when the log key differs from the one recorded at genesis, or the
    checkpoint file shows the database to be behind (a restored backup) or forked.
    """
    from computegov.ledger import checkpoint_file, genesis
    from computegov.store import migrate as migrations

    settings = settings or Settings()
    tightened = secure_data_files(settings)
    engine = make_engine(settings.url)
    try:
        if migrate:
            migrations.upgrade(engine)
        with engine.connect() as conn, advisory_lock(conn, MIGRATION_LOCK):
            conn.commit()
            signer, vkey = genesis.ensure_genesis(engine, settings, signer, clock or SystemClock())
        store = Store(
            settings=settings,
            engine=engine,
            clock=clock or SystemClock(),
            signer=signer,
            verifier_key=vkey,
            tightened=tightened,
        )
        checkpoint_file.check_on_start(store)
    except BaseException:
        engine.dispose()
        raise
    return store
