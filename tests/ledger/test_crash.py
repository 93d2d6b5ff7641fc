"""Kill real processes with SIGKILL while they append and integrate: no entry reported as
committed is lost, indexes stay contiguous, and no two checkpoints ever disagree."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from computegov.ledger import log, merkle, note, tiles
from computegov.ledger.integrator import integrate_all
from computegov.store import Settings, open_store
from computegov.store.models import CheckpointRow, SequencedEntry

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 8


def _run_and_kill(url: str, data_dir: Path, rng: random.Random) -> set[str]:
    """Start two writers at once, kill both at a random moment; return the ids they reported."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    children = [
        subprocess.Popen(
            [sys.executable, str(CHILD), url, str(data_dir), f"w{k}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        for k in range(2)
    ]
    time.sleep(rng.uniform(0.6, 2.0))
    reported: set[str] = set()
    for child in children:
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        for line in out.decode().splitlines():
            if line.startswith("committed ") and len(line) == len("committed ") + 36:
                reported.add(line.removeprefix("committed "))
    return reported


@pytest.mark.slow
def test_sigkill_while_appending_and_integrating_loses_nothing_and_never_forks(
    tmp_path: Path, database_url: str
) -> None:
    rng = random.Random(20260105)
    data_dir = tmp_path / "data"
    open_store(Settings(data_dir=data_dir, database_url=database_url)).close()
    reported: set[str] = set()
    for _ in range(KILLS):
        reported |= _run_and_kill(database_url, data_dir, rng)
    assert len(reported) > KILLS  # the writers did get work done between kills

    # Restarting must succeed (the checkpoint file never runs ahead of the database).
    store = open_store(Settings(data_dir=data_dir, database_url=database_url))
    try:
        integrate_all(store)
        verifier = note.parse_verifier_key(store.verifier_key)
        with store.sessions() as session:
            size = log.tree_size(session)
            indexes = session.scalars(
                sa.select(SequencedEntry.log_index).order_by(SequencedEntry.log_index)
            ).all()
            assert list(indexes) == list(range(size))
            for entry_id in reported:
                assert log.pending_status(session, entry_id)["integrated"], entry_id
            tree = merkle.MemoryTree(merkle.hash_leaf(x) for x in log.leaves(session, 0, size))
            for level, index, width in tiles.tile_coordinates(size):
                assert log.tile_bytes(session, level, index, width) == b"".join(
                    tiles.tile_hashes(level, index, width, tree.node)
                )
            # Every checkpoint ever signed is a prefix of today's tree: no fork.
            for row in session.scalars(sa.select(CheckpointRow)):
                assert note.open_checkpoint(row.note, verifier).root == tree.root(row.size)
        file_cp = note.open_checkpoint(store.settings.checkpoint_file.read_text(), verifier)
        assert file_cp.size == size and file_cp.root == tree.root(size)
    finally:
        store.close()
