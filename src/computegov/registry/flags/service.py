"""Flags as the registry shows them (with their history), who may see them, one signed step of
the workflow (`take_step`) and `flag.close`; the other steps are in `steps.py`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.errors import NotFound
from computegov.identity.access import Resource, default_matrix
from computegov.instants import to_wire
from computegov.registry.actions import (
    ActionContext,
    ActionResult,
    actor_of,
    authorize,
    scopes_for,
)
from computegov.registry.bodies import Body, parse_body
from computegov.registry.flags.models import Flag, FlagEvent
from computegov.registry.flags.workflow import MAX_REASON, move
from computegov.registry.ids import new_id
from computegov.registry.parties.models import Party

#: A flag's id as a body field takes it.
FlagId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")]


class FlagClose(Body):
    flag_id: FlagId
    reason: str = Field(min_length=1, max_length=MAX_REASON)


def open_flag(
    session: Session,
    kind: str,
    subject: tuple[str, str],
    evidence: dict[str, Any],
    countries: Iterable[str | None],
    now: datetime,
    source_id: str | None = None,
    *,
    party_id: str | None = None,
) -> Flag:
    """Add an open flag of `kind` on `subject` (type, id) with its evidence, for the
    regulators of `countries` (blanks left out); the one way a flag is raised. `party_id` is
    the flagged party: it reads its flag, comments on it and disputes it (docs/registry.md
    names it for each kind)."""
    flag = Flag(
        id=new_id("flg"),
        kind=kind,
        subject_type=subject[0],
        subject_id=subject[1],
        evidence=evidence,
        status="open",
        countries=sorted({c for c in countries if c}),
        created_at=now,
        source_id=source_id,
        updated_at=None,
        party_id=party_id,
        assignee_id=None,
    )
    session.add(flag)
    return flag


def event_dict(event: FlagEvent) -> dict[str, Any]:
    return {
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "by": event.actor_id,
        "reason": event.reason,
        "at": to_wire(event.at),
        "entry_id": event.entry_id,
        "details": event.details,
    }


def flag_dict(
    flag: Flag,
    events: Sequence[FlagEvent] | None = None,
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The API view of a flag; `history` is its raising, then every step of its workflow;
    `evidence` replaces the flag's where its reader sees less (`evidence_for`)."""
    raised = {
        "action": "raise",
        "from": None,
        "to": "open",
        "by": None,
        "reason": flag.kind,
        "at": to_wire(flag.created_at),
        "entry_id": None,
        "details": None,
    }
    return {
        "id": flag.id,
        "kind": flag.kind,
        "subject_type": flag.subject_type,
        "subject_id": flag.subject_id,
        "evidence": flag.evidence if evidence is None else evidence,
        "status": flag.status,
        "party_id": flag.party_id,
        "assignee_id": flag.assignee_id,
        "countries": list(flag.countries or ()),
        "created_at": to_wire(flag.created_at),
        "source_id": flag.source_id,
        "updated_at": to_wire(flag.updated_at) if flag.updated_at else None,
        "history": [raised, *(event_dict(e) for e in events or ())],
    }


def evidence_for(session: Session, flag: Flag, reader: Party | None) -> dict[str, Any]:
    """A flag's evidence as `reader` may see it: the flagged party sees a license
    application's discrepancies as its application shows them to it (without the registry's
    counts that draw on other parties' records); a regulator sees an `attestation_exceeded`
    flag's contributing reports only where it may read them, the flagged developer a
    `chips_not_held` flag without other parties' custody (`reconcile.evidence_shown`);
    everyone else who reads the flag, all of it."""
    if reader is not None and flag.kind in ("attestation_exceeded", "chips_not_held"):
        # Imported here: reconciliation raises flags through this module.
        from computegov.registry.reporting.reconcile import evidence_shown

        return evidence_shown(session, flag, reader)
    if reader is None or reader.id != flag.party_id or flag.kind != "certification_discrepancy":
        return flag.evidence
    # Imported here: licensing raises flags through this module.
    from computegov.registry.licensing.evaluation import shown_to
    from computegov.registry.licensing.models import LicenseApplication

    app = session.get(LicenseApplication, flag.subject_id)
    shown = shown_to(app, reader)["discrepancies"] if app is not None else []
    return {**flag.evidence, "discrepancies": shown}


def flag_dicts(
    session: Session, flags: Sequence[Flag], reader: Party | None = None
) -> list[dict[str, Any]]:
    """`flag_dict` for many flags as `reader` sees them, their histories read in one query."""
    events: dict[str, list[FlagEvent]] = defaultdict(list)
    ids = [flag.id for flag in flags]
    for start in range(0, len(ids), 500):
        for event in session.scalars(
            sa.select(FlagEvent)
            .where(FlagEvent.flag_id.in_(ids[start : start + 500]))
            .order_by(FlagEvent.id)
        ):
            events[event.flag_id].append(event)
    return [flag_dict(flag, events[flag.id], evidence_for(session, flag, reader)) for flag in flags]


