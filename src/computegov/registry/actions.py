"""The one path every mutation takes: a party's signed envelope, checked, then applied.

`perform` verifies who signed (a registered, unrevoked key), that the envelope is fresh
(origin, clock skew, unused nonce) and that the connection's token belongs to the same party,
then runs the use case and appends the envelope itself to the ledger as the entry's record,
all in one transaction. So the operator cannot fabricate an action (it holds no party key),
and a party cannot deny one (its signature is in the log). An Idempotency-Key makes a retry
return the first response; `dry_run` runs every check and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import rfc8785
import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.errors import Conflict, Forbidden, InvalidInput, Refused, Unauthenticated
from computegov.identity.access import Actor, Decision, Resource, default_matrix
from computegov.identity.envelopes import Envelope, SignedEnvelope, verify_envelope
from computegov.identity.tokens import token_hash
from computegov.instants import to_wire
from computegov.ledger import log
from computegov.registry.parties.models import ApiToken, AuditGrant, Party, PartyKey
from computegov.registry.tables import IdempotentResult, UsedNonce
from computegov.store import Store

#: The envelope format versions the pipeline applies (the parser may check them first too).
ENVELOPE_VERSIONS = (1,)


@dataclass(frozen=True)
class Principal:
    """Who holds the connection, as its API token says."""

    party_id: str
    role: str
    token_id: str


@dataclass
class ActionResult:
    """What a use case did: the response body and what the entry touches (for access)."""

    body: dict[str, Any]
    status: int = 200
    subjects: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    stamp: list[Any] = field(default_factory=list)  # rows whose `entry_id` names this entry
    record: dict[str, Any] = field(default_factory=dict)  # more the entry's record holds


@dataclass
class ActionContext:
    """Everything a use case needs while applying one signed action."""

    session: Session
    store: Store
    party: Party
    key_id: str
    signed: SignedEnvelope
    now: datetime
    #: The id the action's ledger entry will have ("" in a dry run, which writes no entry),
    #: so rows and response records name their entry as they are made.
    entry_id: str = ""

    @property
    def envelope(self) -> Envelope:
        return self.signed.envelope

    @property
    def body(self) -> dict[str, Any]:
        return dict(self.envelope.body)

    def authorize(self, action: str, resource: Resource) -> Decision:
        """Ask the access matrix; raise Forbidden with its reason when refused."""
        return authorize(self.session, self.party, action, resource)


class _DryRun(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body


def actor_of(session: Session, party: Party) -> Actor:
    """The access-matrix view of a party: role, jurisdiction and audit grants."""
    grants: frozenset[str] = frozenset()
    if party.role == "auditor":
        grants = frozenset(
            session.scalars(
                sa.select(AuditGrant.resource_id).where(AuditGrant.auditor_id == party.id)
            )
        )
    return Actor(
        role=party.role,
        party_id=party.id,
        jurisdiction=frozenset(party.jurisdiction or ()),
        grants=grants,
    )


def authorize(session: Session, party: Party, action: str, resource: Resource) -> Decision:
    """Decide one request by the matrix; raise Forbidden naming the reason when refused."""
    decision = default_matrix().decide(actor_of(session, party), action, resource)
    if not decision.allowed:
        raise Forbidden(decision.reason, reason="access")
    return decision


def authenticate(session: Session, token: str | None) -> Principal:
    """The party a bearer token belongs to; Unauthenticated for none, unknown or revoked."""
    if not token:
        raise Unauthenticated(
            "a bearer token is required: send `Authorization: Bearer <token>`", reason="no_token"
        )
    row = session.execute(
        sa.select(ApiToken.id, ApiToken.revoked_at, Party.id, Party.role)
        .join(Party, Party.id == ApiToken.party_id)
        .where(ApiToken.token_hash == token_hash(token))
    ).first()
    if row is None:
        raise Unauthenticated("the bearer token is not known", reason="bad_token")
    if row[1] is not None:
        raise Unauthenticated("the bearer token was revoked", reason="revoked_token")
    return Principal(party_id=row[2], role=row[3], token_id=row[0])


def _request_hash(signed: SignedEnvelope) -> str:
    return hashlib.sha256(rfc8785.dumps(signed.to_dict())).hexdigest()


def perform(
    store: Store,
    signed: SignedEnvelope,
    *,
    expected_type: str | Iterable[str],
    token: str | None,
    handler: Callable[[ActionContext], ActionResult],
    idempotency_key: str | None = None,
    dry_run: bool = False,
    versions: Iterable[int] = ENVELOPE_VERSIONS,
) -> tuple[int, dict[str, Any]]:
    """Check and apply one signed action in one transaction; return (status, body)."""
    expected = {expected_type} if isinstance(expected_type, str) else set(expected_type)
    if signed.envelope.type not in expected:
        raise InvalidInput(
            f"this endpoint takes envelopes of type {' or '.join(sorted(expected))}, "
            f"not {signed.envelope.type!r}"
        )
    known = sorted(set(versions))
    if signed.envelope.v not in known:
        raise InvalidInput(
            f"envelope version v={signed.envelope.v!r} is unknown; this registry reads "
            f"{signed.envelope.type} envelopes of v={' or '.join(str(v) for v in known)}",
            reason="unknown_version",
        )
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise InvalidInput("an Idempotency-Key must be 1 to 200 characters")
    try:
        with store.transaction(write=True) as session:
            return _perform(session, store, signed, token, handler, idempotency_key, dry_run)
    except _DryRun as done:
        return done.status, done.body
    except Refused as refusal:
        if not dry_run:
            _record_refusal(store, signed, refusal)
        raise


def _record_refusal(store: Store, signed: SignedEnvelope, refusal: Refused) -> None:
    """Keep a refused action (after its rollback) so repeated refusals can be flagged."""
    from computegov.registry.tables import RefusedAction

    with store.transaction(write=True) as session:
        key = session.get(PartyKey, signed.key_id)
        if key is None:
            return
        session.add(
            RefusedAction(
                party_id=key.party_id,
                type=signed.envelope.type,
                reason=str(refusal.extra.get("reason", "refused")),
                detail=refusal.detail,
                at=store.clock.now(),
            )
        )


def _perform(
    session: Session,
    store: Store,
    signed: SignedEnvelope,
    token: str | None,
    handler: Callable[[ActionContext], ActionResult],
    idempotency_key: str | None,
    dry_run: bool,
) -> tuple[int, dict[str, Any]]:
    principal = authenticate(session, token)
    request_hash = _request_hash(signed)
    if idempotency_key is not None:
        earlier = session.get(IdempotentResult, (principal.party_id, idempotency_key))
        if earlier is not None:
            if earlier.request_hash != request_hash:
                raise Conflict(
                    f"Idempotency-Key {idempotency_key!r} was used for a different request",
                    reason="idempotency_mismatch",
                )
            return earlier.status, dict(earlier.body)
    key = session.get(PartyKey, signed.key_id)
    if key is None:
        raise Unauthenticated(
            f"key {signed.key_id} is not registered to any party", reason="unknown_key"
        )
    now = store.clock.now()
    if key.revoked_at is not None and key.revoked_at <= now:
        raise Unauthenticated(
            f"key {key.key_id} was revoked at {to_wire(key.revoked_at)}", reason="revoked_key"
        )
    verify_envelope(
        signed,
        public_key=key.public_key,
        origin=store.origin,
        now=now,
        nonce_seen=lambda nonce: session.get(UsedNonce, (key.key_id, nonce)) is not None,
    )
    if key.party_id != principal.party_id:
        raise Forbidden(
            "the envelope is signed by another party's key than the token's party",
            reason="token_party_mismatch",
        )
    _refuse_device_key_signer(session, key.key_id)
    party = session.get(Party, key.party_id)
    assert party is not None  # foreign key
    entry_id = "" if dry_run else log.new_entry_id()
    context = ActionContext(session, store, party, key.key_id, signed, now, entry_id)
    result = handler(context)
    record = {
        **result.record,
        "envelope": signed.to_dict(),
        "subjects": sorted(set(result.subjects) | {party.id}),
        "countries": sorted(set(result.countries)),
    }
    body = dict(result.body)
    session.add(UsedNonce(key_id=key.key_id, nonce=signed.envelope.nonce, seen_at=now))
    if dry_run:
        session.flush()  # surface constraint violations as a real run would
        raise _DryRun(result.status, {**body, "dry_run": True})
    # The actor is the signing key's id: a party key, never a chip's device key.
    body["entry_id"] = log.append(
        session, signed.envelope.type, record, key.key_id, entry_id=entry_id
    )
    for row in result.stamp:
        row.entry_id = body["entry_id"]
    if idempotency_key is not None:
        session.add(
            IdempotentResult(
                party_id=principal.party_id,
                key=idempotency_key,
                request_hash=request_hash,
                status=result.status,
                body=body,
                created_at=now,
            )
        )
    return result.status, body


def _refuse_device_key_signer(session: Session, signer_key_id: str) -> None:
    """A leaf's actor is the signing key's id, so a key that is also a chip's device key
    would name that chip in the public log: such a key signs no action."""
    from computegov.registry.chips.models import Chip

    chip = session.scalars(sa.select(Chip.id).where(Chip.device_key_id == signer_key_id)).first()
    if chip is not None:
        raise Forbidden(
            f"key {signer_key_id} is the device key of chip {chip}; a device key signs no party "
            "action (the log names each action's signing key); sign with a party key",
            reason="device_key_signer",
        )


def read_actor(party_id: str) -> str:
    """The leaf actor of a logged read: `party:<id>` (a read is not signed, so no key id)."""
    return f"party:{party_id}"


def record_read(session: Session, store: Store, reader: Party, action: str, resource: str) -> str:
    """Log a regulator's read as a ledger entry, so reads of private records are visible."""
    record = {
        "reader": reader.id,
        "action": action,
        "resource": resource,
        "time": to_wire(store.clock.now()),
        "subjects": [reader.id],
        "countries": sorted(reader.jurisdiction or ()),
    }
    return log.append(session, "read", record, read_actor(reader.id))
