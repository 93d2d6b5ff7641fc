"""Routes for parties, their keys and tokens (every mutation is a signed envelope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Format, Limit, Offset, list_response
from computegov.registry.parties import service as parties
from computegov.registry.reads import reader_session

router = APIRouter(prefix="/v1", tags=["parties"])
Token = Annotated[str | None, Depends(bearer_token)]


@router.get("/parties")
def list_parties(
    request: Request,
    token: Token,
    role: Annotated[str | None, Query(max_length=32)] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """The parties the caller may see, oldest first, filtered and paginated (`?format=csv`)."""
    with reader_session(store_of(request), token, "party.list", "parties") as (session, reader):
        rows = parties.visible_parties(session, reader)
        if role:
            rows = [p for p in rows if p.role == role]
        if country:
            rows = [p for p in rows if country.upper() in (p.country, p.hq_country)]
        page = rows[offset : offset + limit]
        items = [parties.party_dict(p, parties.keys_of(session, p.id)) for p in page]
    return list_response(
        request, total=len(rows), items=items, limit=limit, offset=offset, name="parties"
    )


@router.get("/parties/{party_id}")
def show_party(request: Request, party_id: str, token: Token) -> dict[str, Any]:
    """One party with its keys, if the caller may read it."""
    with reader_session(store_of(request), token, "party.read", party_id) as (session, reader):
        party = parties.get_party(session, party_id)
        from computegov.registry.actions import authorize

        authorize(session, reader, "party.read", parties.party_resource(party))
        result = parties.party_dict(party, parties.keys_of(session, party.id))
        parent = parties.ultimate_parent(session, party)
        result["ultimate_parent"] = {"id": parent.id, "hq_country": parent.hq_country}
        result["parent_chain"] = parties.ownership_chain(session, party)
        return result


add_signed_route(
    router,
    "/parties",
    "party.create",
    parties.create_party,
    201,
    "Create a party (`party.create`): the administrator, or a regulator within its "
    "jurisdiction. The response carries the new party's API token, shown once.",
)
add_signed_route(
    router, "/keys", "key.register", parties.register_key, 201, "Register a key (`key.register`)."
)
add_signed_route(
    router, "/keys/revoke", "key.revoke", parties.revoke_key, 200, "Revoke a key (`key.revoke`)."
)
add_signed_route(
    router, "/keys/rotate", "key.rotate", parties.rotate_key, 200, "Rotate a key (`key.rotate`)."
)
add_signed_route(
    router, "/tokens", "token.create", parties.create_token, 201, "Issue a token (`token.create`)."
)
add_signed_route(
    router, "/tokens/revoke", "token.revoke", parties.revoke_token, 200, "Revoke a token."
)
add_signed_route(
    router,
    "/audit/grants",
    "audit.grant",
    parties.grant_audit,
    201,
    "Grant an auditor read access to a party's records (`audit.grant`).",
)
