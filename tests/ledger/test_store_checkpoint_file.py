"""The checkpoint kept outside the database stops a restored backup or a fork from starting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from computegov.ledger import log, merkle, note
from computegov.ledger.integrator import integrate_all
from computegov.store import Settings, StartupRefused, Store, open_store
from computegov.store.models import Tile


def _grow(store: Store, count: int) -> None:
    with store.transaction() as session:
        log.append_many(session, [("test.entry", {"n": i}, "t") for i in range(count)])
    integrate_all(store)


def test_database_behind_the_checkpoint_file_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=sqlite_url)
    store = open_store(settings)
    _grow(store, 5)
    store.close()
    db = Path(sa.make_url(sqlite_url).database or "")
    backup = tmp_path / "backup.db"
    shutil.copy(db, backup)
    store = open_store(settings)
    _grow(store, 4)
    store.close()
    shutil.copy(backup, db)  # restore the backup: the log would lose entries 5..8
    with pytest.raises(StartupRefused, match="behind the checkpoint file.*size 9.*database 5"):
        open_store(settings)


def test_database_ahead_of_the_file_is_accepted_and_the_file_rewritten(
    store: Store, settings: Settings
) -> None:
    _grow(store, 3)
    stale = settings.checkpoint_file.read_text()
    _grow(store, 2)
    # As if the process died after committing size 5 but before writing the file.
    settings.checkpoint_file.write_text(stale)
    store.close()
    reopened = open_store(settings)
    try:
        verifier = note.parse_verifier_key(reopened.verifier_key)
        assert note.open_checkpoint(settings.checkpoint_file.read_text(), verifier).size == 5
    finally:
        reopened.close()


def test_database_disagreeing_with_the_file_is_refused(store: Store, settings: Settings) -> None:
    _grow(store, 3)
    forged = note.sign_checkpoint(
        note.Checkpoint(origin=store.origin, size=3, root=merkle.hash_leaf(b"other")),
        name=store.origin,
        public_key=store.signer.public_key_bytes(),
        sign=store.signer.sign,
    )
    settings.checkpoint_file.write_text(forged)
    store.close()
    with pytest.raises(StartupRefused, match="disagrees with the checkpoint file.*size 3"):
        open_store(settings)


def test_checkpoint_file_signed_by_another_key_is_refused(store: Store, settings: Settings) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    other = Ed25519PrivateKey.generate()
    forged = note.sign_checkpoint(
        note.Checkpoint(origin=store.origin, size=0, root=merkle.EMPTY_ROOT),
        name=store.origin,
        public_key=other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
        sign=other.sign,
    )
    settings.checkpoint_file.write_text(forged)
    store.close()
    with pytest.raises(StartupRefused, match="not signed by this log's key"):
        open_store(settings)


def test_altered_tiles_are_refused_at_start(store: Store, settings: Settings) -> None:
    _grow(store, 4)
    with store.transaction() as session:
        session.execute(sa.update(Tile).values(hashes=merkle.hash_leaf(b"x") * 4))
    store.close()
    with pytest.raises(StartupRefused, match="stored tiles do not reproduce"):
        open_store(settings)
