"""Whether a server can listen where it was told to, asked before it does anything else.

A server that opened its store first would write files (a fresh data directory's database,
the log key, the administrator's token), announce where it serves, and only then fail to
listen. `refuse_busy_port` binds a socket to the address as uvicorn will (same family, same
`SO_REUSEADDR`, so a port in TIME_WAIT is not taken for busy) and lets it go at once. Another
program can still take the port between this check and uvicorn's bind; then uvicorn fails as
before, having written only what a start writes anyway.
"""

from __future__ import annotations

import errno
import socket

from computegov.errors import InvalidInput

SUGGESTIONS_TRIED = 50  # ports above a busy one looked at for a free one to suggest


def http_url(host: str, port: int) -> str:
    """The URL of a server listening on `host:port` (an IPv6 address in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _bind_error(host: str, port: int) -> OSError | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc
    return None


def _free_port_above(host: str, port: int) -> int | None:
    for candidate in range(port + 1, min(port + 1 + SUGGESTIONS_TRIED, 65536)):
        if _bind_error(host, candidate) is None:
            return candidate
    return None


def refuse_busy_port(host: str, port: int, *, commands: tuple[str, ...] = ()) -> None:
    """Raise `InvalidInput` (a one-line `error:`, exit 2, from the CLI) when a server could
    not listen on `host:port`: the port is taken, out of range, or the address is not this
    machine's. `commands` are how to start the server elsewhere, each with `{port}` where a
    free port goes (for example "make serve PORT={port}", "computegov serve --port {port}")."""
    if not 0 < port < 65536:
        raise InvalidInput(f"port {port} is not a TCP port; choose one from 1 to 65535")
    error = _bind_error(host, port)
    if error is None:
        return
    if error.errno == errno.EADDRINUSE:
        free = _free_port_above(host, port)
        suggestion = ""
        if commands and free is not None:
            ways = " or ".join(f"`{c.format(port=free)}`" for c in commands)
            suggestion = f"; port {free} is free: {ways}"
        elif commands:
            suggestion = "; choose another with " + " or ".join(
                f"`{c.format(port='PORT')}`" for c in commands
            )
        raise InvalidInput(
            f"port {port} on {host} is already in use by another program "
            f"(another computegov server?){suggestion}"
        )
    if error.errno == errno.EACCES:
        raise InvalidInput(
            f"this user may not listen on port {port} (ports below 1024 need privileges); "
            "choose a port from 1024 up"
        )
    raise InvalidInput(f"cannot listen on {host}:{port}: {error.strerror or error}")
