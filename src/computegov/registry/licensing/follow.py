"""The control follows the chip (issue 11): which chips moved under which export license, the
licensing regulator's view of them afterwards, and `license_diversion` flags.

Licensed chips. A transfer that draws on licenses records, at its declaration (when the
licenses are drawn down), one `LicensedChip` row per chip per cited license that lists the
chip's model (a cited license always draws: `coverage` refuses one that gives nothing). The
chips are then under the license's end-use condition, in transit or not. A cancelled transfer
gives the licenses back what it drew, and its rows go with it (`forget_transfer`): nothing
moved under the license.

Following. While a license's end-use condition lasts (`end_use_until`; None: the chip's
life), the regulators of its jurisdiction read each chip that moved under it (its view and
custody history) wherever it is, and each transfer of it declared from the licensed move on
while the condition lasted: the access matrix's `licensed` scope, over a resource's
`followers` (the jurisdictions following it). A chip is followed while the condition lasts at
the time of reading; a transfer stays readable if it was declared while the condition lasted,
so the end-use check of a period can be made after it.

Diversion. At every later transfer declaration, installation at a site and (called by the
issues that build them) operating-license renewal and location statement, `check_diversion`
asks, for each chip and each jurisdiction under whose licenses it moved while the condition
lasts, whether one of those licenses names where the chip is (or is going): a party the
license names (licensee, consignee, `named_parties`) in the license's destination or in the
party's own country. If none does, a `license_diversion` flag is raised for the latest of
those licenses, for its regulator (flag countries: the license's jurisdiction and where the
chip is), with the chips as evidence. A move under another license of the same jurisdiction
is no diversion: that license's parties count. The flag is evidence, never a refusal. One flag
per license and event lists the event's chips; a chip already on a standing flag of that
license at that party and country is not flagged again (renewals and statements repeat).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from computegov.catalog import get_chip
from computegov.identity.access import Resource, default_matrix
from computegov.instants import to_wire
from computegov.registry.chips.models import Chip
from computegov.registry.custody.models import Transfer, TransferChip
from computegov.registry.flags.models import Flag
from computegov.registry.flags.service import flag_dict, open_flag
from computegov.registry.flags.workflow import STANDING
from computegov.registry.licensing.models import ExportLicense, LicensedChip
from computegov.registry.parties.models import Party

if TYPE_CHECKING:
    from computegov.registry.actions import ActionContext

KIND = "license_diversion"
#: The most chips one flag lists by name (its `chip_count` counts them all).
MAX_LISTED_CHIPS = 1000
_CHUNK = 500


def now_of(session: Session) -> datetime:
    """The store's clock (every session carries it), for reads that are not actions."""
    clock = session.info.get("clock")
    return clock.now() if clock is not None else datetime.now(UTC)


def lasting(at: Any) -> sa.ColumnElement[bool]:
    """SQL: the license's end-use condition still lasts at `at` (an instant or a column)."""
    return sa.or_(ExportLicense.end_use_until.is_(None), ExportLicense.end_use_until > at)


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def record_licensed_chips(
    session: Session,
    transfer_id: str,
    chips: Sequence[Chip],
    licenses: Sequence[ExportLicense],
    at: datetime,
) -> int:
    """One LicensedChip row per chip per license listing its model; how many were added."""
    rows = []
    for lic in licenses:
        models = {get_chip(name).model for name in lic.models}
        rows += [
            LicensedChip(license_id=lic.id, chip_id=chip.id, transfer_id=transfer_id, at=at)
            for chip in chips
            if get_chip(chip.model).model in models
        ]
    session.add_all(rows)
    session.flush()
    return len(rows)


def forget_transfer(session: Session, transfer_id: str) -> None:
    """A cancelled transfer moved nothing under its licenses: drop its rows."""
    session.execute(sa.delete(LicensedChip).where(LicensedChip.transfer_id == transfer_id))


def chip_followers(
    session: Session, chip_ids: Sequence[str], now: datetime | None = None
) -> dict[str, frozenset[str]]:
    """For each chip, the jurisdictions following it at `now` (default: the store's clock)."""
    at = now or now_of(session)
    found: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(list(chip_ids)):
        for chip_id, jurisdiction in session.execute(
            sa.select(LicensedChip.chip_id, ExportLicense.jurisdiction)
            .join(ExportLicense, ExportLicense.id == LicensedChip.license_id)
            .where(LicensedChip.chip_id.in_(chunk), lasting(at))
        ):
            found[chip_id].add(jurisdiction)
    return {chip_id: frozenset(found[chip_id]) for chip_id in chip_ids}


