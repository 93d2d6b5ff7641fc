"""Flags as the registry shows them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.instants import to_wire
from computegov.registry.flags.models import Flag
from computegov.registry.parties.models import Party


def flag_dict(flag: Flag) -> dict[str, Any]:
    return {
        "id": flag.id,
        "kind": flag.kind,
        "subject_type": flag.subject_type,
        "subject_id": flag.subject_id,
        "evidence": flag.evidence,
        "status": flag.status,
        "countries": list(flag.countries or ()),
        "created_at": to_wire(flag.created_at),
    }


def visible_flags(session: Session, reader: Party) -> list[Flag]:
    """Flags a reader may see: all (administrator), those touching a regulator's countries."""
    rows = list(session.scalars(sa.select(Flag).order_by(Flag.created_at, Flag.id)))
    if reader.role == "administrator":
        return rows
    if reader.role == "regulator":
        mine = set(reader.jurisdiction or ())
        return [flag for flag in rows if mine & set(flag.countries or ())]
    return []
