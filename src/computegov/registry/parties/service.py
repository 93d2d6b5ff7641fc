"""Parties and their keys and tokens: create, read, register, rotate, revoke.

Only the administrator and regulators create parties (a regulator only within its
jurisdiction: located and headquartered there, with a parent it may see there; and never
another regulator); a party manages its own keys and tokens.
Every change is a signed action and a ledger entry (see `registry.actions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from computegov.countries import parse_country
from computegov.errors import Conflict, Forbidden, InvalidInput, NotFound
from computegov.identity.access import Resource, default_matrix
from computegov.identity.keys import decode_public_key, encode_public_key, key_id
from computegov.identity.tokens import new_token, token_hash
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult, actor_of
from computegov.registry.bodies import Body, parse_body
from computegov.registry.ids import new_id
from computegov.registry.parties.duplicates import refuse_duplicate
from computegov.registry.parties.models import ApiToken, AuditGrant, Party, PartyKey

ROLES = (
    "regulator",
    "manufacturer",
    "distributor",
    "cloud_provider",
    "ai_developer",
    "auditor",
    "test_lab",
)
MAX_PARENT_DEPTH = 64


class PartyCreate(Body):
    legal_name: str = Field(min_length=1, max_length=300)
    role: str
    country: str
    hq_country: str | None = None
    parent_id: str | None = None
    # The share of the new party its parent owns, in percent (0 < share <= 100).
    parent_share: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    jurisdiction: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list, max_length=50)
    public_keys: list[str] = Field(min_length=1, max_length=10)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        return value

    @field_validator("country", "hq_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else parse_country(value)

    @field_validator("jurisdiction")
    @classmethod
    def _jurisdiction(cls, value: list[str]) -> list[str]:
        return sorted({parse_country(code) for code in value})


class KeyRegister(Body):
    party_id: str
    public_key: str


class KeyRevoke(Body):
    key_id: str
    reason: str = Field(default="", max_length=500)


class KeyRotate(Body):
    old_key_id: str
    public_key: str


class TokenCreate(Body):
    party_id: str
    label: str = Field(default="", max_length=200)


class TokenRevoke(Body):
    token_id: str


class AuditGrantCreate(Body):
    auditor_id: str
    resource_id: str


def party_dict(party: Party, keys: Sequence[PartyKey] = ()) -> dict[str, Any]:
    """The API view of a party."""
    return {
        "id": party.id,
        "legal_name": party.legal_name,
        "aliases": list(party.aliases or ()),
        "role": party.role,
        "country": party.country,
        "hq_country": party.hq_country,
        "parent_id": party.parent_id,
        "parent_share": party.parent_share,
        "jurisdiction": list(party.jurisdiction or ()),
        "created_at": to_wire(party.created_at),
        "entry_id": party.entry_id,
        "keys": [key_dict(key) for key in keys],
    }


def key_dict(key: PartyKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "public_key": encode_public_key(key.public_key),
        "created_at": to_wire(key.created_at),
        "revoked_at": to_wire(key.revoked_at) if key.revoked_at else None,
        "replaced_by": key.replaced_by,
        "entry_id": key.entry_id,
    }


def party_resource(party: Party) -> Resource:
    """What access decisions about a party look at: itself, where it is, and where it is HQ'd."""
    countries = {c for c in (party.country, party.hq_country) if c}
    return Resource(id=party.id, owners=frozenset({party.id}), countries=frozenset(countries))


def get_party(session: Session, party_id: str) -> Party:
    """The party with this id, or NotFound."""
    party = session.get(Party, party_id)
    if party is None:
        raise NotFound(f"no party with id {party_id!r}")
    return party


def keys_of(session: Session, party_id: str) -> list[PartyKey]:
    return list(
        session.scalars(
            sa.select(PartyKey).where(PartyKey.party_id == party_id).order_by(PartyKey.created_at)
        )
    )


def ultimate_parent(session: Session, party: Party) -> Party:
    """Follow the ownership chain to its top (the export rules' headquarters test uses it)."""
    seen = {party.id}
    current = party
    while current.parent_id is not None:
        current = get_party(session, current.parent_id)
        if current.id in seen or len(seen) > MAX_PARENT_DEPTH:
            raise Conflict(f"the ownership chain of {party.id} loops")
        seen.add(current.id)
    return current


