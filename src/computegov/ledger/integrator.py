"""The integrator: gives committed pending entries contiguous indexes and signs a checkpoint.

One integration is one transaction: take pending entries in the order they are first seen
committed, number them from the current size, write the changed tiles, check the new tree
against the previous checkpoint and sign the next one. Only one integrator runs at a time
(a PostgreSQL transaction advisory lock; SQLite's write lock taken at BEGIN IMMEDIATE), and
the sequence's primary key refuses a duplicate index even if that were ever bypassed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.errors import ComputegovError
from computegov.ledger import checkpoint_file, merkle, note, tiles
from computegov.ledger.log import (
    CHECKPOINTS,
    ENTRIES,
    PENDING,
    SEQUENCE,
    TILES,
    TileReader,
    latest_checkpoint,
)
from computegov.store import Store
from computegov.store.db import INTEGRATOR_LOCK, is_sqlite

log = logging.getLogger(__name__)

DEFAULT_BATCH = 100_000
_DELETE_CHUNK = 5_000


class IntegrationError(ComputegovError):
    """The stored tree does not extend the last signed checkpoint; nothing was signed."""


@dataclass(frozen=True)
class Integration:
    """What one integration did: the sizes before and after and the checkpoint it signed."""

    old_size: int
    new_size: int
    checkpoint: str

    @property
    def count(self) -> int:
        """How many entries got indexes."""
        return self.new_size - self.old_size


def _write_tiles(
    session: Session, reader: TileReader, old_size: int, leaf_hashes: list[bytes]
) -> None:
    """Extend the stored tiles from `old_size` leaves by `leaf_hashes`, level by level.

    Full tiles are written once; the partial tile at the right edge of a level is rewritten.
    """
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    new_hashes = leaf_hashes
    level = 0
    while new_hashes:
        count = old_size >> (tiles.TILE_HEIGHT * level)
        first, offset = divmod(count, tiles.TILE_WIDTH)
        prefix = reader.read_tile(level, first) if offset else []
        if len(prefix) != offset:
            raise IntegrationError(
                f"tile {level}/{first} holds {len(prefix)} hashes where {offset} were expected"
            )
        run = prefix + new_hashes
        completed: list[bytes] = []
        for start in range(0, len(run), tiles.TILE_WIDTH):
            chunk = run[start : start + tiles.TILE_WIDTH]
            index = first + start // tiles.TILE_WIDTH
            data = b"".join(chunk)
            reader.overlay[(level, index)] = data
            row = {"level": level, "tile_index": index, "hashes": data}
            (updates if index == first and offset else inserts).append(row)
            if len(chunk) == tiles.TILE_WIDTH:
                completed.append(merkle.root(chunk))
        new_hashes = completed
        level += 1
    if inserts:
        session.execute(sa.insert(TILES), inserts)
    for row in updates:
        session.execute(
            sa.update(TILES)
            .where(TILES.c.level == row["level"], TILES.c.tile_index == row["tile_index"])
            .values(hashes=row["hashes"])
        )


def integrate(store: Store, *, limit: int = DEFAULT_BATCH) -> Integration | None:
    """Integrate up to `limit` committed pending entries; None when another integrator runs.

    Returns an Integration with count 0 when nothing was pending. After the commit the
    checkpoint is also written to the checkpoint file.
    """
    with store.writer_sessions() as session, session.begin():
        if not is_sqlite(session.get_bind()):
            got = session.execute(
                sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": INTEGRATOR_LOCK}
            ).scalar_one()
            if not got:
                return None
        previous = latest_checkpoint(session)
        old_size = previous.size
        rows = session.execute(
            sa.select(PENDING.c.seq, ENTRIES.c.leaf)
            .select_from(PENDING.join(ENTRIES, ENTRIES.c.seq == PENDING.c.seq))
            .order_by(PENDING.c.seq)
            .limit(limit)
        ).all()
        if not rows:
            return Integration(old_size, old_size, previous.note)
        seqs = [r[0] for r in rows]
        leaf_hashes = [merkle.hash_leaf(r[1]) for r in rows]
        session.execute(
            sa.insert(SEQUENCE),
            [{"log_index": old_size + i, "seq": s} for i, s in enumerate(seqs)],
        )
        for start in range(0, len(seqs), _DELETE_CHUNK):
            chunk = seqs[start : start + _DELETE_CHUNK]
            session.execute(sa.delete(PENDING).where(PENDING.c.seq.in_(chunk)))
        reader = TileReader(session, store.tile_cache)
        _write_tiles(session, reader, old_size, leaf_hashes)
        new_size = old_size + len(rows)
        if old_size and merkle.root_at(old_size, reader.node) != previous.root:
            raise IntegrationError(
                f"the stored tiles do not reproduce the signed root of size {old_size}; "
                "refusing to sign a checkpoint inconsistent with it"
            )
        root = merkle.root_at(new_size, reader.node)
        signed = note.sign_checkpoint(
            note.Checkpoint(origin=store.origin, size=new_size, root=root),
            name=store.origin,
            public_key=store.signer.public_key_bytes(),
            sign=store.signer.sign,
        )
        session.execute(
            sa.insert(CHECKPOINTS).values(
                size=new_size, root=root, note=signed, created_at=store.clock.now()
            )
        )
    checkpoint_file.write_checkpoint(store.settings.checkpoint_file, signed)
    return Integration(old_size, new_size, signed)


def integrate_all(store: Store, *, limit: int = DEFAULT_BATCH) -> int:
    """Integrate until nothing is pending; returns how many entries got indexes."""
    total = 0
    while True:
        done = integrate(store, limit=limit)
        if done is None or done.count == 0:
            return total
        total += done.count


class IntegratorLoop:
    """Runs the integrator every `interval` seconds in a thread (start/stop in a lifespan).

    A batch is cut at `batch` entries; a full batch is followed at once by the next one.
    """

    def __init__(self, store: Store, *, interval: float = 0.25, batch: int = 256) -> None:
        self.store = store
        self.interval = interval
        self.batch = batch
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread (idempotent)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ledger-integrator", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Integrate now rather than at the next tick."""
        self._wake.set()

    def stop(self) -> None:
        """Stop after the integration in progress (if any) and wait for the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            full = False
            try:
                done = integrate(self.store, limit=self.batch)
                full = done is not None and done.count >= self.batch
            except Exception:  # keep the loop alive; the next tick retries
                log.exception("ledger integration failed")
            if not full:
                self._wake.wait(self.interval)
                self._wake.clear()


class Worker(Protocol):
    """A background loop with start() and stop(), like IntegratorLoop."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def running(*workers: Worker) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan that starts `workers` in order and stops them in reverse."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        for worker in workers:
            worker.start()
        try:
            yield
        finally:
            for worker in reversed(workers):
                worker.stop()

    return lifespan


__all__ = [
    "Integration",
    "IntegrationError",
    "IntegratorLoop",
    "Worker",
    "integrate",
    "integrate_all",
    "running",
]
