"""One party per name: a party is refused when one of the same role already bears its legal
name in its country (a regulator: also one whose jurisdiction overlaps). Names are compared
as people read them: Unicode-normalized (NFKC), case-folded, and without what does not
tell two names apart to a reader: invisible characters (zero-width spaces, soft hyphens,
byte-order marks: Unicode's format characters), punctuation and spaces ("Acme, Inc.",
"ACME INC" and "AcmeInc" are one name). Look-alike letters of other scripts (a Cyrillic "А"
for a Latin "A") are not folded."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.errors import Conflict
from computegov.registry.parties.models import Party


def name_key(name: str) -> str:
    """The form two legal names are compared in: "US  bis ", "U.S. BIS" and "US BIS" (with a
    zero-width space in it) are one name."""
    return "".join(
        c
        for c in unicodedata.normalize("NFKC", name).casefold()
        if not c.isspace() and unicodedata.category(c) != "Cf" and unicodedata.category(c)[0] != "P"
    )


def refuse_duplicate(
    session: Session, legal_name: str, role: str, country: str, jurisdiction: Iterable[str]
) -> None:
    """Raise Conflict naming the existing party when this one would duplicate it."""
    reach = set(jurisdiction)
    where = Party.role == role
    if role != "regulator":
        where = sa.and_(where, Party.country == country)
    key = name_key(legal_name)
    for party in session.scalars(sa.select(Party).where(where).order_by(Party.id)):
        if name_key(party.legal_name) != key:
            continue
        shared = sorted(reach & set(party.jurisdiction or ()))
        if party.country == country or shared:
            place = f"in {country}" if party.country == country else f"for {', '.join(shared)}"
            raise Conflict(
                f"a {role} named {party.legal_name!r} already exists {place}: {party.id}; "
                "use that party (or give this one its distinct legal name)",
                reason="duplicate_party",
                existing_party_id=party.id,
            )
