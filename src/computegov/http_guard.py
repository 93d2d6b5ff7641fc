"""What every computegov HTTP server does before routing a request.

Before routing (`InputGuard`): a request whose path or query string holds a NUL character
(`%00`) is refused with a 400 problem document. No name, id, country or instant computegov
takes contains one, and PostgreSQL cannot store or compare a text holding one, so refusing
it here, once, keeps every route (API, ledger and dashboard alike) from failing with a 500
when such a value reaches a query.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from computegov.problems import problem_response


def nul_refusal(path: str, query_string: bytes) -> str | None:
    """Why a request must be refused before routing, or None: a NUL in its path or query."""
    if "\x00" in path:
        return "the URL path holds a NUL character (%00); no id or name contains one"
    if b"\x00" in unquote_to_bytes(query_string.replace(b"+", b" ")):
        return "the query string holds a NUL character (%00); no parameter value may contain one"
    return None


class InputGuard:
    """ASGI middleware: refuse, with a 400 problem document, what no route can take."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            why = nul_refusal(scope.get("path", ""), scope.get("query_string", b""))
            if why is not None:
                response = problem_response(400, "invalid-input", "Invalid input", why)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_http_guards(app: FastAPI) -> None:
    """Refuse NULs before routing."""
    app.add_middleware(InputGuard)
