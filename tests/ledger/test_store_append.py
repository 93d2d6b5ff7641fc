"""Appending: an entry commits with the caller's transaction or not at all; indexes come later
and are contiguous whatever the number of concurrent writers."""

from __future__ import annotations

import base64
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from computegov.errors import NotFound
from computegov.ledger import entries, log
from computegov.ledger.integrator import IntegratorLoop, integrate_all
from computegov.store import ManualClock, Store
from computegov.store.models import LedgerEntry, PendingEntry, SequencedEntry


def test_append_in_rolled_back_transaction_leaves_no_entry(store: Store) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), store.transaction() as session:
        entry_id = log.append(session, "chip.registered", {"serial": "A1"}, actor="k1")
        raise Abort
    with store.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(PendingEntry)) == 0
        with pytest.raises(NotFound):
            log.pending_status(session, entry_id)
    assert integrate_all(store) == 0


def test_appended_entry_commits_to_its_record_at_receipt_time(
    store: Store, clock: ManualClock
) -> None:
    clock.advance(timedelta(minutes=7))
    record = {"serial": "H100-0042", "owner": "Zürich AG ✓", "flops": 9.89e14, "n": [1, 0.5, None]}
    with store.transaction() as session:
        entry_id = log.append(session, "chip.registered", record, actor="k1", v=2)
    with store.sessions() as session:
        assert log.pending_status(session, entry_id) == {
            "id": entry_id,
            "integrated": False,
            "index": None,
        }
        opened = log.opening(session, entry_id)
    assert integrate_all(store) == 1
    with store.sessions() as session:
        assert log.pending_status(session, entry_id)["index"] == 0
        leaf = entries.parse_leaf(base64.b64decode(log.entry(session, 0)["leaf"]))
    assert (leaf.id, leaf.type, leaf.v, leaf.actor) == (entry_id, "chip.registered", 2, "k1")
    assert leaf.time == clock.now()
    assert opened["record"] == record
    entries.check_opening(leaf, opened["record"], base64.b64decode(opened["salt"]))
    with pytest.raises(entries.OpeningError):
        entries.check_opening(leaf, {**record, "owner": "EVIL"}, base64.b64decode(opened["salt"]))


def test_concurrent_writers_get_contiguous_indexes(store: Store) -> None:
    writers, per_writer = 6, 15
    loop = IntegratorLoop(store, interval=0.01, batch=7)
    ids: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            for i in range(per_writer):
                with store.transaction() as session:
                    new = log.append(session, "test.write", {"w": w, "i": i}, actor=f"w{w}")
                with lock:
                    ids.append(new)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    loop.start()
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        loop.stop()
    assert not errors
    integrate_all(store)
    with store.sessions() as session:
        indexes = session.scalars(sa.select(SequencedEntry.log_index)).all()
        assert sorted(indexes) == list(range(writers * per_writer))
        assert sorted(log.pending_status(session, i)["index"] for i in ids) == list(
            range(writers * per_writer)
        )
        assert log.tree_size(session) == writers * per_writer