def ownership_chain(session: Session, party: Party) -> list[dict[str, Any]]:
    """Each link from `party` up to its ultimate parent: who owns it and what share (percent;
    None where not stated). Ids and shares only: an owner's record is read by its own rights."""
    links = []
    seen = {party.id}
    current = party
    while current.parent_id is not None and len(seen) <= MAX_PARENT_DEPTH:
        links.append(
            {"id": current.id, "owned_by": current.parent_id, "share_percent": current.parent_share}
        )
        parent = session.get(Party, current.parent_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        current = parent
    return links


def _new_key(ctx: ActionContext, party_id: str, public_key: str) -> PartyKey:
    raw = decode_public_key(public_key, what="party key")
    kid = key_id(raw)
    if ctx.session.get(PartyKey, kid) is not None:
        raise Conflict(f"key {kid} is already registered; a key belongs to one party only")
    key = PartyKey(
        key_id=kid,
        party_id=party_id,
        public_key=raw,
        created_at=ctx.now,
        revoked_at=None,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(key)
    return key


def _parent_for(ctx: ActionContext, parent_id: str) -> Party:
    """The parent a creator names: any party for the administrator; otherwise one the creator
    may read and that is located or headquartered in its jurisdiction. A party that does not
    exist and one the creator may not name get the same answer (no existence oracle)."""
    parent = ctx.session.get(Party, parent_id)
    if ctx.party.role == "administrator" and parent is not None:
        return parent
    if parent is not None:
        resource = party_resource(parent)
        readable = default_matrix().decide(actor_of(ctx.session, ctx.party), "party.read", resource)
        if readable.allowed and set(ctx.party.jurisdiction or ()) & resource.countries:
            return parent
    raise NotFound(
        f"parent_id: no party with id {parent_id!r} that you may name as a parent (one you may "
        "see, in your jurisdiction; the administrator may name any)",
        reason="unknown_parent",
    )


def create_party(ctx: ActionContext) -> ActionResult:
    """Create a party with its first keys and an API token (shown once, in this response)."""
    body = parse_body(PartyCreate, ctx.body)
    hq = body.hq_country or body.country
    ctx.authorize("party.create", Resource(countries=frozenset({body.country})))
    if ctx.party.role != "administrator" and hq not in (ctx.party.jurisdiction or ()):
        raise Forbidden(
            f"hq_country {hq} is outside your jurisdiction "
            f"({', '.join(ctx.party.jurisdiction or ()) or 'none'}); only the administrator "
            "creates a party headquartered there",
            reason="access",
        )
    if body.role == "regulator" and ctx.party.role != "administrator":
        raise Forbidden("only the administrator creates regulators", reason="access")
    if body.role == "regulator" and not body.jurisdiction:
        raise InvalidInput("a regulator needs a jurisdiction: one or more country codes")
    if body.role != "regulator" and body.jurisdiction:
        raise InvalidInput("only regulators have a jurisdiction; leave it empty")
    if body.parent_share is not None and body.parent_id is None:
        raise InvalidInput("parent_share is the share a parent owns: give parent_id too")
    if body.parent_id is not None:
        _parent_for(ctx, body.parent_id)
    refuse_duplicate(ctx.session, body.legal_name, body.role, body.country, body.jurisdiction)
    party = Party(
        id=new_id("pty"),
        legal_name=body.legal_name,
        aliases=list(body.aliases),
        role=body.role,
        country=body.country,
        hq_country=hq,
        parent_id=body.parent_id,
        parent_share=body.parent_share,
        jurisdiction=list(body.jurisdiction),
        created_at=ctx.now,
        created_by=ctx.party.id,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(party)
    ctx.session.flush()
    keys = [_new_key(ctx, party.id, text) for text in body.public_keys]
    token = new_token()
    token_row = ApiToken(
        id=new_id("tok"),
        party_id=party.id,
        token_hash=token_hash(token),
        label="issued at creation",
        created_at=ctx.now,
    )
    ctx.session.add(token_row)
    from computegov.registry.parties.screening import screen_party

    flags = screen_party(ctx.session, party, ctx.now)
    ctx.session.flush()
    return ActionResult(
        body={
            "party": party_dict(party, keys),
            "token": token,
            "token_id": token_row.id,
            "flags": flags,
        },
        status=201,
        subjects=[party.id],
        countries=sorted({body.country, hq}),
        stamp=[party, *keys],
        secrets={"token": _token_withheld(token_row.id)},
    )


def register_key(ctx: ActionContext) -> ActionResult:
    """Add a key to a party (its own, or any for the administrator)."""
    body = parse_body(KeyRegister, ctx.body)
    party = get_party(ctx.session, body.party_id)
    ctx.authorize("key.register", party_resource(party))
    key = _new_key(ctx, party.id, body.public_key)
    ctx.session.flush()
    return ActionResult({"key": key_dict(key)}, 201, [party.id], [], [key])


def _key_for_change(ctx: ActionContext, kid: str, action: str) -> PartyKey:
    key = ctx.session.get(PartyKey, kid)
    if key is None:
        raise NotFound(f"no key {kid!r}")
    ctx.authorize(action, party_resource(get_party(ctx.session, key.party_id)))
    if key.revoked_at is not None:
        raise Conflict(f"key {kid} was already revoked at {to_wire(key.revoked_at)}")
    return key


def revoke_key(ctx: ActionContext) -> ActionResult:
    """Revoke a key from now on; signatures made before stay verifiable."""
    body = parse_body(KeyRevoke, ctx.body)
    key = _key_for_change(ctx, body.key_id, "key.revoke")
    key.revoked_at = ctx.now
    return ActionResult({"key": key_dict(key)}, 200, [key.party_id], [])


def rotate_key(ctx: ActionContext) -> ActionResult:
    """Register a new key and revoke the old one in one step."""
    body = parse_body(KeyRotate, ctx.body)
    old = _key_for_change(ctx, body.old_key_id, "key.revoke")
    new = _new_key(ctx, old.party_id, body.public_key)
    old.revoked_at = ctx.now
    old.replaced_by = new.key_id
    ctx.session.flush()
    return ActionResult(
        {"revoked": key_dict(old), "key": key_dict(new)}, 200, [old.party_id], [], [new]
    )


def create_token(ctx: ActionContext) -> ActionResult:
    """Issue a new API token for a party; the token is shown once."""
    body = parse_body(TokenCreate, ctx.body)
    party = get_party(ctx.session, body.party_id)
    ctx.authorize("token.create", party_resource(party))
    token = new_token()
    row = ApiToken(
        id=new_id("tok"),
        party_id=party.id,
        token_hash=token_hash(token),
        label=body.label,
        created_at=ctx.now,
    )
    ctx.session.add(row)
    return ActionResult(
        {"token": token, "token_id": row.id},
        201,
        [party.id],
        secrets={"token": _token_withheld(row.id)},
    )


def _token_withheld(token_id: str) -> str:
    """What a retry of a token-issuing action says instead of the token (never kept)."""
    return (
        f"token {token_id} was already issued, to the first request with this "
        "Idempotency-Key; a token is shown only once and is not kept: if it was lost, "
        "revoke it by its id and create another"
    )


def revoke_token(ctx: ActionContext) -> ActionResult:
    """Revoke an API token; connections with it are refused from now on."""
    body = parse_body(TokenRevoke, ctx.body)
    row = ctx.session.get(ApiToken, body.token_id)
    if row is None:
        raise NotFound(f"no token {body.token_id!r}")
    ctx.authorize("token.revoke", party_resource(get_party(ctx.session, row.party_id)))
    if row.revoked_at is None:
        row.revoked_at = ctx.now
    return ActionResult({"token_id": row.id, "revoked_at": to_wire(row.revoked_at)}, 200)


def visible_parties(session: Session, reader: Party) -> list[Party]:
    """The parties a reader may see: all (administrator), its jurisdiction's, its own."""
    from computegov.registry.actions import actor_of

    query = sa.select(Party).order_by(Party.created_at, Party.id)
    if reader.role == "administrator":
        return list(session.scalars(query))
    actor = actor_of(session, reader)
    conditions = [Party.id == reader.id]
    if reader.role == "regulator" and actor.jurisdiction:
        conditions.append(Party.country.in_(actor.jurisdiction))
        conditions.append(Party.hq_country.in_(actor.jurisdiction))
    if actor.grants:
        conditions.append(Party.id.in_(actor.grants))
    return list(session.scalars(query.where(sa.or_(*conditions))))


def grant_audit(ctx: ActionContext) -> ActionResult:
    """Let an auditor read one party's records (a regulator, within its jurisdiction)."""
    body = parse_body(AuditGrantCreate, ctx.body)
    auditor = get_party(ctx.session, body.auditor_id)
    if auditor.role != "auditor":
        raise InvalidInput(f"{auditor.id} is a {auditor.role}, not an auditor")
    target = get_party(ctx.session, body.resource_id)
    ctx.authorize("audit.grant", party_resource(target))
    if ctx.session.get(AuditGrant, (auditor.id, target.id)) is None:
        ctx.session.add(
            AuditGrant(
                auditor_id=auditor.id,
                resource_id=target.id,
                granted_by=ctx.party.id,
                created_at=ctx.now,
            )
        )
    countries = sorted(party_resource(target).countries)
    return ActionResult(
        {"auditor_id": auditor.id, "resource_id": target.id},
        201,
        [auditor.id, target.id],
        countries,
    )
