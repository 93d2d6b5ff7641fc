"""The integrator writes exactly the tiles and checkpoints the entries determine."""

from __future__ import annotations

import base64
from pathlib import Path

import sqlalchemy as sa

from computegov.ledger import log, merkle, note, tiles
from computegov.ledger.integrator import IntegratorLoop, integrate, integrate_all
from computegov.store import Store
from computegov.store.models import CheckpointRow


def _append(store: Store, count: int, start: int = 0) -> None:
    with store.transaction() as session:
        log.append_many(session, [("test.entry", {"n": start + i}, "tester") for i in range(count)])


def _tree(store: Store) -> merkle.MemoryTree:
    with store.sessions() as session:
        size = log.tree_size(session)
        return merkle.MemoryTree(merkle.hash_leaf(leaf) for leaf in log.leaves(session, 0, size))


def test_tiles_and_checkpoints_equal_those_recomputed_from_entries(store: Store) -> None:
    verifier = note.parse_verifier_key(store.verifier_key)
    sizes = [0]
    total = 0
    for batch in (1, 254, 1, 256, 300, 3, 257):
        _append(store, batch, total)
        total += batch
        done = integrate(store)
        assert done is not None and (done.old_size, done.new_size) == (sizes[-1], total)
        sizes.append(total)
        # The file outside the database always holds the latest checkpoint.
        assert Path(store.settings.checkpoint_file).read_text() == done.checkpoint
    tree = _tree(store)
    assert tree.size == total == 1072
    with store.sessions() as session:
        for level, index, width in tiles.tile_coordinates(total):
            served = log.tile_bytes(session, level, index, width)
            assert served == b"".join(tiles.tile_hashes(level, index, width, tree.node))
        rows = session.scalars(sa.select(CheckpointRow).order_by(CheckpointRow.size)).all()
        assert [r.size for r in rows] == sizes
        for row in rows:
            cp = note.open_checkpoint(row.note, verifier)
            assert (cp.origin, cp.size, cp.root) == (store.origin, row.size, row.root)
            assert cp.root == tree.root(row.size)
        for old, new in zip(rows[1:], rows[2:], strict=False):
            proof = log.consistency(session, old.size, new.size)["proof"]
            merkle.verify_consistency(
                old.size, new.size, [base64.b64decode(h) for h in proof], old.root, new.root
            )


def test_nothing_pending_signs_nothing_new(store: Store) -> None:
    _append(store, 3)
    integrate_all(store)
    done = integrate(store)
    assert done is not None and done.count == 0 and done.new_size == 3
    with store.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CheckpointRow)) == 2


def test_background_loop_integrates_within_its_interval(store: Store) -> None:
    loop = IntegratorLoop(store, interval=0.02, batch=256)
    loop.start()
    try:
        _append(store, 600)
        loop.wake()
        import time

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with store.sessions() as session:
                if log.tree_size(session) == 600:
                    break
            time.sleep(0.02)
    finally:
        loop.stop()
    with store.sessions() as session:
        assert log.tree_size(session) == 600
