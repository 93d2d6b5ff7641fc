"""Is the port a server is about to listen on free? Asked before anything is built or written,
so a busy port costs nothing but a clear error."""

from __future__ import annotations

import errno
import socket

from computegov.errors import InvalidInput


def refuse_busy_port(host: str, port: int) -> None:
    """Raise InvalidInput (CLI: `error: ...`, exit 2) when `host:port` cannot be listened on:
    another process holds it, or the address is not this machine's."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As uvicorn binds: SO_REUSEADDR, so a port left in TIME_WAIT by a server that just
        # stopped is free, and only a listening process makes it busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InvalidInput(
                    f"port {port} on {host} is already in use (another server?); stop it or "
                    f"choose another port with --port (make serve PORT=...)"
                ) from None
            raise InvalidInput(f"cannot listen on {host}:{port}: {exc.strerror}") from None
