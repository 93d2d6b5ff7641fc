"""The legal names of parties a record names, for reads that show people names beside ids.

A reader who may read a record (a transfer, a license, a chip's custody step) sees the name of
each party it names, as the registry's pages already show it; the ids stay as they were and
the names come beside them (`sender_id` and `sender_name`). A page of records costs one query
for all its names, never one per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.registry.parties.models import Party


def party_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """Legal names of the parties named by `ids`, in one query (unknown ids and None are left
    out)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    query = sa.select(Party.id, Party.legal_name).where(Party.id.in_(wanted))
    return {row.id: row.legal_name for row in session.execute(query)}


def name_parties(
    session: Session, items: list[dict[str, Any]], roles: Sequence[str]
) -> list[dict[str, Any]]:
    """Set `<role>_name` on each item from its `<role>_id` for each role (None where the id
    names no party), looking all the names up in one query; returns the items."""
    names = party_names(session, (item.get(f"{role}_id") for item in items for role in roles))
    for item in items:
        for role in roles:
            item[f"{role}_name"] = names.get(item.get(f"{role}_id") or "")
    return items
