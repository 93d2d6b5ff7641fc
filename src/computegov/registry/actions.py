"""The one path every mutation takes: a party's signed envelope, checked, then applied.

`perform` verifies who signed (a registered, unrevoked key), that the envelope is fresh
(origin, clock skew, unused nonce) and that the connection's token belongs to the same party,
then runs the use case and appends the envelope itself to the ledger as the entry's record,
all in one transaction. So the operator cannot fabricate an action (it holds no party key),
and a party cannot deny one (its signature is in the log). An Idempotency-Key makes a retry
return the first answer (a refusal too; never a secret, and only while the signing key is
still valid); `dry_run` runs every check and writes nothing but the spent nonce. An envelope
that verifies spends its nonce whether it is applied, tried or refused.
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

from computegov.errors import (
    ComputegovError,
    Conflict,
    Forbidden,
    InvalidInput,
    Refused,
    Unauthenticated,
)
from computegov.identity.access import Actor, Decision, Resource, default_matrix
from computegov.identity.envelopes import (
    VERSIONS,
    Envelope,
    EnvelopeRejected,
    SignedEnvelope,
    verify_envelope,
)
from computegov.identity.tokens import token_hash
from computegov.instants import to_wire
from computegov.ledger import log
from computegov.registry.parties.models import ApiToken, AuditGrant, Party, PartyKey
from computegov.registry.tables import IdempotentResult, UsedNonce
from computegov.store import Store

#: Entry types whose public leaf must not reveal who filed them (compute reports: their
#: filer would name the model's developer). Their leaf's actor is `SEALED_ACTOR`; the signing
#: key id stays in the record (the signed envelope), so it is inside the commitment and an
#: authorized reader's opening shows it. Entries of other types, and every entry written
#: before a type was sealed, keep the key id as their actor.
SEALED_TYPES = frozenset(
    {
        "report.model",
        "report.training_run",
        "report.attestation",
        "report.identity",
        "report.identity_answer",
        "report.facts",
        "report.filing",
    }
)
SEALED_ACTOR = "sealed"
#: Entries of any type that open as a compute report does (a step on a flag about a report,
#: `record["opens_as"]`) are sealed too: their signer is the flagged developer or the
#: report's regulator, and a public leaf naming the developer's key would tell that it was
#: flagged over a confidential report.
SEALED_OPENS_AS = frozenset({"report.read"})


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
    # Fields of `body` shown once and never kept: what a retry says in their place.
    secrets: dict[str, str] = field(default_factory=dict)
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
    def __init__(self, status: int, body: dict[str, Any], secrets: dict[str, str]) -> None:
        self.status = status
        self.body = body
        self.secrets = secrets


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
        raise Forbidden(decision.reason, reason="access", action=action)
    return decision


def scopes_for(party: Party, action: str) -> tuple[str, ...]:
    """The scopes the matrix gives the party's role for `action`; Forbidden, naming why, for
    a role it gives none (refused before any record is looked up, so the refusal says
    nothing about which records exist)."""
    matrix = default_matrix()
    scopes = matrix.scopes(party.role, action)
    if not scopes:
        raise Forbidden(matrix.refusal(party.role, action), reason="access", action=action)
    return scopes


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


def _request_hash(signed: SignedEnvelope, *, dry_run: bool = False) -> str:
    """What an Idempotency-Key is bound to: the signed envelope, and whether it was a dry run
    (a real run's hash is the envelope's alone, as it was before dry runs were kept)."""
    request: dict[str, Any] = signed.to_dict()
    if dry_run:
        request = {"dry_run": True, "request": request}
    return hashlib.sha256(rfc8785.dumps(request)).hexdigest()


class RecordedRefusal(ComputegovError):
    """The refusal recorded for the first request with an Idempotency-Key, given again."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(str(problem.get("detail", "")), **dict(problem.get("extra", {})))
        self.status = status
        self.slug = str(problem.get("slug", "refused"))
        self.title = str(problem.get("title", "Refused"))


#: An action's answer: (status, body), or the refusal to raise once its nonce is committed.
_Outcome = tuple[int, dict[str, Any]] | ComputegovError


