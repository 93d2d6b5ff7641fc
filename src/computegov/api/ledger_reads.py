"""Routes that read the registry's private side of the ledger, and the server's identity."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from computegov import __version__
from computegov.api import flags as flags_routes
from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Format, Limit, Offset, list_response
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import authorize
from computegov.registry.parties import screening
from computegov.registry.reads import opening_for, reader_session

router = APIRouter(prefix="/v1")
Token = Annotated[str | None, Depends(bearer_token)]


@router.get("/info", tags=["registry"])
def info(request: Request) -> dict[str, Any]:
    """Who this registry is: the log origin (envelopes are addressed to it), its verifier key
    and the server's clock, which decides every deadline."""
    store = store_of(request)
    return {
        "origin": store.origin,
        "verifier_key": store.verifier_key,
        "time": to_wire(store.clock.now()),
        "version": __version__,
    }


@router.get("/log/openings/{entry_id}", tags=["ledger"])
def opening(request: Request, entry_id: str, token: Token) -> dict[str, Any]:
    """A ledger record and its salt (the "opening") for a reader the access matrix allows:
    check it against the public leaf with `computegov ledger prove --opening FILE`."""
    with reader_session(store_of(request), token, "log.opening.read", entry_id) as (
        session,
        reader,
    ):
        return opening_for(session, reader, entry_id)


@router.get("/screening/lists", tags=["screening"])
def screening_lists(
    request: Request,
    token: Token,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Every screening list (active and withdrawn) with its owner, oldest first, paginated
    (`?format=csv`); the entries themselves are not shown."""
    with reader_session(store_of(request), token, "screening.read", "screening/lists") as (
        session,
        reader,
    ):
        authorize(session, reader, "screening.read", Resource(id="screening/lists"))
        rows = screening.all_lists(session)
        items = [screening.list_dict(row) for row in rows[offset : offset + limit]]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="screening-lists"
    )


add_signed_route(
    router,
    "/screening/lists",
    "screening.import",
    screening.import_list,
    201,
    "Import a screening list in the Consolidated Screening List CSV format "
    "(`screening.import`). The list belongs to the importer: importing a name it already "
    "uses replaces its own list of that name (another party's list of the same name is "
    "untouched). Every party is screened again against every active list; matches are "
    "flagged, and the flags the replaced list raised that no longer match are closed. A "
    "match refuses transfers only where the owner's jurisdiction reaches.",
)
add_signed_route(
    router,
    "/screening/lists/withdraw",
    "screening.withdraw",
    screening.withdraw_list,
    200,
    "Withdraw a screening list (`screening.withdraw`, its owner only; body `list_id`, "
    "optional `reason`): its entries go and every flag it raised that still stands is "
    "closed, with the reason in the flag's history.",
)
# The flags' routes, under /v1 as these are.
router.include_router(flags_routes.router)
