"""Routes that read the registry's private side of the ledger, and the server's identity."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from computegov import __version__
from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Format, Limit, Offset, list_response
from computegov.errors import NotFound
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import authorize
from computegov.registry.flags import service as flag_service
from computegov.registry.flags.models import Flag
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
        items = flag_service.flag_dicts(session, rows[offset : offset + limit])
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="flags"
    )


@router.get("/flags/{flag_id}", tags=["screening"])
def show_flag(
    request: Request,
    flag_id: Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_]+$")],
    token: Token,
) -> dict[str, Any]:
    """One flag with its evidence and history (who moved it to which state, why, when), for
    the administrator or a regulator of a country it touches."""
    with reader_session(store_of(request), token, "flag.read", flag_id) as (session, reader):
        flag = session.get(Flag, flag_id)
        if flag is None:
            raise NotFound(f"no flag with id {flag_id!r}")
        action = flag_service.flag_read_action(flag)
        authorize(session, reader, action, flag_service.flag_resource(session, flag))
        return flag_service.flag_dicts(session, [flag])[0]


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
add_signed_route(
    router,
    "/flags/close",
    "flag.close",
    flag_service.close_flag,
    200,
    "Close a flag (`flag.close`; body `flag_id`, `reason`): a regulator of the flagged "
    "party's jurisdiction (for a flag on a transfer, of a country it touches). The step, "
    "with who, why and when, is in the flag's history; a closed screening match no longer "
    "refuses transfers.",
)
