"""Which chips and transfers a reader may see, as SQL conditions built from the access matrix.

The matrix decides one resource at a time; lists and counts over a million chips need the
same decision as a WHERE clause. Each scope the matrix grants the reader's role for an action
becomes one condition (`any`: everything; `own`: the reader among the owners; `jurisdiction`:
a country in the regulator's jurisdiction; `granted`: an owner the auditor was granted;
`licensed`: a chip or transfer the regulator's jurisdiction follows, `licensing.follow`), and
the reader sees their union, exactly what `AccessMatrix.decide` would allow row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.identity.access import Resource
from computegov.registry.actions import actor_of, scopes_for
from computegov.registry.chips.models import Chip
from computegov.registry.custody.models import Transfer
from computegov.registry.licensing.follow import followed_chip_ids, followed_transfer_ids, now_of
from computegov.registry.parties.models import Party

ColumnCondition = sa.ColumnElement[bool]


def _scoped(
    session: Session,
    reader: Party,
    action: str,
    *,
    ids: Any,
    owners: Sequence[Any],
    countries: Sequence[Any],
    followed: Callable[[frozenset[str]], sa.Select[str]] | None = None,
) -> ColumnCondition:
    actor = actor_of(session, reader)
    scopes = scopes_for(reader, action)
    conditions: list[ColumnCondition] = []
    for scope in scopes:
        if scope == "any":
            return sa.true()
        if scope == "own":
            conditions.extend(column == reader.id for column in owners)
        elif scope == "jurisdiction" and actor.jurisdiction:
            conditions.extend(column.in_(sorted(actor.jurisdiction)) for column in countries)
        elif scope == "granted" and actor.grants:
            grants = sorted(actor.grants)
            conditions.append(ids.in_(grants))
            conditions.extend(column.in_(grants) for column in owners)
        elif scope == "licensed" and actor.jurisdiction and followed is not None:
            conditions.append(ids.in_(followed(actor.jurisdiction)))
    return sa.or_(*conditions) if conditions else sa.false()


def visible_chips(session: Session, reader: Party, action: str = "chip.read") -> ColumnCondition:
    """The chips `reader` may `action` (chip.read, stats.read): owners are the custodian and
    the manufacturer, the country is where the chip is."""
    return _scoped(
        session,
        reader,
        action,
        ids=Chip.id,
        owners=(Chip.custodian_id, Chip.manufacturer_id),
        countries=(Chip.country,),
        followed=lambda jurisdictions: followed_chip_ids(jurisdictions, now_of(session)),
    )


def visible_transfers(session: Session, reader: Party) -> ColumnCondition:
    """The transfers `reader` may read: owners are sender and receiver, countries the origin
    and the destination."""
    return _scoped(
        session,
        reader,
        "transfer.read",
        ids=Transfer.id,
        owners=(Transfer.sender_id, Transfer.receiver_id),
        countries=(Transfer.origin_country, Transfer.destination_country),
        followed=followed_transfer_ids,
    )


def chip_resource(chip: Chip) -> Resource:
    """A chip as the access matrix sees it."""
    return Resource(
        id=chip.id,
        owners=frozenset({chip.custodian_id, chip.manufacturer_id}),
        countries=frozenset({chip.country}),
    )
