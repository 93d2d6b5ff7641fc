"""Screening lists imported into the registry, and the flags they raise on parties.

A party whose legal name or an alias matches a listed entry is flagged for regulators, with
the matched names and the list as evidence; a later issue refuses transfers to such parties.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.identity.access import Resource
from computegov.identity.screening import ScreeningEntry, parse_screening_csv, screen
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.flags.models import Flag
from computegov.registry.flags.service import flag_dict
from computegov.registry.ids import new_id
from computegov.registry.parties.models import Party, ScreeningEntryRow

MAX_LIST_BYTES = 32 * 1024 * 1024


class ScreeningImport(Body):
    name: str = Field(min_length=1, max_length=100)
    csv: str = Field(max_length=MAX_LIST_BYTES)


def _entries(session: Session) -> list[ScreeningEntry]:
    rows = session.scalars(sa.select(ScreeningEntryRow)).all()
    return [
        ScreeningEntry(
            name=row.name,
            alt_names=tuple(row.alt_names or ()),
            addresses=tuple(row.addresses or ()),
            source=row.source,
            programs=tuple(row.programs or ()),
        )
        for row in rows
    ]


def screen_party(
    session: Session, party: Party, now: datetime, entries: list[ScreeningEntry] | None = None
) -> list[dict[str, Any]]:
    """Flag `party` for each listed entry its names match (once per entry); return new flags."""
    names = [party.legal_name, *(party.aliases or ())]
    existing = {
        (flag.evidence or {}).get("entry", {}).get("name")
        for flag in session.scalars(
            sa.select(Flag).where(Flag.kind == "screening_match", Flag.subject_id == party.id)
        )
    }
    created = []
    for match in screen(names, entries if entries is not None else _entries(session)):
        if match.entry.name in existing:
            continue
        flag = Flag(
            id=new_id("flg"),
            kind="screening_match",
            subject_type="party",
            subject_id=party.id,
            evidence=match.to_dict(),
            status="open",
            countries=sorted({c for c in (party.country, party.hq_country) if c}),
            created_at=now,
        )
        session.add(flag)
        created.append(flag_dict(flag))
    return created


def import_list(ctx: ActionContext) -> ActionResult:
    """Replace a named screening list and screen every party against all lists."""
    body = parse_body(ScreeningImport, ctx.body)
    ctx.authorize("screening.import", Resource())
    entries = parse_screening_csv(body.csv)
    ctx.session.execute(sa.delete(ScreeningEntryRow).where(ScreeningEntryRow.list_id == body.name))
    ctx.session.add_all(
        ScreeningEntryRow(
            list_id=body.name,
            name=entry.name,
            alt_names=list(entry.alt_names),
            addresses=list(entry.addresses),
            source=entry.source,
            programs=list(entry.programs),
        )
        for entry in entries
    )
    ctx.session.flush()
    everything = _entries(ctx.session)
    flags: list[dict[str, Any]] = []
    for party in ctx.session.scalars(sa.select(Party).where(Party.role != "administrator")):
        flags.extend(screen_party(ctx.session, party, ctx.now, everything))
    digest = hashlib.sha256(body.csv.encode("utf-8")).hexdigest()
    return ActionResult(
        {"list": body.name, "entries": len(entries), "sha256": digest, "flags": flags}, 201
    )
