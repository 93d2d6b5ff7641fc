"""The ledger as the rest of computegov uses it: append inside a transaction, then read.

`append` adds a pending entry in the caller's transaction, so a state change and its entry
commit together or not at all; the integrator later gives it an index. Reads serve tiles,
entry bundles, single entries and proofs from the stored tiles of the latest checkpoint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.errors import Gone, InvalidInput, NotFound
from computegov.instants import to_wire
from computegov.ledger import entries, merkle, tiles
from computegov.store.bulk import insert_rows
from computegov.store.clock import Clock, SystemClock
from computegov.store.models import (
    CheckpointRow,
    LedgerEntry,
    PendingEntry,
    SequencedEntry,
    Tile,
)

ENTRIES = cast(sa.Table, LedgerEntry.__table__)
PENDING = cast(sa.Table, PendingEntry.__table__)
SEQUENCE = cast(sa.Table, SequencedEntry.__table__)
TILES = cast(sa.Table, Tile.__table__)
CHECKPOINTS = cast(sa.Table, CheckpointRow.__table__)
_PENDING_CHUNK = 5_000

#: Full tiles kept as raw bytes per store (8 KiB each: 64 MiB, the tiles of 2M entries).
RAW_TILE_CACHE = 8192


def _clock(session: Session) -> Clock:
    clock = session.info.get("clock")
    return clock if clock is not None else SystemClock()


def _json_str(text: str) -> bytes:
    """A JSON string exactly as RFC 8785 writes it (escapes only what JSON requires)."""
    return entries.canonical_json(text)


class _LeafWriter:
    """Writes leaves of one batch: the fields every row shares are checked and encoded once,
    so a leaf costs one commitment and a byte join (`Leaf.to_bytes` gives the same bytes)."""

    def __init__(self, now: datetime, v: int) -> None:
        self.now = now
        self.v = v
        self.time = _json_str(to_wire(now))
        self._heads: dict[tuple[str, str], tuple[bytes, bytes]] = {}

    def _parts(self, type: str, actor: str) -> tuple[bytes, bytes]:
        parts = self._heads.get((type, actor))
        if parts is None:
            entries.Leaf(type, self.v, "x", self.now, actor, bytes(32))  # checks the fields
            head = b'{"actor":' + _json_str(actor) + b',"commitment":"'
            tail = b',"time":' + self.time + b',"type":' + _json_str(type)
            parts = self._heads[(type, actor)] = (head, tail + b',"v":%d}' % self.v)
        return parts

    def row(
        self, type: str, record: Mapping[str, Any], actor: str, entry_id: str
    ) -> tuple[Any, ...]:
        """(id, type, v, actor, received_at, leaf, record, salt) of a new entry."""
        head, tail = self._parts(type, actor)
        salt = entries.new_salt()
        canonical = entries.canonical_json(record)
        commitment = base64.b64encode(hashlib.sha256(salt + canonical).digest())
        leaf = head + commitment + b'","id":"' + entry_id.encode() + b'"' + tail
        if len(leaf) > entries.MAX_LEAF_BYTES:
            raise InvalidInput(f"leaf is {len(leaf)} bytes; a leaf is at most 65535")
        # The canonical form is plain JSON that reads back as the same values.
        return (entry_id, type, self.v, actor, self.now, leaf, canonical.decode(), salt)


_ENTRY_COLUMNS = ("id", "type", "v", "actor", "received_at", "leaf", "record", "salt")


def new_entry_id() -> str:
    """A fresh entry id, for a caller that must name its entry before appending it."""
    return str(uuid.uuid4())


def append(
    session: Session,
    type: str,
    record: Mapping[str, Any],
    actor: str,
    *,
    v: int = 1,
    entry_id: str | None = None,
) -> str:
    """Add a pending entry in the caller's transaction and return its id (not its index).

    The leaf commits to `record` with a fresh salt; its time is the store Clock's receipt time.
    `entry_id` (from `new_entry_id`) lets a caller name the entry in rows it wrote before.
    """
    ids = None if entry_id is None else [entry_id]
    return append_many(session, [(type, record, actor)], v=v, ids=ids)[0]


def append_many(
    session: Session,
    items: Iterable[tuple[str, Mapping[str, Any], str]],
    *,
    v: int = 1,
    ids: Sequence[str] | None = None,
) -> list[str]:
    """`append` for many `(type, record, actor)` at once, in the caller's transaction."""
    now = _clock(session).now()
    writer = _LeafWriter(now, v)
    batch = list(items)
    if ids is None:
        # Random ids, handed out in sorted order: the unique index on ids then fills in order
        # instead of touching a random page per entry (a large batch would thrash the cache).
        ids = sorted(str(uuid.uuid4()) for _ in batch)
    elif len(ids) != len(batch):
        raise InvalidInput(f"{len(ids)} entry ids for {len(batch)} entries")
    rows = [writer.row(t, r, a, i) for (t, r, a), i in zip(batch, ids, strict=True)]
    if not rows:
        return []
    # A plain executemany, then the pending rows copied over by id inside the database:
    # RETURNING in parameter order makes SQLite run one statement per row.
    insert_rows(session, ENTRIES, _ENTRY_COLUMNS, rows)
    ids = [str(r[0]) for r in rows]
    for start in range(0, len(ids), _PENDING_CHUNK):
        chunk = ids[start : start + _PENDING_CHUNK]
        session.execute(
            sa.insert(PENDING).from_select(
                ["seq"], sa.select(ENTRIES.c.seq).where(ENTRIES.c.id.in_(chunk))
            )
        )
    return ids


