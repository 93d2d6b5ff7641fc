"""Reads with an identity: authenticate the token, find the reader, record regulators' reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.identity.access import Resource, default_matrix
from computegov.ledger import log
from computegov.registry.actions import authenticate, authorize, record_read
from computegov.registry.parties.models import Party
from computegov.store import Store
from computegov.store.models import LedgerEntry


@contextmanager
def reader_session(
    store: Store, token: str | None, action: str, resource: str
) -> Iterator[tuple[Session, Party]]:
    """A session and the reading party; a regulator's read is itself a ledger entry.

    Regulators' reads take a write transaction, so the read and its record commit together.
    """
    with store.transaction() as session:
        principal = authenticate(session, token)
        logged = principal.role in default_matrix().logged_reads
    with store.transaction(write=logged) as session:
        reader = session.get(Party, principal.party_id)
        assert reader is not None
        yield session, reader
        if logged:
            record_read(session, store, reader, action, resource)


#: Entries whose records are confidential, with the action that decides who opens them:
#: export-license applications and their steps open only for those who may read the
#: application itself (its applicant and the regulators of its licensing jurisdiction);
#: compute reports only for their filer and the regulators they are addressed to. Not the
#: administrator, not auditors.
CONFIDENTIAL_ENTRIES: dict[str, str] = {
    "license.apply": "application.read",
    "license.decide": "application.read",
    "license.answer": "application.read",
    "license.appeal": "application.read",
    "report.model": "report.read",
    "report.training_run": "report.read",
    "report.filing": "report.read",
    "report.facts": "report.read",
    "report.attestation": "attestation.read",
    "report.attestation_request": "attestation.read",
    "report.identity": "identity.read",
    "report.identity_request": "identity.read",
    "report.identity_answer": "identity.read",
}


def opening_for(session: Session, reader: Party, entry_id: str) -> dict[str, Any]:
    """A ledger record and its salt, for a reader the access matrix allows to read it."""
    row = session.execute(
        sa.select(LedgerEntry.type, LedgerEntry.record).where(LedgerEntry.id == entry_id)
    ).first()
    if row is None:
        return log.opening(session, entry_id)  # raises NotFound with its message
    record = json.loads(row.record)
    resource = Resource(
        id=entry_id,
        owners=frozenset(record.get("subjects", ())),
        countries=frozenset(record.get("countries", ())),
    )
    # A step on a confidential record of another type (the close of a flag about a report or
    # an application) carries, from the use case that wrote it, the action it opens as.
    opens_as = CONFIDENTIAL_ENTRIES.get(row.type) or record.get("opens_as") or "log.opening.read"
    authorize(session, reader, str(opens_as), resource)
    return log.opening(session, entry_id)
