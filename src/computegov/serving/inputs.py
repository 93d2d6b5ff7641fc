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
    their own policy (see `docs_routes`), with their one inline script allowed by its hash.
  - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (for old browsers),
  - `Referrer-Policy: same-origin`: URLs (chip and entry ids) never leak to another site, and
    a same-origin form POST still carries `Origin`, which the dashboard's login checks
    (`no-referrer` would make browsers send `Origin: null`),
  - `Cache-Control: no-store`: a response that shows private records is never kept by a
    browser or a proxy. Public, cacheable responses (tiles, the checkpoint, the stylesheet)
    set their own `Cache-Control`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import unquote_to_bytes

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
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


def _hashes(html: str, tag: str) -> list[str]:
    """CSP source expressions (`'sha256-...'`) for each inline `<tag>` element of a page."""
    bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.DOTALL)
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
        for b in bodies
    ]


def _page_with_policy(html: str, sources: dict[str, Iterable[str]]) -> HTMLResponse:
    policy = "; ".join(f"{kind} {' '.join(values)}" for kind, values in sources.items())
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def docs_routes(title: str, openapi_url: str = "/openapi.json") -> APIRouter:
    """`/docs` (Swagger UI) and `/redoc` as FastAPI serves them, under a policy that allows
    their CDN scripts and styles and, by hash, exactly their own inline script or style.
    Create the app with `docs_url=None, redoc_url=None` and include this router."""
    router = APIRouter(include_in_schema=False)
    cdn = "https://cdn.jsdelivr.net"
    common = {
        "default-src": ["'none'"],
        "connect-src": ["'self'"],
        "img-src": ["'self'", "data:", "https://fastapi.tiangolo.com"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
    }

    @router.get("/docs")
    def swagger() -> HTMLResponse:
        html = get_swagger_ui_html(openapi_url=openapi_url, title=f"{title} - API docs")
        text = bytes(html.body).decode()
        return _page_with_policy(
            text,
            {
                **common,
                "script-src": [cdn, *_hashes(text, "script")],
                "style-src": [cdn, "'unsafe-inline'"],  # styles it sets at run time; no script
            },
        )

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        html = get_redoc_html(openapi_url=openapi_url, title=f"{title} - ReDoc")
        text = bytes(html.body).decode()
        return _page_with_policy(
            text,
            {
                **common,
                "script-src": [cdn],
                "worker-src": ["blob:"],
                "style-src": ["https://fonts.googleapis.com", "'unsafe-inline'"],
                "font-src": ["https://fonts.gstatic.com"],
            },
        )

    return router