def perform(
    store: Store,
    signed: SignedEnvelope,
    *,
    expected_type: str | Iterable[str],
    token: str | None,
    handler: Callable[[ActionContext], ActionResult],
    idempotency_key: str | None = None,
    dry_run: bool = False,
    versions: Iterable[int] = VERSIONS,
) -> tuple[int, dict[str, Any]]:
    """Check and apply one signed action in one transaction; return (status, body).

    Every envelope that verifies spends its nonce, whatever follows: applied, dry run or
    refused. The nonce is written first, in the outer transaction; the action runs in a
    savepoint, so a refusal or a dry run rolls back the action alone, and the nonce commits
    with the refusal's record and the answer kept for the Idempotency-Key. Another copy of
    the envelope (sent again, or at the same time) is refused as a replay: an envelope is
    never both tried and applied, and a refusal counts once per nonce.
    """
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
    with store.transaction(write=True) as session:
        outcome = _perform(session, store, signed, token, handler, idempotency_key, dry_run)
    if isinstance(outcome, ComputegovError):
        raise outcome
    return outcome


def _usable_key(session: Session, signed: SignedEnvelope, now: datetime) -> PartyKey:
    """The registered key that signed; Unauthenticated when unknown or revoked by `now`."""
    key = session.get(PartyKey, signed.key_id)
    if key is None:
        raise Unauthenticated(
            f"key {signed.key_id} is not registered to any party", reason="unknown_key"
        )
    if key.revoked_at is not None and key.revoked_at <= now:
        raise Unauthenticated(
            f"key {key.key_id} was revoked at {to_wire(key.revoked_at)}", reason="revoked_key"
        )
    return key


def _recorded(
    session: Session,
    signed: SignedEnvelope,
    party_id: str,
    idempotency_key: str,
    dry_run: bool,
    now: datetime,
) -> _Outcome | None:
    """The answer recorded for an earlier request with this Idempotency-Key, if any.

    A retry is checked again where it matters: it must be the same request, and the key
    that signed it must still be usable (a revoked key's retry is refused).
    """
    earlier = session.get(IdempotentResult, (party_id, idempotency_key))
    if earlier is None:
        return None
    if earlier.request_hash != _request_hash(signed, dry_run=dry_run):
        detail = f"Idempotency-Key {idempotency_key!r} was used for a different request"
        if earlier.request_hash == _request_hash(signed, dry_run=not dry_run):
            detail = (
                f"Idempotency-Key {idempotency_key!r} was used for a "
                f"{'real run' if dry_run else 'dry run'} of this envelope; a dry run spends "
                "the envelope's nonce too: sign a new envelope and send it with a new key"
            )
        raise Conflict(detail, reason="idempotency_mismatch")
    _usable_key(session, signed, now)
    if earlier.status >= 400:
        return RecordedRefusal(earlier.status, dict(earlier.body))
    return earlier.status, dict(earlier.body)


def _perform(
    session: Session,
    store: Store,
    signed: SignedEnvelope,
    token: str | None,
    handler: Callable[[ActionContext], ActionResult],
    idempotency_key: str | None,
    dry_run: bool,
) -> _Outcome:
    principal = authenticate(session, token)
    now = store.clock.now()
    if idempotency_key is not None:
        earlier = _recorded(session, signed, principal.party_id, idempotency_key, dry_run, now)
        if earlier is not None:
            return earlier
    key = _usable_key(session, signed, now)
    # Before the envelope is verified, so that a token of another party cannot spend the
    # nonce of an envelope it intercepted.
    _refuse_token_party_mismatch(key, principal)
    verify_envelope(
        signed,
        public_key=key.public_key,
        origin=store.origin,
        now=now,
        nonce_seen=lambda nonce: session.get(UsedNonce, (key.key_id, nonce)) is not None,
    )
    try:
        # Spent before anything else: a concurrent copy of this envelope waits on this row
        # (PostgreSQL) or runs after this transaction (SQLite), and then finds it spent.
        with session.begin_nested():
            session.add(UsedNonce(key_id=key.key_id, nonce=signed.envelope.nonce, seen_at=now))
    except sa.exc.IntegrityError:
        if idempotency_key is not None:
            earlier = _recorded(session, signed, principal.party_id, idempotency_key, dry_run, now)
            if earlier is not None:
                return earlier
        raise EnvelopeRejected(
            "replay", f"nonce {signed.envelope.nonce} was already used by this key"
        ) from None
    try:
        with session.begin_nested():
            status, body, secrets = _apply(
                session, store, signed, key, principal, handler, now, dry_run
            )
    except _DryRun as done:
        status, body, secrets = done.status, done.body, done.secrets
    except ComputegovError as error:
        if not 400 <= error.status < 500:
            raise
        if isinstance(error, Refused) and not dry_run:
            _record_refusal(session, key, signed, error, now)
        if idempotency_key is not None:
            problem = {
                "slug": error.slug,
                "title": error.title,
                "detail": error.detail or str(error),
                "extra": error.extra,
            }
            _keep(session, principal, idempotency_key, signed, dry_run, error.status, problem, now)
        return error
    if idempotency_key is not None:
        kept = _withhold(body, secrets)
        _keep(session, principal, idempotency_key, signed, dry_run, status, kept, now)
    return status, body


