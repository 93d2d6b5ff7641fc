"""The ledger over HTTP: the C2SP tlog-tiles read API and the JSON `/v1/log` endpoints.

`ledger_router(store)` is mounted by the registry server and by `computegov ledger serve`.
Errors are RFC 9457 problem details; parameters are parsed here (not by FastAPI) so that even
a malformed one gets a problem document that says what would be accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from computegov.errors import InvalidInput
from computegov.ledger import log, tiles
from computegov.problems import error_response, install_problem_handlers
from computegov.serving.docs import docs_routes
from computegov.serving.inputs import install_http_guards
from computegov.store import Store

MAX_INDEX = 2**63 - 1
"""The largest index or size taken: a signed 64-bit integer, as both databases store them."""


def _int(name: str, raw: str | None) -> int:
    """A whole number in ASCII digits, 0 to MAX_INDEX (`str.isdigit` alone also passes `²`
    and other scripts' digits, and `int()` refuses numbers over 4,300 digits)."""
    if raw is None:
        raise InvalidInput(f"the query parameter {name} is missing; give a whole number >= 0")
    if not (raw.isascii() and raw.isdigit()):
        shown = raw if len(raw) <= 40 else raw[:40] + "..."
        raise InvalidInput(f"{name}={shown!r} is not a whole number >= 0 in digits 0-9")
    if len(raw) > len(str(MAX_INDEX)) or int(raw) > MAX_INDEX:
        shown = raw if len(raw) <= 40 else f"a number of {len(raw)} digits"
        raise InvalidInput(f"{name}={shown} is too large; at most {MAX_INDEX}")
    return int(raw)


def _documented(*names: str) -> dict[str, Any]:
    """OpenAPI for query parameters parsed here by `_int`, so docs and fuzzers know them."""
    whole = {"type": "integer", "minimum": 0, "maximum": MAX_INDEX}
    return {
        "parameters": [{"name": n, "in": "query", "required": True, "schema": whole} for n in names]
    }


def ledger_router(store: Store) -> APIRouter:
    """The ledger's routes over `store` (tiles and checkpoint at the root, JSON under /v1/log)."""
    router = APIRouter()
    nodes = log.stored_tile_nodes(store)
    floor = log.SizeFloor()

    def serve(build: Callable[[Any], Response]) -> Response:
        try:
            with store.sessions() as session:
                return build(session)
        except InvalidInput as exc:
            return error_response(exc)

    @router.get("/checkpoint", tags=["ledger"])
    def checkpoint() -> Response:
        """The latest signed checkpoint (C2SP tlog-checkpoint in a signed note)."""
        return serve(
            lambda s: Response(
                log.latest_checkpoint(s).note,
                media_type="text/plain; charset=utf-8",
                headers={"Cache-Control": "no-cache"},
            )
        )

    @router.get("/tile/{path:path}", tags=["ledger"])
    def tile(path: str) -> Response:
        """A hash tile `tile/<L>/<N>[.p/<W>]` or an entry bundle `tile/entries/<N>[.p/<W>]`."""

        def build(session: Any) -> Response:
            level, index, width = tiles.parse_tile_path("tile/" + path)
            if level is None:
                data = log.entry_bundle(session, index, width)
            else:
                data = log.tile_bytes(session, level, index, width)
            immutable = width == tiles.TILE_WIDTH
            cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
            return Response(
                data, media_type="application/octet-stream", headers={"Cache-Control": cache}
            )

        return serve(build)

    @router.get("/v1/log/key", tags=["ledger"])
    def key() -> Response:
        """The log's verifier key (signed-note vkey) and origin."""
        return JSONResponse({"origin": store.origin, "verifier_key": store.verifier_key})

    @router.get("/v1/log/entries/{index}", tags=["ledger"])
    def entry(index: str) -> Response:
        """The leaf at an index and its leaf hash (base64)."""
        return serve(lambda s: JSONResponse(log.entry(s, _int("index", index))))

    @router.get(
        "/v1/log/proof/inclusion", tags=["ledger"], openapi_extra=_documented("index", "size")
    )
    def inclusion(request: Request) -> Response:
        """An inclusion proof: ?index=I&size=N."""
        q = request.query_params
        return serve(
            lambda s: JSONResponse(
                log.inclusion(
                    s, _int("index", q.get("index")), _int("size", q.get("size")), nodes, floor
                )
            )
        )

    @router.get(
        "/v1/log/proof/consistency", tags=["ledger"], openapi_extra=_documented("old", "new")
    )
    def consistency(request: Request) -> Response:
        """A consistency proof: ?old=M&new=N."""
        q = request.query_params
        return serve(
            lambda s: JSONResponse(
                log.consistency(
                    s, _int("old", q.get("old")), _int("new", q.get("new")), nodes, floor
                )
            )
        )

    @router.get("/v1/log/pending/{entry_id}", tags=["ledger"])
    def pending(entry_id: str) -> Response:
        """Whether an appended entry has been integrated, and its index once it has."""
        return serve(lambda s: JSONResponse(log.pending_status(s, entry_id)))

    return router


def ledger_app(store: Store, *, integrate_every: float | None = 0.25) -> FastAPI:
    """A server of the ledger alone (`computegov ledger serve`), integrating in the background."""
    from computegov.ledger.integrator import IntegratorLoop, running
    from computegov.serving import install_limits

    workers = [IntegratorLoop(store, interval=integrate_every)] if integrate_every else []
    app = FastAPI(
        title="computegov ledger", lifespan=running(*workers), docs_url=None, redoc_url=None
    )
    install_problem_handlers(app)
    install_limits(app, store.settings)  # rates and body limits; this server takes no tokens
    install_http_guards(app)
    app.include_router(docs_routes(app.title))
    app.include_router(ledger_router(store))
    return app
