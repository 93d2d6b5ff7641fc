"""RFC 9457 problem details for every error computegov's HTTP servers return.

Each error is `application/problem+json` with `type`, `title`, `status` and `detail`, plus
members that say more (`reason`, `errors`, `fired`). Use cases raise the shared exceptions
of `computegov.errors`; these handlers render them, and the framework's own errors too. It
sits beside `errors` so that the ledger's router and the registry API render alike.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from computegov.errors import ComputegovError

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://computegov.example/problems/"


def problem_response(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """The one way a problem becomes a response."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 429 and "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


def error_response(exc: ComputegovError) -> JSONResponse:
    """The problem response for one of our exceptions."""
    return problem_response(exc.status, exc.slug, exc.title, exc.detail or str(exc), **exc.extra)


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error, ours and the framework's, as a problem response."""

    @app.exception_handler(ComputegovError)
    async def _ours(_: Request, exc: ComputegovError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(part) for part in err.get("loc", ())], "msg": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)
        # A malformed URL or header (path, query, header, cookie) is a bad request (400); a
        # well-formed body whose content does not validate stays 422.
        in_body = any(e["loc"][:1] == ["body"] for e in errors)
        return problem_response(
            422 if in_body else 400,
            "validation",
            "Request does not validate",
            detail,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            exc.status_code, f"http-{exc.status_code}", str(exc.detail), str(exc.detail)
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            500, "internal", "Internal error", f"an unexpected {type(exc).__name__} occurred"
        )