def opening(session: Session, entry_id: str) -> dict[str, Any]:
    """The opening of an entry: `{"id", "type", "record", "salt"}` (salt in base64).

    With it, anyone holding the public leaf can check that the record is what was committed
    (`computegov ledger prove --opening FILE`). Only authorized readers should get one.
    """
    row = session.execute(
        sa.select(ENTRIES.c.id, ENTRIES.c.type, ENTRIES.c.record, ENTRIES.c.salt).where(
            ENTRIES.c.id == entry_id
        )
    ).first()
    if row is None:
        raise NotFound(f"no ledger entry with id {entry_id!r}; use an id that append returned")
    if not row.salt:
        erased = json.loads(row.record)
        raise Gone(
            f"the record of ledger entry {entry_id} was erased on {erased.get('erased_at')} "
            "under its retention period; its leaf stays in the log and proofs of it still "
            "verify, but it no longer opens",
            reason="erased_under_retention",
        )
    return {
        "id": row.id,
        "type": row.type,
        "record": json.loads(row.record),
        "salt": base64.b64encode(row.salt).decode("ascii"),
    }


def erase_opening(session: Session, entry_id: str, kept: Mapping[str, Any]) -> None:
    """Make an entry unopenable (410): record `kept`, salt empty; its leaf and proofs stay."""
    text = entries.canonical_json(dict(kept)).decode()
    session.execute(
        sa.update(ENTRIES).where(ENTRIES.c.id == entry_id).values(record=text, salt=b"")
    )


def pending_status(session: Session, entry_id: str) -> dict[str, Any]:
    """Where an appended entry stands: `{"id", "integrated", "index"}` (index once integrated)."""
    row = session.execute(
        sa.select(ENTRIES.c.id, SEQUENCE.c.log_index)
        .select_from(ENTRIES.outerjoin(SEQUENCE, SEQUENCE.c.seq == ENTRIES.c.seq))
        .where(ENTRIES.c.id == entry_id)
    ).first()
    if row is None:
        raise NotFound(f"no ledger entry with id {entry_id!r}; use an id that append returned")
    return {"id": row.id, "integrated": row.log_index is not None, "index": row.log_index}


def latest_checkpoint(session: Session) -> CheckpointRow:
    """The newest signed checkpoint (genesis signs one of size 0)."""
    row = session.scalars(
        sa.select(CheckpointRow).order_by(CheckpointRow.size.desc()).limit(1)
    ).first()
    if row is None:
        raise NotFound("the log has no checkpoint yet; open it with computegov.store.open_store")
    return row


