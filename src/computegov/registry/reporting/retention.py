"""Records about people are kept for a period (`data/retention.json`, with its source), then
erased: an identity attestation past `retain_until` loses its customer reference, record hash
and customer country (`erased_at` set), and its ledger entry's record and salt are replaced
by ids and dates, so the entry no longer opens (410 `erased_under_retention`) while its leaf,
the tree and every proof stay as they were. `computegov report erase-expired` runs it; so
does the server when it starts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.instants import to_wire
from computegov.ledger import log
from computegov.registry.reporting.models import IdentityAttestation
from computegov.store import Store
from computegov.store.models import LedgerEntry

ERASED = "identity attestation erased past its retention period"


@cache
def retention_rules() -> dict[str, Any]:
    text = resources.files("computegov.registry.reporting").joinpath("data/retention.json")
    data: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return data


def retention_period() -> timedelta:
    """How long after `verified_on` an identity attestation is kept."""
    return timedelta(days=int(retention_rules()["identity_attestation"]["days"]))


def expired(session: Session, now: datetime) -> list[IdentityAttestation]:
    """Attestations past `retain_until` and not yet erased, oldest first."""
    return list(
        session.scalars(
            sa.select(IdentityAttestation)
            .where(IdentityAttestation.retain_until <= now, IdentityAttestation.erased_at.is_(None))
            .order_by(IdentityAttestation.retain_until, IdentityAttestation.id)
        )
    )


def _kept(session: Session, row: IdentityAttestation, now: datetime) -> dict[str, Any]:
    """What the entry's record keeps: who may ask about it (so an authorized reader learns it
    was erased, others still get 403) and when; nothing about the customer."""
    text = session.scalar(sa.select(LedgerEntry.record).where(LedgerEntry.id == row.entry_id))
    record = json.loads(text) if text else {}
    return {
        "erased": ERASED,
        "attestation_id": row.id,
        "erased_at": to_wire(now),
        "retain_until": to_wire(row.retain_until),
        "subjects": record.get("subjects", [row.provider_id]),
        "countries": record.get("countries", list(row.jurisdictions)),
    }


def erase(session: Session, row: IdentityAttestation, now: datetime) -> None:
    log.erase_opening(session, row.entry_id, _kept(session, row, now))
    row.customer_ref = None
    row.record_hash = None
    row.customer_country = None
    row.erased_at = now


def erase_expired(
    store: Store,
    *,
    dry_run: bool = False,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Erase every attestation past its retention period at the store's clock (or, with
    `dry_run`, only list them); each as {id, provider_id, retain_until, erased_at}."""
    now = store.clock.now()
    done = []
    with store.transaction(write=not dry_run) as session:
        for row in expired(session, now):
            if not dry_run:
                erase(session, row, now)
            item = {
                "id": row.id,
                "provider_id": row.provider_id,
                "retain_until": to_wire(row.retain_until),
                "erased_at": None if dry_run else to_wire(now),
            }
            done.append(item)
            if progress is not None:
                progress(item)
    return done