def _followed_transfers_query() -> sa.Select[str, str]:
    declared = aliased(Transfer)
    return (
        sa.select(TransferChip.transfer_id, ExportLicense.jurisdiction)
        .join(declared, declared.id == TransferChip.transfer_id)
        .join(LicensedChip, LicensedChip.chip_id == TransferChip.chip_id)
        .join(ExportLicense, ExportLicense.id == LicensedChip.license_id)
        .where(LicensedChip.at <= declared.declared_at, lasting(declared.declared_at))
    )


def transfer_followers(
    session: Session,
    transfer_ids: Sequence[str] | None = None,
    jurisdictions: Iterable[str] | None = None,
) -> dict[str, frozenset[str]]:
    """For each transfer (all, when `transfer_ids` is None), the jurisdictions following it:
    those of the licenses its chips had moved under by its declaration, whose end-use
    condition lasted then. Transfers no one follows are left out."""
    found: dict[str, set[str]] = defaultdict(set)
    query = _followed_transfers_query().distinct()
    if jurisdictions is not None:
        query = query.where(ExportLicense.jurisdiction.in_(sorted(jurisdictions)))
    batches = [None] if transfer_ids is None else list(_chunks(list(transfer_ids)))
    for batch in batches:
        where = query if batch is None else query.where(TransferChip.transfer_id.in_(batch))
        for transfer_id, jurisdiction in session.execute(where):
            found[transfer_id].add(jurisdiction)
    return {transfer_id: frozenset(js) for transfer_id, js in found.items()}


def followers_for(session: Session, reader: Party) -> dict[str, frozenset[str]]:
    """`transfer_followers` as far as they matter to `reader` (to filter a list of
    transfers): empty unless the matrix gives its role the `licensed` scope on transfer.read,
    else limited to its own jurisdictions."""
    if "licensed" not in default_matrix().scopes(reader.role, "transfer.read"):
        return {}
    return transfer_followers(session, jurisdictions=reader.jurisdiction or ())


def followed_chip_ids(jurisdictions: Iterable[str], now: datetime) -> sa.Select[str]:
    """SQL: the ids of the chips these jurisdictions follow at `now`."""
    return (
        sa.select(LicensedChip.chip_id)
        .join(ExportLicense, ExportLicense.id == LicensedChip.license_id)
        .where(ExportLicense.jurisdiction.in_(sorted(jurisdictions)), lasting(now))
    )


def followed_transfer_ids(jurisdictions: Iterable[str]) -> sa.Select[str]:
    """SQL: the ids of the transfers these jurisdictions follow."""
    return (
        _followed_transfers_query()
        .where(ExportLicense.jurisdiction.in_(sorted(jurisdictions)))
        .with_only_columns(TransferChip.transfer_id)
    )


def followed_chip(session: Session, resource: Resource) -> Resource:
    """A chip's resource with the jurisdictions following it now."""
    if resource.id is None:
        return resource
    return replace(resource, followers=chip_followers(session, [resource.id])[resource.id])


def followed_transfer(session: Session, resource: Resource) -> Resource:
    """A transfer's resource with the jurisdictions following it."""
    if resource.id is None:
        return resource
    found = transfer_followers(session, [resource.id]).get(resource.id, frozenset())
    return replace(resource, followers=found)


def on_transfer_declared(
    ctx: ActionContext, transfer: Transfer, chips: Sequence[Chip], cited: Sequence[ExportLicense]
) -> list[dict[str, Any]]:
    """The declaration hook: record the chips the cited licenses drew on, then check where
    the chips are going against every license they moved under; the flags raised."""
    if cited:
        record_licensed_chips(ctx.session, transfer.id, chips, cited, ctx.now)
    return check_diversion(
        ctx.session,
        chips,
        transfer.receiver_id,
        transfer.destination_country,
        "transfer.declare",
        ctx.now,
        subject=("transfer", transfer.id),
        details={"transfer_id": transfer.id, "sender_id": transfer.sender_id},
    )


def _names_place(lic: ExportLicense, party: Party | None, party_id: str, country: str) -> bool:
    named = {lic.licensee_id, lic.consignee_id}
    named |= {str(p.get("party_id")) for p in lic.named_parties or () if isinstance(p, dict)}
    if party_id not in named:
        return False
    return country == lic.destination or (party is not None and country == party.country)


def _already_flagged(
    session: Session, license_ids: Sequence[str], party_id: str, country: str
) -> dict[str, set[str]]:
    """license id -> the chips standing diversion flags of it list at this party and country."""
    flagged: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(list(license_ids)):
        for flag in session.scalars(
            sa.select(Flag).where(
                Flag.kind == KIND, Flag.source_id.in_(chunk), Flag.status.in_(STANDING)
            )
        ):
            evidence = flag.evidence or {}
            if (evidence.get("party_id"), evidence.get("country")) == (party_id, country):
                flagged[str(flag.source_id)].update(evidence.get("chip_ids", ()))
    return flagged


