"""What every computegov HTTP server does before routing a request and to every response.

Before routing (`InputGuard`): a request whose path or query string holds a NUL character
(`%00`) is refused with a 400 problem document. No name, id, country or instant computegov
takes contains one, and PostgreSQL cannot store or compare a text holding one, so refusing
it here, once, keeps every route (API, ledger and dashboard alike) from failing with a 500
when such a value reaches a query.

Every response (`SecurityHeaders`) carries, unless the route set its own:
  - `Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self';
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'`: the dashboard has no script
    at all and only its own stylesheet; nothing may frame any page. The API docs pages set
    their own policy (`computegov.serving.docs`).
  - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (for old browsers),
  - `Referrer-Policy: same-origin`: URLs (chip and entry ids) never leak to another site, and
    a same-origin form POST still carries `Origin`, which the dashboard's login checks
    (`no-referrer` would make browsers send `Origin: null`),
  - `Cache-Control: no-store`: a response that shows private records is never kept by a
    browser or a proxy. Public, cacheable responses (tiles, the checkpoint, the stylesheet)
    set their own `Cache-Control`.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from computegov.problems import problem_response

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": PAGE_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


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


class SecurityHeaders:
    """ASGI middleware: add `SECURITY_HEADERS` to every response that did not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_http_guards(app: FastAPI) -> None:
    """Refuse NULs before routing and add the security headers to every response (the
    headers outermost, so that refusals carry them too)."""
    app.add_middleware(InputGuard)
    app.add_middleware(SecurityHeaders)
