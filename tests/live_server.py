"""A real HTTP server for tests: uvicorn on 127.0.0.1 on a free port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import uvicorn

from computegov.serving import uvicorn_config
from computegov.store import Settings

# Rates no test reaches: the servers of tests that are not about limits set these explicitly,
# so that a suite's many requests from 127.0.0.1 are never throttled (tests of the limits set
# their own).
UNTHROTTLED: dict[str, str] = {
    "rate_limit_token": "1000000/second",
    "rate_limit_address": "1000000/second",
    "rate_limit_tokenless": "1000000/second",
    "rate_limit_device": "1000000/second",
}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving an ASGI app on 127.0.0.1 in a thread, for the length of a `with`,
    configured as `computegov serve` configures it (the head deadline of `settings`)."""

    def __init__(self, app: Any, settings: Settings | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn_config(
            app, host="127.0.0.1", port=self.port, settings=settings or Settings()
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60  # a loaded 2-core machine starts slowly
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, timeout=10, headers=headers)
