"""The registry's pages (the dashboard `computegov serve` shows): server-rendered HTML from
Jinja2 templates, no front-end build.

A person logs in by pasting an API token at /login; it is kept in an HttpOnly, SameSite=Strict
cookie and every page decides access exactly as the API does (the same `reader_session`, so a
regulator's reads are recorded in the ledger). The two forms that change state, `POST /login`
and `POST /logout` (a GET never logs out), are taken only from a page of this server: the
browser's `Origin` must be this server's (see `_same_origin`), so no other site can log a
person in under its own token (login CSRF) or out. Every page carries the security headers of
`computegov.serving.inputs` (no script at all, no framing, `Cache-Control: no-store`). Without a
token, / shows the login form and the public parts only: the current checkpoint and the log's
verifier key. Errors on these pages render as HTML; the API under /v1 keeps its problem+json.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from functools import cache
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from computegov.api.deps import store_of
from computegov.api.lists import Offset
from computegov.errors import ComputegovError, Forbidden, Unauthenticated
from computegov.identity.access import default_matrix
from computegov.ledger import log
from computegov.registry.actions import authenticate, record_read
from computegov.registry.chips.models import CHIP_STATUSES
from computegov.registry.flags import service as flag_service
from computegov.registry.overview import dashboard
from computegov.registry.overview.stats import chip_stats
from computegov.registry.reads import opening_for, reader_session
from computegov.serving import BodyKind, accepts_body
from computegov.web.sign_in import sign_in_buttons

COOKIE = "computegov_token"
PAGE_SIZE = 50


@cache
def templates() -> Environment:
    """The packaged templates, HTML-escaped by default."""
    env = Environment(
        loader=PackageLoader("computegov.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["h100e"] = lambda v: "unknown" if v is None else f"{v:,.2f}"
    env.filters["count"] = lambda v: f"{v:,}"
    env.filters["label"] = lambda v: str(v).replace("_", " ")
    return env


def render(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
    """One template as a page; `reader` (or None) decides the header's login/logout."""
    context.setdefault("reader", None)
    context.setdefault("sign_in", sign_in_buttons(request))
    demo = bool(getattr(request.app.state, "sign_in", ()))
    context.setdefault("sign_in_withheld", demo and not context["sign_in"])
    html = templates().get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=code)


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    """A readable error page (the API's problem documents are for programs)."""
    return render(request, "error.html", status, title=title, detail=detail, status=status)


class PageRoute(APIRoute):
    """A route whose errors render as HTML pages instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated:
                return _to_login(request)
            except ComputegovError as exc:
                return error_page(request, exc.status, exc.title, exc.detail or str(exc))
            except RequestValidationError as exc:
                detail = "; ".join(
                    f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
                    for e in exc.errors()
                )
                return error_page(request, 400, "Bad request", detail)
            except StarletteHTTPException as exc:
                return error_page(request, exc.status_code, str(exc.detail), str(exc.detail))

        return page_handler


router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _token(request: Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def _to_login(request: Request) -> RedirectResponse:
    """Send a person without a (valid) token to the login form, back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _safe_next(target: str | None) -> str:
    """Only a path on this server (never `//host` or a full URL) is followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _same_origin(request: Request) -> None:
    """Refuse (403) a form POST that did not come from a page of this server.

    Browsers send `Origin` with every POST and a page cannot forge it; it must equal the origin
    the request was addressed to (scheme and `Host`). Without `Origin` (very old browsers) the
    fetch metadata `Sec-Fetch-Site: same-origin` is taken instead; a request with neither is
    refused, as a program has no reason to post these forms. Chosen over a CSRF token: it
    needs no pre-login cookie (which, on plain HTTP without the `__Host-` prefix, a sibling
    host could plant) and no state, and SameSite=Strict already keeps the cookie off every
    cross-site request once a person is logged in."""
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    origin = request.headers.get("origin")
    if origin is not None:
        if origin == own:
            return
        raise Forbidden(
            f"this form is taken only from a page of {own}, not from {origin}",
            reason="cross_origin",
        )
    if request.headers.get("sec-fetch-site") == "same-origin":
        return
    raise Forbidden(
        "this form is taken only from a page of this server (the browser sends `Origin`)",
        reason="cross_origin",
    )


def _public(request: Request) -> dict[str, Any]:
    store = store_of(request)
    with store.sessions() as session:
        return dashboard.checkpoint_summary(session, store.origin, store.verifier_key)


@router.get("/static/style.css")
def stylesheet() -> Response:
    """The pages' one stylesheet."""
    css = resources.files("computegov.web").joinpath("static/style.css").read_text()
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    """Chips by country and status with H100-equivalents, recent transfers, open flags and
    the checkpoint; without a token, the login form and the public checkpoint."""
    token = _token(request)
    checkpoint = _public(request)
    if token is None:
        return render(request, "login.html", checkpoint=checkpoint, next="/")
    store = store_of(request)
    try:
        with reader_session(store, token, "stats.read", "chips") as (session, reader):
            stats = chip_stats(session, reader, ["country", "status"])
            transfers = _optional(lambda: dashboard.recent_transfers(session, reader))
            flags = [f for f in flag_service.visible_flags(session, reader) if f.status == "open"]
            if reader.role in default_matrix().logged_reads:
                record_read(session, store, reader, "transfer.read", "transfers")
                record_read(session, store, reader, "flag.read", "flags")
            flag_items = flag_service.flag_dicts(session, flags[:20], reader)
            context: dict[str, Any] = {"reader": reader.legal_name, "role": reader.role}
    except Unauthenticated as exc:
        response = render(
            request, "login.html", 401, checkpoint=checkpoint, next="/", error=exc.detail
        )
        response.delete_cookie(COOKIE, path="/")
        return response
    return render(
        request,
        "overview.html",
        **context,
        table=_country_status_table(stats.items),
        chips=stats.chips,
        h100_equivalents=stats.h100_equivalents,
        transfers=transfers,
        flags=flag_items,
        open_flags=len(flags),
        checkpoint=checkpoint,
    )


