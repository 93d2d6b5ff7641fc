"""The API docs pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), served without the internet.

Their scripts, stylesheet and icon come from the `fastapi-offline` package, which ships
swagger-ui-dist's bundle and ReDoc's standalone bundle, and are served by this server under
`/docs/assets/`: a registry on a machine with no way out, or a reader who does not want a
CDN to learn who reads which API, still gets its docs. Nothing on either page is fetched from
anywhere but the server itself, and each page's Content-Security-Policy says so:

  - `/docs`: scripts from this server plus, by hash, exactly the one inline script FastAPI
    writes (the one that starts Swagger UI); styles from this server only; images from this
    server and `data:` (Swagger UI's icons); `connect-src 'self'` for the OpenAPI document and
    "Try it out".
  - `/redoc`: scripts from this server; styles from this server and inline (ReDoc writes its
    styles into `<style>` elements as it renders, so they cannot be listed by hash); its search
    index runs in a worker made from a `blob:` URL; images from this server and `data:`. The
    one URL of another site the bundle would load (Redocly's logo) is rewritten away.

Both forbid framing, `<base>` and form submissions; tests/registry/test_api_docs_browser.py
renders both in Chromium with every request that leaves 127.0.0.1 blocked, and checks that the
console reports no policy violation.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from computegov.problems import problem_response

ASSETS_PATH = "/docs/assets"
# name -> media type, of the files served from the package; nothing else is served from it
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
_PACKAGE = "fastapi_offline"


# ReDoc's bundle shows Redocly's logo in its menu from Redocly's CDN, unconditionally; the
# page's policy refuses it (a violation in the console) and an offline reader never gets it.
# Served with an empty image instead, which ReDoc hides (its `onError`); the link stays.
_REWRITES = {
    "redoc.standalone.js": [(b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"data:,")],
}


@cache
def asset(name: str) -> bytes:
    """The bytes of one of `ASSETS`, as the installed package ships them (less any URL of
    another site in `_REWRITES`)."""
    data = (files(_PACKAGE) / "static" / name).read_bytes()
    for old, new in _REWRITES.get(name, []):
        data = data.replace(old, new)
    return data


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


COMMON_POLICY: dict[str, list[str]] = {
    "default-src": ["'none'"],
    "connect-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'none'"],
}


def docs_routes(title: str, openapi_url: str = "/openapi.json") -> APIRouter:
    """`/docs`, `/redoc` and their assets. Create the app with `docs_url=None,
    redoc_url=None` and include this router."""
    router = APIRouter(include_in_schema=False)
    favicon = f"{ASSETS_PATH}/favicon.png"

    @router.get("/docs")
    def swagger() -> HTMLResponse:
        html = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - API docs",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=favicon,
            # no badge fetched from the public validator
            swagger_ui_parameters={"validatorUrl": None},
        )
        text = bytes(html.body).decode()
        return _page_with_policy(
            text,
            {
                **COMMON_POLICY,
                "script-src": ["'self'", *_hashes(text, "script")],
                "style-src": ["'self'"],
            },
        )

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        html = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
        return _page_with_policy(
            bytes(html.body).decode(),
            {
                **COMMON_POLICY,
                "script-src": ["'self'"],
                "worker-src": ["blob:"],
                "style-src": ["'self'", "'unsafe-inline'"],
            },
        )

    @router.get(ASSETS_PATH + "/{name}")
    def docs_asset(name: str) -> Response:
        if name not in ASSETS:
            return problem_response(
                404, "not-found", "Not found", f"no API docs asset is named {name!r}"
            )
        return Response(
            asset(name),
            media_type=ASSETS[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )

    return router
