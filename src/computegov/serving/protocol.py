"""uvicorn with a deadline for a request's head (its request line and headers).

uvicorn closes idle keep-alive connections but has no deadline for a head that arrives a byte
at a time, so one client can hold a connection (and a slot) open for ever. `HeadDeadlineH11`
is uvicorn's h11 protocol with a timer: it starts when a connection opens and when a response
ends, stops when a complete head has been parsed, and when it fires the server answers `408`
(a problem document) and closes the connection. Heads are also limited in size by h11 (16 KiB
by default). The body's deadline is the limits middleware's (`computegov.serving.guard`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from computegov.errors import RequestTimeout
from computegov.problems import PROBLEM_BASE, PROBLEM_JSON
from computegov.store.settings import Settings


class HeadDeadlineH11(H11Protocol):
    """uvicorn's h11 protocol, with a deadline of `header_timeout` seconds for each head."""

    header_timeout: float = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before:  # a complete head was parsed: its request has begun
            self._disarm()

    def on_response_complete(self) -> None:
        self._arm()  # before: the next pipelined head may be parsed (and disarm) within
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        error = RequestTimeout(
            f"the request line and headers did not arrive within {self.header_timeout:g} s",
            reason="header_timeout",
        )
        body = json.dumps(
            {
                "type": PROBLEM_BASE + error.slug,
                "title": error.title,
                "status": error.status,
                "detail": error.detail,
                **error.extra,
            }
        ).encode()
        head = (
            "HTTP/1.1 408 Request Timeout\r\n"
            f"content-type: {PROBLEM_JSON}\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        )
        self.transport.write(head.encode("ascii") + body)
        self.transport.close()


def head_deadline_protocol(header_timeout: float) -> type[HeadDeadlineH11]:
    """The protocol class for one server (uvicorn instantiates it per connection)."""
    return type("HeadDeadlineH11", (HeadDeadlineH11,), {"header_timeout": header_timeout})


def uvicorn_config(app: Any, *, host: str, port: int, settings: Settings) -> uvicorn.Config:
    """How every computegov server runs under uvicorn: h11 with the head deadline."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=head_deadline_protocol(settings.header_timeout_s),
        timeout_keep_alive=5,
    )
