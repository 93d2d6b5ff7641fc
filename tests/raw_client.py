"""A raw HTTP/1.1 client over a socket, for tests that must control what a server receives and
when: a head or a body sent slowly, a body announced and never sent. Every wait is bounded."""

from __future__ import annotations

import json
import select
import socket
import time
from dataclasses import dataclass
from typing import Any

BOUND_S = 30.0  # no test waits longer than this for a server, whatever the server does


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class RawClient:
    """One TCP connection to 127.0.0.1:`port`."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=BOUND_S)
        self.buffer = b""

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.sock.close()

    def send(self, data: bytes) -> bool:
        """Send bytes; False once the server has closed the connection."""
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            return False
        return True

    def answered(self) -> bool:
        """Whether the server has sent something (or closed) by now, without waiting."""
        return bool(self.buffer) or bool(select.select([self.sock], [], [], 0)[0])

    def trickle(self, piece: bytes, *, every: float = 0.1) -> bool:
        """Send `piece` every `every` seconds until the server answers or closes, for at most
        BOUND_S; True when it did answer within the bound."""
        end = time.monotonic() + BOUND_S
        while time.monotonic() < end:
            if self.answered() or not self.send(piece):
                return True
            time.sleep(every)
        return False

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def response(self) -> RawResponse:
        """Read one response (raises socket.timeout after BOUND_S without one)."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError(f"closed before a response: {self.buffer!r}")
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                break
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return RawResponse(int(status_line.split()[1]), headers, body)

    def closed_by_server(self) -> bool:
        """Whether the server closes the connection (EOF or reset) within the bound."""
        try:
            while self._fill():
                pass
        except ConnectionResetError:
            pass
        except TimeoutError:
            return False
        return True


def head(method: str, path: str, *lines: str) -> bytes:
    """A request head (the blank line included) with a Host header."""
    return (
        "\r\n".join([f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *lines]) + "\r\n\r\n"
    ).encode("latin-1")


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"
