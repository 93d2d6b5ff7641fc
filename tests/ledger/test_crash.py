"""Kill real processes with SIGKILL while they append and integrate: no entry reported as
committed is lost, indexes stay contiguous, and no two checkpoints ever disagree."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
import sqlalchemy as sa

from computegov.ledger import log, merkle, note, tiles
from computegov.ledger.integrator import integrate_all
from computegov.store import Settings, open_store
from computegov.store.models import CheckpointRow, SequencedEntry

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 8


def _collect(stream: IO[bytes], into: list[str], first: threading.Event) -> None:
    for raw in stream:
        line = raw.decode().rstrip("\n")
        if line.startswith("committed ") and len(line) == len("committed ") + 36:
            into.append(line.removeprefix("committed "))
            first.set()


def _run_and_kill(url: str, data_dir: Path, rng: random.Random, round_: int) -> set[str]:
    """Start two writers at once, SIGKILL both at a random moment; return the ids reported.

    Odd rounds kill at any moment from startup on; even rounds wait until a writer has
    committed something first, so every run makes progress however loaded the machine is.
    """
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
    lines: list[list[str]] = [[] for _ in children]
    first = threading.Event()
    readers = [
        threading.Thread(target=_collect, args=(child.stdout, out, first), daemon=True)
        for child, out in zip(children, lines, strict=True)
    ]
    for reader in readers:
        reader.start()
    if round_ % 2 == 0:
        assert first.wait(timeout=120), "no writer committed anything within 120 s"
        time.sleep(rng.uniform(0.0, 0.5))
    else:
        time.sleep(rng.uniform(0.05, 1.5))
    for child in children:
        child.send_signal(signal.SIGKILL)
    for child, reader in zip(children, readers, strict=True):
        child.wait(timeout=30)
        reader.join(timeout=30)
    return {entry_id for out in lines for entry_id in out}


@pytest.mark.slow
def test_sigkill_while_appending_and_integrating_loses_nothing_and_never_forks(
    tmp_path: Path, database_url: str
) -> None:
    rng = random.Random(20260105)
    data_dir = tmp_path / "data"
    open_store(Settings(data_dir=data_dir, database_url=database_url)).close()
    reported: set[str] = set()
    for round_ in range(KILLS):
        reported |= _run_and_kill(database_url, data_dir, rng, round_)
    assert reported  # the writers did get work done between kills

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
