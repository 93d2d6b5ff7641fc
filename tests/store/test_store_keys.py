"""The log key: generated only into an empty database, 0600, and checked against genesis."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from computegov.ledger import log, note
from computegov.store import (
    Ed25519FileSigner,
    KeyFileError,
    Settings,
    StartupRefused,
    open_store,
)
from computegov.store.models import Genesis


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=url)


def test_first_start_creates_a_0600_key_and_a_signed_empty_checkpoint(
    tmp_path: Path, database_url: str
) -> None:
    settings = _settings(tmp_path, database_url)
    store = open_store(settings)
    try:
        assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
        verifier = note.parse_verifier_key(store.verifier_key)
        assert verifier.public_key == store.signer.public_key_bytes()
        with store.sessions() as session:
            genesis = session.get(Genesis, 1)
            assert genesis is not None and genesis.verifier_key == store.verifier_key
            cp = note.open_checkpoint(log.latest_checkpoint(session).note, verifier)
        assert (cp.origin, cp.size) == ("localhost/computegov", 0)
        assert settings.checkpoint_file.read_text() == log_note(store)
    finally:
        store.close()
    # Reopening finds the same key and does not generate another.
    again = open_store(settings)
    assert again.verifier_key == store.verifier_key
    again.close()


def log_note(store: object) -> str:
    from computegov.store import Store

    assert isinstance(store, Store)
    with store.sessions() as session:
        return log.latest_checkpoint(session).note


def test_another_key_is_refused_naming_both_key_ids(tmp_path: Path, database_url: str) -> None:
    settings = _settings(tmp_path, database_url)
    open_store(settings).close()
    original = note.parse_verifier_key(_genesis_vkey(settings)).key_id.hex()
    settings.key_file.unlink()
    other = Ed25519FileSigner.generate(settings.key_file)
    other_id = note.key_id(settings.log_origin, other.public_key_bytes()).hex()
    with pytest.raises(StartupRefused) as refused:
        open_store(settings)
    assert original in str(refused.value) and other_id in str(refused.value)


def _genesis_vkey(settings: Settings) -> str:
    engine = sa.create_engine(settings.url)
    with engine.connect() as conn:
        value = conn.execute(sa.select(Genesis.verifier_key)).scalar_one()
    engine.dispose()
    return str(value)


def test_missing_key_for_an_existing_log_is_refused_not_regenerated(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = _settings(tmp_path, sqlite_url)
    open_store(settings).close()
    settings.key_file.unlink()
    with pytest.raises(StartupRefused, match="generated only into an empty database"):
        open_store(settings)
    assert not settings.key_file.exists()


def test_key_file_readable_by_others_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    settings = _settings(tmp_path, sqlite_url)
    open_store(settings).close()
    os.chmod(settings.key_file, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        open_store(settings)


def test_generate_never_overwrites_a_key(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    Ed25519FileSigner.generate(path)
    with pytest.raises(KeyFileError, match="already exists"):
        Ed25519FileSigner.generate(path)


def test_a_different_origin_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    settings = _settings(tmp_path, sqlite_url)
    open_store(settings).close()
    moved = Settings(data_dir=settings.data_dir, database_url=sqlite_url, log_origin="other/log")
    with pytest.raises(StartupRefused, match="COMPUTEGOV_LOG_ORIGIN=localhost/computegov"):
        open_store(moved)


def test_two_processes_starting_an_empty_database_at_once_agree_on_one_key(
    tmp_path: Path, database_url: str
) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from computegov.store import Settings, open_store;"
        "s = open_store(Settings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2]));"
        "print(s.verifier_key); s.close()"
    )
    data = tmp_path / "data"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(data), database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0], [err for _, err in outputs]
    keys = {out.decode().strip() for out, _ in outputs}
    assert len(keys) == 1
    assert keys == {_genesis_vkey(_settings(tmp_path, database_url))}