def check_diversion(
    session: Session,
    chips: Sequence[Chip | str],
    party_id: str,
    country: str,
    event: str,
    now: datetime,
    *,
    subject: tuple[str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Raise `license_diversion` flags for the chips at (or moving to) `party_id` in
    `country` that moved under a license whose end-use condition lasts at `now` when no
    license of that jurisdiction they moved under names that place (see the module doc).
    `event` names what happened (transfer.declare, site.install, a renewal, a location
    statement); `subject` is the flag's subject (default: the party). Returns the new flags."""
    ids = [c if isinstance(c, str) else c.id for c in chips]
    moved: dict[str, dict[str, list[tuple[datetime, ExportLicense, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for chunk in _chunks(ids):
        for row, lic in session.execute(
            sa.select(LicensedChip, ExportLicense)
            .join(ExportLicense, ExportLicense.id == LicensedChip.license_id)
            .where(LicensedChip.chip_id.in_(chunk), lasting(now))
        ):
            moved[row.chip_id][lic.jurisdiction].append((row.at, lic, row.transfer_id))
    if not moved:
        return []
    party = session.get(Party, party_id)
    diverted: dict[str, list[tuple[str, str]]] = defaultdict(list)  # license -> (chip, under)
    licenses: dict[str, ExportLicense] = {}
    for chip_id, by_jurisdiction in moved.items():
        for rows in by_jurisdiction.values():
            if any(_names_place(lic, party, party_id, country) for _, lic, _ in rows):
                continue
            at, latest, transfer_id = max(rows, key=lambda r: (r[0], r[1].id))
            licenses[latest.id] = latest
            diverted[latest.id].append((chip_id, transfer_id))
    flagged = _already_flagged(session, sorted(diverted), party_id, country)
    created = []
    for license_id in sorted(diverted):
        fresh = [(c, t) for c, t in diverted[license_id] if c not in flagged[license_id]]
        if fresh:
            created.append(
                _raise(
                    session,
                    licenses[license_id],
                    fresh,
                    party,
                    party_id,
                    country,
                    event,
                    now,
                    subject,
                    details,
                )
            )
    return created


def _raise(
    session: Session,
    lic: ExportLicense,
    chips: list[tuple[str, str]],
    party: Party | None,
    party_id: str,
    country: str,
    event: str,
    now: datetime,
    subject: tuple[str, str] | None,
    details: dict[str, Any] | None,
) -> dict[str, Any]:
    chips = sorted(chips)
    listed = chips[:MAX_LISTED_CHIPS]
    serials = dict(
        (row.id, (row.vendor, row.serial))
        for chunk in _chunks([c for c, _ in listed])
        for row in session.scalars(sa.select(Chip).where(Chip.id.in_(chunk)))
    )
    evidence = {
        **(details or {}),
        "event": event,
        "party_id": party_id,
        "party_name": party.legal_name if party is not None else None,
        "country": country,
        "why": (
            f"{len(chips)} chip(s) that moved under license {lic.id} ({lic.jurisdiction}) are "
            f"at or going to {party_id} in {country}, which the license does not name (licensee "
            f"{lic.licensee_id}, consignee {lic.consignee_id}, destination {lic.destination}"
            f"{', named parties' if lic.named_parties else ''}), while its end-use condition "
            f"lasts ({to_wire(lic.end_use_until) if lic.end_use_until else 'the chips’ life'})"
        ),
        "license": {
            "id": lic.id,
            "jurisdiction": lic.jurisdiction,
            "regulator_id": lic.regulator_id,
            "licensee_id": lic.licensee_id,
            "consignee_id": lic.consignee_id,
            "destination": lic.destination,
            "named_parties": list(lic.named_parties or ()),
            "end_use_until": to_wire(lic.end_use_until) if lic.end_use_until else None,
        },
        "chip_count": len(chips),
        "chip_ids": [c for c, _ in listed],
        "chips": [
            {
                "id": chip_id,
                "vendor": serials.get(chip_id, (None, None))[0],
                "serial": serials.get(chip_id, (None, None))[1],
                "moved_under_transfer": under,
            }
            for chip_id, under in listed
        ],
        "on": to_wire(now),
    }
    on = subject or ("party", party_id)
    # The licensee answers for its license's end-use condition (the holder may be a party
    # the license does not name, which may not read the license).
    places = (lic.jurisdiction, country)
    flag = open_flag(session, KIND, on, evidence, places, now, lic.id, party_id=lic.licensee_id)
    return flag_dict(flag)