def tree_size(session: Session) -> int:
    """The size of the latest checkpoint."""
    size = session.execute(sa.select(sa.func.max(CHECKPOINTS.c.size))).scalar_one()
    if size is None:
        raise NotFound("the log has no checkpoint yet; open it with computegov.store.open_store")
    return int(size)


class TileReader:
    """Reads hash tiles from the database; full tiles (immutable) are cached in `cache`."""

    def __init__(self, session: Session, cache: dict[tuple[int, int], bytes] | None = None):
        self.session = session
        self.cache = cache if cache is not None else {}
        self.overlay: dict[tuple[int, int], bytes] = {}

    def raw(self, level: int, index: int) -> bytes:
        """The stored bytes of tile (level, index), b"" when absent."""
        key = (level, index)
        data = self.overlay.get(key) or self.cache.get(key)
        if data is not None:
            return data
        found = self.session.execute(
            sa.select(TILES.c.hashes).where(TILES.c.level == level, TILES.c.tile_index == index)
        ).scalar_one_or_none()
        data = found or b""
        if len(data) == tiles.TILE_WIDTH * merkle.HASH_SIZE and len(self.cache) < RAW_TILE_CACHE:
            self.cache[key] = data
        return data

    def read_tile(self, level: int, index: int) -> list[bytes]:
        """The hashes of a tile, as `tiles.node_from_tiles` wants them."""
        return split_hashes(self.raw(level, index))

    def node(self, level: int, index: int) -> bytes:
        """A merkle.NodeSource over the stored tiles."""
        return tiles.node_from_tiles(level, index, self.read_tile)


def split_hashes(data: bytes) -> list[bytes]:
    """32-byte hashes from a tile's concatenated bytes."""
    size = merkle.HASH_SIZE
    return [data[i : i + size] for i in range(0, len(data), size)]


def _tile_width_at(level: int, index: int, size: int) -> int:
    """The width tile (level, index) has in a tree of `size` leaves (0 if it does not exist)."""
    count = size >> (tiles.TILE_HEIGHT * level)
    return max(0, min(tiles.TILE_WIDTH, count - index * tiles.TILE_WIDTH))


def tile_bytes(session: Session, level: int, index: int, width: int) -> bytes:
    """A hash tile as served at `tile/<L>/<N>[.p/<W>]`; NotFound beyond the latest checkpoint."""
    size = tree_size(session)
    if _tile_width_at(level, index, size) < width:
        raise NotFound(
            f"tile {level}/{index} of width {width} is beyond the log's size {size}; "
            "request tiles named by the latest checkpoint"
        )
    data = TileReader(session).raw(level, index)
    return data[: width * merkle.HASH_SIZE]


def leaves(session: Session, start: int, end: int) -> list[bytes]:
    """The leaves with indexes [start, end), in order."""
    rows = session.execute(
        sa.select(ENTRIES.c.leaf)
        .select_from(SEQUENCE.join(ENTRIES, ENTRIES.c.seq == SEQUENCE.c.seq))
        .where(SEQUENCE.c.log_index >= start, SEQUENCE.c.log_index < end)
        .order_by(SEQUENCE.c.log_index)
    ).scalars()
    # A value written behind our back may come back as text (SQLite is dynamically typed);
    # serve its bytes so that monitors see the change instead of a server error.
    return [row.encode("utf-8") if isinstance(row, str) else bytes(row) for row in rows]


def entry_bundle(session: Session, index: int, width: int) -> bytes:
    """An entry bundle as served at `tile/entries/<N>[.p/<W>]`."""
    size = tree_size(session)
    if _tile_width_at(0, index, size) < width:
        raise NotFound(
            f"entry bundle {index} of width {width} is beyond the log's size {size}; "
            "request bundles named by the latest checkpoint"
        )
    start = index * tiles.TILE_WIDTH
    return tiles.encode_entry_bundle(leaves(session, start, start + width))


