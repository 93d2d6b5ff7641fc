"""Routes that read the registry's private side of the ledger, and the server's identity."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from computegov import __version__
from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Format, Limit, Offset, list_response
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import authorize
from computegov.registry.flags import service as flag_service
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


@router.get("/flags", tags=["screening"])
def flags(
    request: Request,
    token: Token,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Flags the caller may see (regulators: those touching their jurisdiction), oldest first,
    paginated (`?format=csv`)."""
    with reader_session(store_of(request), token, "screening.read", "flags") as (session, reader):
        authorize(session, reader, "screening.read", Resource(id="flags"))
        rows = flag_service.visible_flags(session, reader)
        items = [flag_service.flag_dict(flag) for flag in rows[offset : offset + limit]]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="flags"
    )


add_signed_route(
    router,
    "/screening/lists",
    "screening.import",
    screening.import_list,
    201,
    "Import (replace) a named screening list in the Consolidated Screening List CSV format "
    "(`screening.import`); every party is screened again and matches are flagged.",
)
