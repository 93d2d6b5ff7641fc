"""Fixtures for the ledger's persistence tests: an opened store and a real HTTP server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from computegov.store import ManualClock, Settings, Store, open_store

START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand."""
    return ManualClock(START)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for a fresh deployment on each engine, data in the test's temporary folder."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def store(settings: Settings, clock: ManualClock) -> Iterator[Store]:
    """An opened store (migrated, genesis and key created)."""
    opened = open_store(settings, clock=clock)
    yield opened
    opened.close()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving the ledger app on 127.0.0.1 in a thread."""

    def __init__(self, store: Store) -> None:
        from computegov.ledger.http import ledger_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            ledger_app(store, integrate_every=None),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)


@pytest.fixture
def server(store: Store) -> Iterator[LiveServer]:
    """The ledger served over real HTTP (integration is called by the test, not a loop)."""
    with LiveServer(store) as live:
        yield live
