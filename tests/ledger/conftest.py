"""Fixtures for the ledger's persistence tests: an opened store and a real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from computegov.store import ManualClock, Settings, Store, open_store
from live_server import UNTHROTTLED, LiveServer

START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand."""
    return ManualClock(START)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for a fresh deployment on each engine, data in the test's temporary folder."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url, **UNTHROTTLED)


@pytest.fixture
def store(settings: Settings, clock: ManualClock) -> Iterator[Store]:
    """An opened store (migrated, genesis and key created)."""
    opened = open_store(settings, clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def server(store: Store) -> Iterator[LiveServer]:
    """The ledger served over real HTTP (integration is called by the test, not a loop)."""
    from computegov.ledger.http import ledger_app

    with LiveServer(ledger_app(store, integrate_every=None)) as live:
        yield live
