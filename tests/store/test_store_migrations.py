"""Migrations: an empty database upgrades on both engines, and the models match them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from computegov.cli import app
from computegov.store.db import make_engine, writer_engine
from computegov.store.migrate import current_revision, head_revision, schema_differences, upgrade

runner = CliRunner()


def test_empty_database_upgrades_and_autogenerate_finds_no_difference(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision() is not None
        assert schema_differences(engine) == []
        upgrade(engine)  # a second run is a no-op
        tables = set(sa.inspect(engine).get_table_names())
        assert {"ledger_entries", "ledger_sequence", "ledger_tiles", "ledger_checkpoints"} <= tables
    finally:
        engine.dispose()


def test_db_upgrade_command_migrates_the_configured_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"COMPUTEGOV_DATABASE_URL": url}
    result = runner.invoke(app, ["db", "upgrade", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["from"], data["to"]) == (None, head_revision())
    result = runner.invoke(app, ["db", "current", "--json"], env=env)
    assert json.loads(result.stdout)["up_to_date"] is True


def test_sqlite_engine_uses_wal_foreign_keys_and_immediate_writer(tmp_path: Path) -> None:
    path = tmp_path / "pragmas.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # A writer transaction holds the write lock from BEGIN, before it has written.
        with writer_engine(engine).begin() as conn:
            conn.exec_driver_sql("SELECT 1")
            other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        # A plain transaction does not take it until it writes.
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1")
            other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            other.close()
    finally:
        engine.dispose()
