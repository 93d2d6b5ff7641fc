"""Routes for flags: the flags a party may see (JSON or CSV, filtered), one flag with its
history, and the signed steps of its workflow (`registry.flags`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Format, Limit, Offset, list_response
from computegov.registry.actions import scopes_for
from computegov.registry.flags import service, steps
from computegov.registry.reads import reader_session

router = APIRouter(tags=["flags"])
Token = Annotated[str | None, Depends(bearer_token)]
Id = r"^[A-Za-z0-9_]+$"
State = Literal["open", "assigned", "disputed", "resolved", "closed"]


@router.get("/flags")
def flags(
    request: Request,
    token: Token,
    status: Annotated[State | None, Query(description="only flags in this state")] = None,
    kind: Annotated[
        str | None, Query(max_length=64, pattern=r"^[a-z0-9_]+$", description="only this kind")
    ] = None,
    assignee: Annotated[
        str | None, Query(max_length=32, pattern=Id, description="only those assigned to")
    ] = None,
    mine: Annotated[bool, Query(description="only those assigned to you, or flagging you")] = False,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Flags the caller may see, oldest first, each with its evidence and history: the
    administrator all but those about confidential records; a regulator those touching its
    jurisdiction; any other party the flags on itself (the flagged party). Paginated
    (`?format=csv`)."""
    with reader_session(store_of(request), token, "flag.read", "flags") as (session, reader):
        scopes_for(reader, "flag.read")
        rows = service.visible_flags(
            session, reader, status=status, kind=kind, assignee=assignee, mine=mine
        )
        items = service.flag_dicts(session, rows[offset : offset + limit], reader)
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="flags"
    )


@router.get("/flags/{flag_id}")
def show_flag(
    request: Request,
    flag_id: Annotated[str, Path(max_length=32, pattern=Id)],
    token: Token,
) -> dict[str, Any]:
    """One flag with its evidence and history (each step: who moved it to which state, why,
    when, what it carried, its ledger entry), for those who may see it; 404 for a party that
    may not."""
    with reader_session(store_of(request), token, "flag.read", flag_id) as (session, reader):
        flag, _ = service.flag_for(session, reader, flag_id, "flag.read")
        return service.flag_dicts(session, [flag], reader)[0]


add_signed_route(
    router,
    "/flags/assign",
    "flag.assign",
    steps.assign_flag,
    200,
    "Assign a flag to an official (`flag.assign`; body `flag_id`, `assignee_id`, optional "
    "`reason`): a regulator of the flag's countries, to a regulator party whose "
    "jurisdiction includes one of them (anyone else is refused, 422).",
)
add_signed_route(
    router,
    "/flags/comment",
    "flag.comment",
    steps.comment_flag,
    200,
    "Comment on a flag (`flag.comment`; body `flag_id`, `text`): a regulator of the flag's "
    "countries or the flagged party. The flag keeps its state; the comment is in its history.",
)
add_signed_route(
    router,
    "/flags/dispute",
    "flag.dispute",
    steps.dispute_flag,
    200,
    "Dispute a flag (`flag.dispute`; body `flag_id`, `reason`, `evidence`: 1 to "
    f"{steps.MAX_EVIDENCE_ITEMS} items `{{kind, reference, note}}`): the flagged party alone, "
    "while the flag is open or assigned.",
)
add_signed_route(
    router,
    "/flags/resolve",
    "flag.resolve",
    steps.resolve_flag,
    200,
    "Resolve a flag with a reason (`flag.resolve`; body `flag_id`, `reason`): a regulator of "
    "the flag's countries, while it is open, assigned or disputed.",
)
add_signed_route(
    router,
    "/flags/close",
    "flag.close",
    service.close_flag,
    200,
    "Close a flag (`flag.close`; body `flag_id`, `reason`): a regulator of the flagged "
    "party's jurisdiction (for a flag on a transfer, of a country it touches). The step, "
    "with who, why and when, is in the flag's history; a closed screening match no longer "
    "refuses transfers.",
)