def _optional(read: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
    """A section the reader's role may not read at all is left out (None), not an error."""
    try:
        return read()
    except Forbidden:
        return None


def _country_status_table(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Stats grouped by (country, status) as rows per country with a column per status."""
    statuses = [s for s in CHIP_STATUSES if any(i["status"] == s for i in items)]
    statuses += sorted({i["status"] for i in items} - set(statuses))
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        row = rows.setdefault(item["country"], {"country": item["country"], "counts": {}})
        row["counts"][item["status"]] = item["chips"]
        row["chips"] = row.get("chips", 0) + item["chips"]
        each, before = item["h100_equivalents"], row.get("h100_equivalents", 0.0)
        row["h100_equivalents"] = None if each is None or before is None else before + each
    return {"statuses": statuses, "rows": [rows[c] for c in sorted(rows)]}


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The form where a person pastes an API token."""
    return render(request, "login.html", checkpoint=_public(request), next=_safe_next(next))


@router.post("/login")
@accepts_body(BodyKind.TOKENLESS)  # its token is in the form; 4 KiB, rate-limited per address
def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the token; keep it in an HttpOnly, SameSite=Strict cookie and go on, or say why
    it was refused. Only from a page of this server (`_same_origin`)."""
    _same_origin(request)
    token = token.strip()
    try:
        with store_of(request).sessions() as session:
            authenticate(session, token)
    except Unauthenticated as exc:
        return render(
            request,
            "login.html",
            401,
            checkpoint=_public(request),
            next=_safe_next(next),
            error=exc.detail,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """Forget the token cookie and show the login form (the header's "Log out" button; only
    from a page of this server)."""
    _same_origin(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_by_link(request: Request) -> Response:
    """A link (or an image, or a prefetch) never logs anyone out: say how to."""
    page = error_page(
        request,
        405,
        "Log out with the button",
        "A link cannot log you out: open any page of the dashboard and use its Log out button.",
    )
    page.headers["Allow"] = "POST"
    return page


@router.get("/chips", response_class=HTMLResponse)
def chips(
    request: Request,
    country: Annotated[str | None, Query(max_length=2)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    model: Annotated[str | None, Query(max_length=64)] = None,
    offset: Offset = 0,
) -> Response:
    """The chips the reader may see, newest first, PAGE_SIZE a page."""
    with reader_session(store_of(request), _token(request), "chip.read", "chips") as (
        session,
        reader,
    ):
        page = dashboard.list_chips(
            session,
            reader,
            country=country,
            status=status,
            model=model,
            limit=PAGE_SIZE,
            offset=offset,
        )
        name = reader.legal_name
    filters = {k: v for k, v in (("country", country), ("status", status), ("model", model)) if v}

    def link(at: int) -> str:
        return "/chips?" + urlencode({**filters, "offset": at})

    return render(
        request,
        "chips.html",
        reader=name,
        page=page,
        filters=filters,
        offset=offset,
        shown_to=offset + len(page.items),
        previous=link(max(0, offset - PAGE_SIZE)) if offset > 0 else None,
        following=link(offset + PAGE_SIZE) if offset + PAGE_SIZE < page.total else None,
    )


@router.get("/chips/{chip_id}", response_class=HTMLResponse)
def chip(request: Request, chip_id: str) -> Response:
    """One chip and its chain of custody, each step with its ledger index and proof."""
    with reader_session(store_of(request), _token(request), "chip.read", chip_id) as (
        session,
        reader,
    ):
        page = dashboard.chip_history(session, reader, chip_id)
        name = reader.legal_name
    return render(request, "chip.html", reader=name, **page)


@router.get("/openings/{entry_id}", response_class=HTMLResponse)
def opening(
    request: Request,
    entry_id: str,
    format: Annotated[str | None, Query(pattern="^json$")] = None,
) -> Response:
    """A ledger record and its salt (the opening), for a reader allowed to read it; with
    `?format=json` as a file for `computegov ledger prove --opening FILE`."""
    with reader_session(store_of(request), _token(request), "log.opening.read", entry_id) as (
        session,
        reader,
    ):
        found = opening_for(session, reader, entry_id)
        status = log.pending_status(session, entry_id)
        name = reader.legal_name
    text = json.dumps(found, indent=2, ensure_ascii=False)
    if format == "json":
        return Response(
            text,
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="opening-{entry_id}.json"'},
        )
    return render(request, "opening.html", reader=name, opening=found, text=text, **status)