def _check_index(index: int, size: int, what: str) -> None:
    if index < 0 or index >= size:
        raise NotFound(f"{what} {index} is not in the log of size {size}; use 0 to {size - 1}")


def entry(session: Session, index: int) -> dict[str, Any]:
    """The leaf at `index` and its hash: `{"index", "leaf", "leaf_hash"}` (base64)."""
    _check_index(index, tree_size(session), "index")
    leaf = leaves(session, index, index + 1)[0]
    return {
        "index": index,
        "leaf": base64.b64encode(leaf).decode("ascii"),
        "leaf_hash": base64.b64encode(merkle.hash_leaf(leaf)).decode("ascii"),
    }


def _b64(hashes: Sequence[bytes]) -> list[str]:
    return [base64.b64encode(h).decode("ascii") for h in hashes]


def stored_tile_nodes(store: Any, max_tiles: int = 1024) -> tiles.CachedTileNodes:
    """A NodeSource over the store's tiles shared between requests (what the router uses).

    Each tile is read in its own short session and its inner levels hashed once; tiles only
    grow at the right edge, so a cached node stays valid and a newer one re-reads the tile.
    """

    def read_tile(level: int, index: int) -> list[bytes]:
        with store.sessions() as session:
            return TileReader(session, store.tile_cache).read_tile(level, index)

    return tiles.CachedTileNodes(read_tile, max_tiles=max_tiles)


class SizeFloor:
    """The log's size only grows, so a size at or below one seen before needs no query.

    (A database behind its checkpoint file refuses to start, so the log never shrinks.)
    """

    def __init__(self) -> None:
        self.size = 0

    def at_least(self, session: Session, needed: int) -> int:
        """A size of the log that is >= `needed` if the log is that large."""
        if needed > self.size:
            self.size = max(self.size, tree_size(session))
        return self.size


def inclusion(
    session: Session,
    index: int,
    size: int,
    node: merkle.NodeSource | None = None,
    floor: SizeFloor | None = None,
) -> dict[str, Any]:
    """An inclusion proof of leaf `index` in the tree of `size` leaves (size <= the log's).

    `node` defaults to the tiles as `session` sees them; a server passes
    `stored_tile_nodes(store)` and a `SizeFloor` shared between requests.
    """
    current = floor.at_least(session, size) if floor else tree_size(session)
    if size < 1 or size > current:
        raise NotFound(f"size {size} is not a size of this log; use 1 to {current}")
    _check_index(index, size, "index")
    node = node or TileReader(session).node
    proof = merkle.inclusion_proof(index, size, node)
    return {
        "index": index,
        "size": size,
        "leaf_hash": base64.b64encode(node(0, index)).decode("ascii"),
        "proof": _b64(proof),
    }


def consistency(
    session: Session,
    old: int,
    new: int,
    node: merkle.NodeSource | None = None,
    floor: SizeFloor | None = None,
) -> dict[str, Any]:
    """A consistency proof between the trees of `old` and `new` leaves (0 < old <= new)."""
    current = floor.at_least(session, new) if floor else tree_size(session)
    if not 0 < old <= new:
        raise InvalidInput(f"old={old}, new={new}: use 0 < old <= new <= {current}")
    if new > current:
        raise NotFound(f"new={new} is beyond the log's size {current}; use new <= {current}")
    proof = merkle.consistency_proof(old, new, node or TileReader(session).node)
    return {"old": old, "new": new, "proof": _b64(proof)}


def log_status(store: Any) -> dict[str, Any]:
    """The local log at a glance: origin, verifier key, size and pending count."""
    with store.sessions() as session:
        latest = latest_checkpoint(session)
        pending = session.execute(sa.select(sa.func.count()).select_from(PENDING)).scalar_one()
    return {
        "origin": store.origin,
        "verifier_key": store.verifier_key,
        "size": latest.size,
        "root": base64.b64encode(latest.root).decode("ascii"),
        "pending": pending,
    }
