"""RFC 9457 problem details for every error the HTTP API returns.

Each error is `application/problem+json` with `type`, `title`, `status` and `detail`, plus
members that say more (`reason`, `errors`, `fired`). Nothing here knows about use cases:
they raise the shared exceptions, and these handlers render them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from computegov.errors import ComputegovError, InvalidInput, NotFound

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://computegov.example/problems/"


class Problem(ComputegovError):
    """An error with an HTTP status; `extra` members are added to the problem object."""

    def __init__(
        self, status: int, slug: str, title: str, detail: str, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.extra = extra


def problem_response(
    status: int, slug: str, title: str, detail: str, **extra: Any
) -> JSONResponse:
    """The one way a problem becomes a response."""
    body = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error, ours and the framework's, as a problem response."""

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.slug, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return problem_response(404, "not-found", "Not found", str(exc))

    @app.exception_handler(InvalidInput)
    async def _invalid(_: Request, exc: InvalidInput) -> JSONResponse:
        return problem_response(400, "invalid-input", "Invalid input", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(part) for part in err.get("loc", ())], "msg": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)  # type: ignore[arg-type]
        return problem_response(422, "validation", "Request does not validate", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized"}
        title = titles.get(exc.status_code, "HTTP error")
        return problem_response(
            exc.status_code, f"http-{exc.status_code}", title, str(exc.detail)
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            500, "internal", "Internal error", f"an unexpected {type(exc).__name__} occurred"
        )