def _apply(
    session: Session,
    store: Store,
    signed: SignedEnvelope,
    key: PartyKey,
    principal: Principal,
    handler: Callable[[ActionContext], ActionResult],
    now: datetime,
    dry_run: bool,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Run the use case and append its entry; raise `_DryRun` (to roll it back) for a dry run."""
    _refuse_device_key_signer(session, key.key_id)
    party = session.get(Party, key.party_id)
    assert party is not None  # foreign key
    entry_id = "" if dry_run else log.new_entry_id()
    context = ActionContext(session, store, party, key.key_id, signed, now, entry_id)
    result = handler(context)
    body = dict(result.body)
    if dry_run:
        session.flush()  # surface constraint violations as a real run would
        # A dry run issues nothing: no secret to show, and the answer is kept as shown.
        dry = {name: "not issued: this was a dry run" for name in result.secrets}
        raise _DryRun(result.status, {**_withhold(body, dry), "dry_run": True}, {})
    record = {
        **result.record,
        "envelope": signed.to_dict(),
        "subjects": sorted(set(result.subjects) | {party.id}),
        "countries": sorted(set(result.countries)),
    }
    # The actor is the signing key's id: a party key, never a chip's device key; for a sealed
    # type it is `sealed`, and the key id is only inside the commitment (the record holds the
    # signed envelope, whose signature names its key).
    sealed = signed.envelope.type in SEALED_TYPES or result.record.get("opens_as") in (
        SEALED_OPENS_AS
    )
    actor = SEALED_ACTOR if sealed else key.key_id
    body["entry_id"] = log.append(session, signed.envelope.type, record, actor, entry_id=entry_id)
    for row in result.stamp:
        row.entry_id = body["entry_id"]
    return result.status, body, result.secrets


def _withhold(body: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
    """The body as kept for a retry: each secret replaced by a note under `withheld`."""
    if not secrets:
        return body
    kept = {name: value for name, value in body.items() if name not in secrets}
    kept["withheld"] = {name: note for name, note in secrets.items() if name in body}
    return kept


def _keep(
    session: Session,
    principal: Principal,
    idempotency_key: str,
    signed: SignedEnvelope,
    dry_run: bool,
    status: int,
    body: dict[str, Any],
    now: datetime,
) -> None:
    """Record the answer a retry with this Idempotency-Key gets (never a secret)."""
    try:
        with session.begin_nested():
            session.add(
                IdempotentResult(
                    party_id=principal.party_id,
                    key=idempotency_key,
                    request_hash=_request_hash(signed, dry_run=dry_run),
                    status=status,
                    body=body,
                    created_at=now,
                )
            )
    except sa.exc.IntegrityError:
        pass  # a concurrent request with this key recorded its answer first


def _record_refusal(
    session: Session, key: PartyKey, signed: SignedEnvelope, refusal: Refused, now: datetime
) -> None:
    """Keep a refused action (beside its spent nonce) so repeated refusals can be flagged."""
    from computegov.registry.tables import RefusedAction

    session.add(
        RefusedAction(
            party_id=key.party_id,
            type=signed.envelope.type,
            reason=str(refusal.extra.get("reason", "refused")),
            detail=refusal.detail,
            at=now,
        )
    )


def _refuse_token_party_mismatch(key: PartyKey, principal: Principal) -> None:
    if key.party_id != principal.party_id:
        raise Forbidden(
            "the envelope is signed by another party's key than the token's party",
            reason="token_party_mismatch",
        )


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
