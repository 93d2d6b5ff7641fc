"""Flags as the registry shows them (with their history), who may see them, and `flag.close`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.errors import NotFound
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.flags.models import Flag, FlagEvent
from computegov.registry.flags.workflow import MAX_REASON, move
from computegov.registry.ids import new_id
from computegov.registry.parties.models import Party


class FlagClose(Body):
    flag_id: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")
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
    regulators of `countries` (blanks left out), about the flagged party `party_id` where
    there is one; the one way a flag is raised."""
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
    }


def flag_dict(flag: Flag, events: Sequence[FlagEvent] | None = None) -> dict[str, Any]:
    """The API view of a flag; `history` is its raising, then every step of its workflow."""
    raised = {
        "action": "raise",
        "from": None,
        "to": "open",
        "by": None,
        "reason": flag.kind,
        "at": to_wire(flag.created_at),
        "entry_id": None,
    }
    return {
        "id": flag.id,
        "kind": flag.kind,
        "subject_type": flag.subject_type,
        "subject_id": flag.subject_id,
        "evidence": flag.evidence,
        "status": flag.status,
        "countries": list(flag.countries or ()),
        "created_at": to_wire(flag.created_at),
        "source_id": flag.source_id,
        "updated_at": to_wire(flag.updated_at) if flag.updated_at else None,
        "history": [raised, *(event_dict(e) for e in events or ())],
    }


def flag_dicts(session: Session, flags: Sequence[Flag]) -> list[dict[str, Any]]:
    """`flag_dict` for many flags, their histories read in one query."""
    events: dict[str, list[FlagEvent]] = defaultdict(list)
    ids = [flag.id for flag in flags]
    for start in range(0, len(ids), 500):
        for event in session.scalars(
            sa.select(FlagEvent)
            .where(FlagEvent.flag_id.in_(ids[start : start + 500]))
            .order_by(FlagEvent.id)
        ):
            events[event.flag_id].append(event)
    return [flag_dict(flag, events[flag.id]) for flag in flags]


def flag_resource(session: Session, flag: Flag) -> Resource:
    """What access decisions about a flag look at: the countries it touches and, for a flag
    on a party, where that party is and is headquartered."""
    countries = set(flag.countries or ())
    if flag.subject_type == "party":
        party = session.get(Party, flag.subject_id)
        if party is not None:
            countries |= {c for c in (party.country, party.hq_country) if c}
    return Resource(id=flag.id, countries=frozenset(countries))


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


def visible_flags(session: Session, reader: Party) -> list[Flag]:
    """Flags a reader may see: all but those about license applications (administrator),
    those touching a regulator's countries."""
    rows = list(session.scalars(sa.select(Flag).order_by(Flag.created_at, Flag.id)))
    if reader.role == "administrator":
        return [flag for flag in rows if flag.kind not in CONFIDENTIAL_KINDS]
    if reader.role == "regulator":
        mine = set(reader.jurisdiction or ())
        return [flag for flag in rows if mine & set(flag_resource(session, flag).countries)]
    return []


def close_flag(ctx: ActionContext) -> ActionResult:
    """Close a flag with a reason: a regulator of the flagged party's jurisdiction (for a
    flag on a transfer: of a country it touches), from any state but closed."""
    body = parse_body(FlagClose, ctx.body)
    flag = ctx.session.get(Flag, body.flag_id, with_for_update=True)
    if flag is None:
        raise NotFound(f"no flag with id {body.flag_id!r}")
    resource = flag_resource(ctx.session, flag)
    ctx.authorize("flag.close", resource)
    move(
        ctx.session,
        flag,
        "flag.close",
        actor_id=ctx.party.id,
        reason=body.reason,
        now=ctx.now,
        entry_id=ctx.entry_id,
    )
    ctx.session.flush()
    history = list(
        ctx.session.scalars(
            sa.select(FlagEvent).where(FlagEvent.flag_id == flag.id).order_by(FlagEvent.id)
        )
    )
    shown = flag_dict(flag, history)
    read_as = flag_read_action(flag)
    return ActionResult(
        {"flag": shown},
        200,
        [flag.id, flag.subject_id],
        sorted(resource.countries),
        # The close of a flag about a confidential record opens as that record does.
        record={"opens_as": read_as} if read_as != "flag.read" else {},
    )