def flag_resource(session: Session, flag: Flag) -> Resource:
    """What access decisions about a flag look at: its owner, the flagged party (its "own"
    flags); the countries it touches and, for a flag on a party, where that party is and is
    headquartered."""
    countries = set(flag.countries or ())
    if flag.subject_type == "party":
        party = session.get(Party, flag.subject_id)
        if party is not None:
            countries |= {c for c in (party.country, party.hq_country) if c}
    owners = frozenset({flag.party_id} if flag.party_id else ())
    return Resource(id=flag.id, owners=owners, countries=frozenset(countries))


#: Flags whose evidence is a confidential record's, read as that record is, not as other
#: flags: about an export-license application (its figures, its applicant; confidential by
#: law: `application.read`, the regulators of its licensing jurisdiction), about a compute
#: report (`report.read`, the regulators it is addressed to), including its reconciliation
#: with providers' attestations and the chips it claims.
CONFIDENTIAL_READS = {
    "certification_discrepancy": "application.read",
    "implausible_compute": "report.read",
    "attestation_exceeded": "report.read",
    "chips_not_held": "report.read",
}
CONFIDENTIAL_KINDS = frozenset(CONFIDENTIAL_READS)


def flag_read_action(flag: Flag) -> str:
    """The access-matrix action that decides who reads this flag."""
    return CONFIDENTIAL_READS.get(flag.kind, "flag.read")


def visible_flags(
    session: Session,
    reader: Party,
    *,
    status: str | None = None,
    kind: str | None = None,
    assignee: str | None = None,
    mine: bool = False,
) -> list[Flag]:
    """Flags a reader may see, oldest first: the administrator all but the confidential
    kinds; a regulator those touching its jurisdiction; any other party its own flags (the
    flagged party), confidential kinds included. Filtered by state, kind, assignee, and
    `mine` (assigned to the reader, or flagging it)."""
    query = sa.select(Flag).order_by(Flag.created_at, Flag.id)
    if reader.role not in ("administrator", "regulator"):
        query = query.where(Flag.party_id == reader.id)
    if status is not None:
        query = query.where(Flag.status == status)
    if kind is not None:
        query = query.where(Flag.kind == kind)
    if assignee is not None:
        query = query.where(Flag.assignee_id == assignee)
    if mine:
        query = query.where(sa.or_(Flag.assignee_id == reader.id, Flag.party_id == reader.id))
    actor, matrix = actor_of(session, reader), default_matrix()
    return [
        flag
        for flag in session.scalars(query)
        if matrix.decide(actor, flag_read_action(flag), flag_resource(session, flag)).allowed
    ]


def flag_for(
    session: Session, party: Party, flag_id: str, action: str, *, lock: bool = False
) -> tuple[Flag, Resource]:
    """The flag `party` reads or takes a step on (`action`), with what access looks at.

    A role the matrix gives no scope for `action` is refused before any lookup. A flag that
    does not exist, or that a party reading only its own flags may not read, is not found
    (such a party learns nothing of other parties' flags); a regulator or the administrator
    is told why it may not (Forbidden), as for any record.
    """
    scopes_for(party, action)
    flag = session.get(Flag, flag_id, with_for_update=lock)
    if flag is None:
        raise NotFound(f"no flag with id {flag_id!r}")
    resource = flag_resource(session, flag)
    read = flag_read_action(flag)
    actor, matrix = actor_of(session, party), default_matrix()
    if not matrix.decide(actor, read, resource).allowed:
        if matrix.scopes(party.role, "flag.read") == ("own",):
            raise NotFound(f"no flag with id {flag_id!r} that you may see")
        authorize(session, party, read, resource)
    authorize(session, party, action, resource)
    return flag, resource


def take_step(
    ctx: ActionContext,
    flag_id: str,
    transition: str,
    reason: str,
    details: dict[str, Any] | None = None,
    check: Callable[[Flag, Resource], None] | None = None,
) -> ActionResult:
    """One signed step of a flag's workflow by the acting party: found and authorized as
    `flag_for` says, checked by `check`, moved (`workflow.move`) and answered with the flag
    and its history. The entry's subjects are the flag, its subject and the flagged party,
    its countries the flag's: so its opening is for the flagged party and the regulators of
    the flag; a step on a flag about a confidential record opens as that record does."""
    flag, resource = flag_for(ctx.session, ctx.party, flag_id, transition, lock=True)
    if check is not None:
        check(flag, resource)
    move(
        ctx.session,
        flag,
        transition,
        actor_id=ctx.party.id,
        reason=reason,
        now=ctx.now,
        entry_id=ctx.entry_id,
        details=details,
    )
    ctx.session.flush()
    [shown] = flag_dicts(ctx.session, [flag], ctx.party)
    read_as = flag_read_action(flag)
    subjects = [flag.id, flag.subject_id, *([flag.party_id] if flag.party_id else [])]
    return ActionResult(
        {"flag": shown},
        200,
        subjects,
        sorted(resource.countries),
        # A step on a flag about a confidential record opens as that record does.
        record={"opens_as": read_as} if read_as != "flag.read" else {},
    )


def close_flag(ctx: ActionContext) -> ActionResult:
    """Close a flag with a reason: a regulator of the flagged party's jurisdiction (for a
    flag on a transfer: of a country it touches), from any state but closed."""
    body = parse_body(FlagClose, ctx.body)
    return take_step(ctx, body.flag_id, "flag.close", body.reason)
