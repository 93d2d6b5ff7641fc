"""Flags custody raises for regulators, each with its evidence.

- `hq_in_licensed_destination`: a transfer (allowed: under a license, or to a destination
  that needs none) to a party whose ultimate parent is headquartered in a country to which
  exporting the chip needs a license. Raised at declaration.
- `repeated_refusals`: REFUSALS_THRESHOLD (default 3) refused transfer declarations by one
  party within REFUSALS_WINDOW (default 30 days), each a distinct envelope (a refused
  envelope spends its nonce, so sending it again is a replay, not another refusal). Raised
  by `sweep_flags`.
- `unconfirmed_receipt`: a transfer still pending UNCONFIRMED_AFTER (default 14 days) after
  its declaration. Raised by `sweep_flags`.

`sweep_flags(store)` is run by the server every SWEEP_INTERVAL_S seconds (see
`FlagSweeper`) and may be called directly (tests, after moving a ManualClock).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.catalog import get_chip
from computegov.instants import to_wire
from computegov.registry.custody.models import Transfer
from computegov.registry.flags.models import Flag
from computegov.registry.flags.service import flag_dict, open_flag
from computegov.registry.parties.models import Party
from computegov.registry.parties.service import MAX_PARENT_DEPTH, get_party
from computegov.registry.tables import RefusedAction
from computegov.rules import license_required
from computegov.store import Store

if TYPE_CHECKING:
    from computegov.registry.actions import ActionContext

REFUSALS_THRESHOLD = 3
REFUSALS_WINDOW = timedelta(days=30)
UNCONFIRMED_AFTER = timedelta(days=14)
SWEEP_INTERVAL_S = 60.0

log = logging.getLogger(__name__)


def parent_chain(session: Session, party: Party) -> list[dict[str, Any]]:
    """The ownership chain from `party` up to its ultimate parent (last), as evidence."""
    chain = []
    current: Party | None = party
    seen: set[str] = set()
    while current is not None and current.id not in seen and len(seen) <= MAX_PARENT_DEPTH:
        seen.add(current.id)
        chain.append(
            {
                "id": current.id,
                "legal_name": current.legal_name,
                "country": current.country,
                "hq_country": current.hq_country,
                "parent_share": current.parent_share,  # of it, owned by the next one up
            }
        )
        current = get_party(session, current.parent_id) if current.parent_id else None
    return chain


def _flag(
    session: Session,
    kind: str,
    subject_type: str,
    subject_id: str,
    evidence: dict[str, Any],
    countries: Iterable[str | None],
    now: datetime,
    party_id: str,
) -> dict[str, Any]:
    flag = open_flag(
        session, kind, (subject_type, subject_id), evidence, countries, now, party_id=party_id
    )
    return flag_dict(flag)


def flag_hq_in_licensed_destination(
    ctx: ActionContext, transfer: Transfer, models: Counter[str], chain: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Flag a declared transfer whose receiver's ultimate parent sits where these chips need
    a license; return the new flags."""
    hq = chain[-1]["hq_country"] if chain else None
    if hq is None:
        return []
    fired: dict[str, Any] = {}
    for model, count in sorted(models.items()):
        decision = license_required(get_chip(model), hq, on=ctx.now, quantity=count)
        if decision.license_required:
            fired[model] = {"chips": count, "fired": [f.to_dict() for f in decision.fired]}
    if not fired:
        return []
    evidence = {
        "transfer_id": transfer.id,
        "sender_id": transfer.sender_id,
        "receiver_id": transfer.receiver_id,
        "destination": transfer.destination_country,
        "license_id": transfer.license_id,
        "ultimate_parent_hq": hq,
        "parent_chain": chain,
        "on": to_wire(ctx.now),
        "models": fired,
    }
    countries = {transfer.origin_country, transfer.destination_country, hq}
    return [
        _flag(
            ctx.session,
            "hq_in_licensed_destination",
            "transfer",
            transfer.id,
            evidence,
            countries,
            ctx.now,
            transfer.sender_id,  # the declarer answers for where it sends the chips
        )
    ]


