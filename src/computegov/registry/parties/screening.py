"""Screening lists imported into the registry, the flags they raise on parties, and where
those flags refuse transfers.

A list belongs to the party that imported it: its name is unique among that owner's lists,
importing the same name again replaces the owner's list, and only the owner withdraws it.
A party whose legal name or an alias matches a listed entry is flagged (`screening_match`,
once per list and entry) with the matched names and the list as evidence. Every import
screens every party against every active list. Replacing or withdrawing a list closes the
flags it raised that no longer match, each step in the flag's history under that action's
ledger entry. A flag a regulator closed (or resolved) is not raised again by the same list
and entry: that was a decision about the match.

A standing match refuses a transfer to the flagged party only where the list owner's
jurisdiction reaches (`matches_in_reach`): the sender, the receiver or the destination (or
the origin, where the chips are) in that jurisdiction, or chips subject to that
jurisdiction's export rules wherever they are. A list of the administrator, which
administers no jurisdiction, flags for regulators and refuses nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from computegov.errors import Conflict, NotFound
from computegov.identity.access import Resource
from computegov.identity.screening import ScreeningEntry, parse_screening_csv, screen
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.flags.models import Flag, FlagEvent
from computegov.registry.flags.service import event_dict, flag_dict, open_flag
from computegov.registry.flags.workflow import MAX_REASON, STANDING, move
from computegov.registry.ids import new_id
from computegov.registry.parties.models import Party, ScreeningEntryRow, ScreeningList

MAX_LIST_BYTES = 32 * 1024 * 1024
KIND = "screening_match"


class ScreeningImport(Body):
    name: str = Field(min_length=1, max_length=100)
    csv: str = Field(max_length=MAX_LIST_BYTES)


class ScreeningWithdraw(Body):
    list_id: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")
    reason: str = Field(default="", max_length=MAX_REASON)


def list_dict(row: ScreeningList) -> dict[str, Any]:
    """The API view of a screening list (without its entries)."""
    return {
        "id": row.id,
        "name": row.name,
        "owner_id": row.owner_id,
        "status": row.status,
        "entries": row.entries,
        "sha256": row.sha256,
        "created_at": to_wire(row.created_at),
        "updated_at": to_wire(row.updated_at),
        "entry_id": row.entry_id,
    }


def all_lists(session: Session) -> list[ScreeningList]:
    """Every list, active and withdrawn, oldest first."""
    return list(
        session.scalars(
            sa.select(ScreeningList).order_by(ScreeningList.created_at, ScreeningList.id)
        )
    )


def _entries(session: Session) -> dict[str, list[ScreeningEntry]]:
    """The entries of every active list, by list id."""
    rows = session.execute(
        sa.select(ScreeningEntryRow)
        .join(ScreeningList, ScreeningList.id == ScreeningEntryRow.list_id)
        .where(ScreeningList.status == "active")
        .order_by(ScreeningEntryRow.id)
    ).scalars()
    found: dict[str, list[ScreeningEntry]] = defaultdict(list)
    for row in rows:
        found[row.list_id].append(
            ScreeningEntry(
                name=row.name,
                alt_names=tuple(row.alt_names or ()),
                addresses=tuple(row.addresses or ()),
                source=row.source,
                programs=tuple(row.programs or ()),
            )
        )
    return found


@dataclass
class _Screening:
    """What one screening run needs: active lists with their entries, and which (party,
    list, entry) matches already have a flag that stands or was decided by a regulator."""

    lists: dict[str, ScreeningList]
    entries: Mapping[str, list[ScreeningEntry]]
    kept: set[tuple[str, str | None, str]] = field(default_factory=set)
    matched: set[tuple[str, str, str]] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session, party_ids: Iterable[str] | None = None) -> _Screening:
        lists = {
            row.id: row
            for row in session.scalars(
                sa.select(ScreeningList).where(ScreeningList.status == "active")
            )
        }
        query = sa.select(Flag).where(Flag.kind == KIND)
        if party_ids is not None:
            query = query.where(Flag.subject_id.in_(list(party_ids)))
        flags = list(session.scalars(query))
        decided = set(
            session.scalars(
                sa.select(FlagEvent.flag_id).where(
                    FlagEvent.action.like("flag.%"),
                    FlagEvent.flag_id.in_(query.with_only_columns(Flag.id)),
                )
            )
        )
        kept = {
            (f.subject_id, f.source_id, _entry_name(f))
            for f in flags
            if f.status in STANDING or f.id in decided
        }
        return cls(lists, _entries(session), kept)


def _entry_name(flag: Flag) -> str:
    return str((flag.evidence or {}).get("entry", {}).get("name", ""))


def _screen(session: Session, run: _Screening, party: Party, now: datetime) -> list[dict[str, Any]]:
    """Flag `party` for each entry of each active list its names match, unless a flag for
    that list and entry stands or was decided; return the new flags."""
    names = [party.legal_name, *(party.aliases or ())]
    created = []
    for list_id, entries in run.entries.items():
        listed = run.lists[list_id]
        for match in screen(names, entries):
            key = (party.id, list_id, match.entry.name)
            run.matched.add(key)
            if key in run.kept:
                continue
            run.kept.add(key)
            evidence = {
                **match.to_dict(),
                "list": {"id": listed.id, "name": listed.name, "owner_id": listed.owner_id},
            }
            places = (party.country, party.hq_country)
            flag = open_flag(
                session,
                KIND,
                ("party", party.id),
                evidence,
                places,
                now,
                listed.id,
                party_id=party.id,
            )
            created.append(flag_dict(flag))
    return created


def screen_party(session: Session, party: Party, now: datetime) -> list[dict[str, Any]]:
    """Screen one (new) party against every active list; return the flags raised."""
    return _screen(session, _Screening.load(session, [party.id]), party, now)


def _close_raised(
    ctx: ActionContext,
    listed: ScreeningList,
    still_matched: set[tuple[str, str, str]] | None,
    reason: str,
) -> list[dict[str, Any]]:
    """Close the standing flags `listed` raised whose match is not in `still_matched` (all
    of them when it is None); return the closed flags as shown."""
    flags = ctx.session.scalars(
        sa.select(Flag)
        .where(Flag.kind == KIND, Flag.source_id == listed.id, Flag.status.in_(STANDING))
        .order_by(Flag.created_at, Flag.id)
        .with_for_update()
    ).all()
    closed = []
    for flag in flags:
        if still_matched is not None and (
            (flag.subject_id, listed.id, _entry_name(flag)) in still_matched
        ):
            continue
        event = move(
            ctx.session,
            flag,
            "flag.close",
            actor_id=ctx.party.id,
            reason=reason,
            now=ctx.now,
            entry_id=ctx.entry_id,
            action=ctx.envelope.type,
        )
        shown = flag_dict(flag)
        shown["history"].append(event_dict(event))
        closed.append(shown)
    return closed


def import_list(ctx: ActionContext) -> ActionResult:
    """Import (or, under a name the actor already uses, replace) the actor's screening list;
    screen every party against every active list and close the flags the replaced list
    raised that no longer match."""
    body = parse_body(ScreeningImport, ctx.body)
    listed = ctx.session.scalars(
        sa.select(ScreeningList)
        .where(ScreeningList.owner_id == ctx.party.id, ScreeningList.name == body.name)
        .with_for_update()
    ).first()
    ctx.authorize(
        "screening.import",
        Resource(id=listed.id if listed else None, owners=frozenset({ctx.party.id})),
    )
    entries = parse_screening_csv(body.csv)
    digest = hashlib.sha256(body.csv.encode("utf-8")).hexdigest()
    replaced = listed is not None
    if listed is None:
        listed = ScreeningList(
            id=new_id("scl"),
            owner_id=ctx.party.id,
            name=body.name,
            created_at=ctx.now,
            entry_id=ctx.entry_id,
        )
        ctx.session.add(listed)
    else:
        ctx.session.execute(
            sa.delete(ScreeningEntryRow).where(ScreeningEntryRow.list_id == listed.id)
        )
    listed.status = "active"
    listed.entries = len(entries)
    listed.sha256 = digest
    listed.updated_at = ctx.now
    listed.entry_id = ctx.entry_id  # the entry that (re)imported it
    try:
        ctx.session.flush()
    except IntegrityError:
        raise Conflict(
            f"your list {body.name!r} was imported by another request meanwhile; try again",
            reason="concurrent_import",
        ) from None
    ctx.session.add_all(
        ScreeningEntryRow(
            list_id=listed.id,
            name=entry.name,
            alt_names=list(entry.alt_names),
            addresses=list(entry.addresses),
            source=entry.source,
            programs=list(entry.programs),
        )
        for entry in entries
    )
    ctx.session.flush()
    run = _Screening.load(ctx.session)
    flags: list[dict[str, Any]] = []
    for party in ctx.session.scalars(
        sa.select(Party).where(Party.role != "administrator").order_by(Party.id)
    ):
        flags.extend(_screen(ctx.session, run, party, ctx.now))
    closed = _close_raised(
        ctx,
        listed,
        run.matched,
        f"no longer matches list {listed.name!r} ({listed.id}) as its owner replaced it",
    )
    shown = list_dict(listed)
    return ActionResult(
        {
            "list": body.name,
            "list_id": listed.id,
            "replaced": replaced,
            "entries": len(entries),
            "sha256": digest,
            "flags": flags,
            "closed": closed,
            "screening_list": shown,
        },
        201,
        [listed.id, *(f["subject_id"] for f in flags), *(f["subject_id"] for f in closed)],
        sorted({c for f in [*flags, *closed] for c in f["countries"]}),
    )


def withdraw_list(ctx: ActionContext) -> ActionResult:
    """Withdraw one of the actor's lists: its entries go, every flag it raised that still
    stands is closed (with the owner's reason), and it stays on record as withdrawn."""
    body = parse_body(ScreeningWithdraw, ctx.body)
    listed = ctx.session.get(ScreeningList, body.list_id, with_for_update=True)
    if listed is None:
        raise NotFound(f"no screening list with id {body.list_id!r}")
    ctx.authorize("screening.withdraw", Resource(id=listed.id, owners=frozenset({listed.owner_id})))
    if listed.status != "active":
        raise Conflict(
            f"screening list {listed.id} was already withdrawn at {to_wire(listed.updated_at)}",
            reason="list_withdrawn",
        )
    ctx.session.execute(sa.delete(ScreeningEntryRow).where(ScreeningEntryRow.list_id == listed.id))
    listed.status = "withdrawn"
    listed.entries = 0
    listed.updated_at = ctx.now
    listed.entry_id = ctx.entry_id
    why = f"list {listed.name!r} ({listed.id}) was withdrawn by its owner"
    closed = _close_raised(
        ctx, listed, None, f"{why}: {body.reason.strip()}" if body.reason.strip() else why
    )
    shown = list_dict(listed)
    return ActionResult(
        {"screening_list": shown, "closed": closed},
        200,
        [listed.id, *(f["subject_id"] for f in closed)],
        sorted({c for f in closed for c in f["countries"]}),
    )


@dataclass(frozen=True)
class MatchInReach:
    """A standing screening match on a transfer's receiver, and why its list reaches it."""

    flag: Flag
    listed: ScreeningList
    jurisdiction: list[str]
    reach: list[str]
    # Set where the match is the receiver's owner's, extended by the Affiliates rule
    # (`parties.affiliates`): the listed owner, the shares, the rule's period.
    via: dict[str, Any] | None = None


def matches_in_reach(
    session: Session,
    receiver: Party,
    *,
    sender: Party,
    origin: str,
    destination: str,
    controls: Mapping[str, list[str]],
    on: datetime | None = None,
) -> list[MatchInReach]:
    """The receiver's standing screening matches whose list owner's jurisdiction reaches
    this transfer; `controls` maps each jurisdiction whose export rules the moved chips are
    subject to onto the instruments that control them (see `rules.reach`). Given the
    instant `on`, also its owners' matches that the Affiliates rule extends to it then
    (`parties.affiliates`), after its own."""
    flags = session.scalars(
        sa.select(Flag)
        .where(
            Flag.kind == KIND,
            Flag.subject_id == receiver.id,
            Flag.status.in_(STANDING),
            Flag.source_id.is_not(None),
        )
        .order_by(Flag.created_at, Flag.id)
    ).all()
    found = []
    for flag in flags:
        listed = session.get(ScreeningList, flag.source_id)
        if listed is None or listed.status != "active":
            continue
        owner = session.get(Party, listed.owner_id)
        jurisdiction = set(owner.jurisdiction or ()) if owner is not None else set()
        reach = _reach(jurisdiction, sender, receiver, origin, destination, controls)
        if reach:
            found.append(MatchInReach(flag, listed, sorted(jurisdiction), reach))
    if on is not None:
        from computegov.registry.parties.affiliates import affiliations

        for affiliation in affiliations(session, receiver, on):
            owner = session.get(Party, affiliation.listed.owner_id)
            jurisdiction = set(owner.jurisdiction or ()) if owner is not None else set()
            reach = _reach(jurisdiction, sender, receiver, origin, destination, controls)
            if reach:
                found.append(
                    MatchInReach(
                        affiliation.flag,
                        affiliation.listed,
                        sorted(jurisdiction),
                        reach,
                        affiliation.evidence(),
                    )
                )
    return found


def _reach(
    jurisdiction: set[str],
    sender: Party,
    receiver: Party,
    origin: str,
    destination: str,
    controls: Mapping[str, list[str]],
) -> list[str]:
    """Why a jurisdiction reaches a transfer, in words (empty when it does not)."""
    why = []
    for role, party in (("sender", sender), ("receiver", receiver)):
        places = sorted(jurisdiction & {c for c in (party.country, party.hq_country) if c})
        if places:
            why.append(f"the {role} {party.id} is in or headquartered in {', '.join(places)}")
    if origin in jurisdiction:
        why.append(f"the chips are in {origin}")
    if destination in jurisdiction:
        why.append(f"the destination is {destination}")
    for country in sorted(jurisdiction & set(controls)):
        why.append(
            f"the chips are subject to {country} export rules "
            f"({', '.join(sorted(set(controls[country])))}) wherever they are"
        )
    return why