def _repeated_refusals(
    session: Session, now: datetime, threshold: int, window: timedelta
) -> list[dict[str, Any]]:
    since = now - window
    counts = session.execute(
        sa.select(RefusedAction.party_id, sa.func.count())
        .where(
            RefusedAction.type == "transfer.declare",
            RefusedAction.at > since,
            RefusedAction.at <= now,
        )
        .group_by(RefusedAction.party_id)
        .having(sa.func.count() >= threshold)
    ).all()
    created = []
    for party_id, count in counts:
        recent = session.scalars(
            sa.select(Flag.id).where(
                Flag.kind == "repeated_refusals",
                Flag.subject_id == party_id,
                Flag.created_at > since,
            )
        ).first()
        if recent is not None:
            continue
        refusals = session.scalars(
            sa.select(RefusedAction)
            .where(
                RefusedAction.party_id == party_id,
                RefusedAction.type == "transfer.declare",
                RefusedAction.at > since,
                RefusedAction.at <= now,
            )
            .order_by(RefusedAction.at, RefusedAction.id)
        ).all()
        party = get_party(session, party_id)
        evidence = {
            "party_id": party_id,
            "refusals": int(count),
            "threshold": threshold,
            "window_days": window.total_seconds() / 86400,
            "items": [
                {"at": to_wire(r.at), "reason": r.reason, "detail": r.detail} for r in refusals
            ],
        }
        created.append(
            _flag(
                session,
                "repeated_refusals",
                "party",
                party_id,
                evidence,
                {party.country, party.hq_country},
                now,
                party_id,
            )
        )
    return created


def _unconfirmed(session: Session, now: datetime, after: timedelta) -> list[dict[str, Any]]:
    flagged = sa.select(Flag.subject_id).where(Flag.kind == "unconfirmed_receipt")
    stale = session.scalars(
        sa.select(Transfer)
        .where(
            Transfer.status == "pending",
            Transfer.declared_at <= now - after,
            Transfer.id.not_in(flagged),
        )
        .order_by(Transfer.declared_at, Transfer.id)
    ).all()
    created = []
    for transfer in stale:
        evidence = {
            "transfer_id": transfer.id,
            "sender_id": transfer.sender_id,
            "receiver_id": transfer.receiver_id,
            "chip_count": transfer.chip_count,
            "declared_at": to_wire(transfer.declared_at),
            "pending_days": (now - transfer.declared_at).total_seconds() / 86400,
            "limit_days": after.total_seconds() / 86400,
        }
        countries = {transfer.origin_country, transfer.destination_country}
        kind, on = "unconfirmed_receipt", ("transfer", transfer.id)
        # The declarer answers for a transfer it declared that no one confirmed.
        created.append(_flag(session, kind, *on, evidence, countries, now, transfer.sender_id))
    return created


def sweep_flags(
    store: Store,
    *,
    refusals_threshold: int = REFUSALS_THRESHOLD,
    refusals_window: timedelta = REFUSALS_WINDOW,
    unconfirmed_after: timedelta = UNCONFIRMED_AFTER,
) -> list[dict[str, Any]]:
    """Raise the time-based flags due at the store's clock; return the new ones."""
    now = store.clock.now()
    with store.transaction(write=True) as session:
        created = _repeated_refusals(session, now, refusals_threshold, refusals_window)
        created += _unconfirmed(session, now, unconfirmed_after)
    return created


class FlagSweeper:
    """Runs `sweep_flags` every `interval` seconds in a thread (start/stop in a lifespan)."""

    def __init__(self, store: Store, *, interval: float = SWEEP_INTERVAL_S) -> None:
        self.store = store
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="flag-sweeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                sweep_flags(self.store)
            except Exception:  # keep sweeping; the next tick retries
                log.exception("flag sweep failed")
