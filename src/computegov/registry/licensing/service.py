"""Export licenses: a regulator issues one; transfers cite it and draw it down.

A license is issued under one jurisdiction of its issuer (`jurisdiction`; the issuer's only
one by default) and counts only for the instruments that jurisdiction administers
(`rules.instruments_of`): a US license for the BIS rules, and nothing else. Whom a regulator
may license: under a jurisdiction that administers instruments, any party that holds chips,
wherever it is (the US rules follow the chip, so the US regulator licenses re-exports and
transfers abroad); under one that administers none, as before, only an exporter in or
headquartered in its jurisdiction (such a license counts for no instrument today, and its
view says so: `instruments` is empty). A license names licensee, consignee, destination,
catalog models, a quantity of chips and an expiry after its issue; and may state its terms
(`licensing.riders`): a value in US dollars it draws down on besides chips, the start of its
validity (default: its issue), riders, the other parties it names, the end of its end-use
condition, and the instruments it was granted under (each one its jurisdiction administers).
A regulator of its jurisdiction may later suspend, reinstate or revoke it
(`licensing.status`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from computegov.countries import parse_country
from computegov.errors import Forbidden, InvalidInput, NotFound
from computegov.identity.access import Resource
from computegov.instants import parse_instant, to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.custody.common import canonical_model, license_resource, reader_filter
from computegov.registry.ids import new_id
from computegov.registry.licensing.models import ExportLicense
from computegov.registry.licensing.riders import (
    MAX_NAMED_PARTIES,
    MAX_RIDERS,
    MAX_VALUE_USD,
    NAMED_ROLES,
    NamedParty,
    Rider,
    checked_riders,
    rider_view,
)
from computegov.registry.parties.models import Party
from computegov.registry.parties.names import name_parties
from computegov.registry.parties.service import get_party
from computegov.rules import administering_jurisdictions, instruments_of

MAX_LICENSE_QUANTITY = 10_000_000


class ExportScope(Body):
    """What a license and an application for one share: a destination country, the
    jurisdiction licensing it (optional), catalog models (by their catalog names, once each)."""

    destination: str
    jurisdiction: str | None = None
    models: list[str]

    @field_validator("destination", check_fields=False)
    @classmethod
    def _destination(cls, value: str) -> str:
        return parse_country(value)

    @field_validator("jurisdiction", check_fields=False)
    @classmethod
    def _jurisdiction(cls, value: str | None) -> str | None:
        return None if value is None else parse_country(value)

    @field_validator("models", check_fields=False)
    @classmethod
    def _models(cls, value: list[str]) -> list[str]:
        return sorted({canonical_model(name) for name in value})


class LicenseIssue(ExportScope):
    licensee_id: str
    consignee_id: str
    destination: str
    models: list[str] = Field(min_length=1, max_length=50)
    quantity: int = Field(ge=1, le=MAX_LICENSE_QUANTITY)
    expires_at: str
    jurisdiction: str | None = None
    value_usd: int | None = Field(default=None, ge=1, le=MAX_VALUE_USD)
    valid_from: str | None = None
    riders: list[Rider] = Field(default_factory=list, max_length=MAX_RIDERS)
    named_parties: list[NamedParty] = Field(default_factory=list, max_length=MAX_NAMED_PARTIES)
    end_use_until: str | None = None
    instruments: list[str] = Field(default_factory=list, max_length=50)


def license_dict(lic: ExportLicense) -> dict[str, Any]:
    """The API view of a license, with what is left of it; `regulator_name`, `licensee_name`
    and `consignee_name` are None here, and `name_licenses` fills them in.

    `instruments` are those it counts for: every instrument its jurisdiction administers (a
    license counts for all of them); `granted_under` the instruments it was granted under, as
    its issuer named them (a license under `bis-2026-01-review` asks for a lab report on every
    shipment). `remaining_value_usd` is None for a license without a value limit."""
    return {
        "id": lic.id,
        "regulator_id": lic.regulator_id,
        "regulator_name": None,
        "jurisdiction": lic.jurisdiction,
        "instruments": [i.id for i in instruments_of(lic.jurisdiction)],
        "licensee_id": lic.licensee_id,
        "licensee_name": None,
        "consignee_id": lic.consignee_id,
        "consignee_name": None,
        "destination": lic.destination,
        "models": list(lic.models),
        "quantity": lic.quantity,
        "used": lic.used,
        "remaining": lic.quantity - lic.used,
        "value_usd": lic.value_usd,
        "used_value_usd": lic.used_value_usd or 0,
        "remaining_value_usd": (
            None if lic.value_usd is None else lic.value_usd - (lic.used_value_usd or 0)
        ),
        "status": lic.status or "active",
        "status_reason": lic.status_reason,
        "status_changed_at": to_wire(lic.status_changed_at) if lic.status_changed_at else None,
        "granted_under": list(lic.instruments or ()),
        "riders": [rider_view(r) for r in lic.riders or ()],
        "named_parties": [dict(p) for p in lic.named_parties or ()],
        "end_use_until": to_wire(lic.end_use_until) if lic.end_use_until else None,
        "application_id": lic.application_id,
        "valid_from": to_wire(lic.valid_from or lic.issued_at),
        "issued_at": to_wire(lic.issued_at),
        "expires_at": to_wire(lic.expires_at),
        "entry_id": lic.entry_id,
    }


def named_license(session: Session, lic: ExportLicense) -> dict[str, Any]:
    """One license's view with its parties' names."""
    return name_licenses(session, [license_dict(lic)])[0]


def name_licenses(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page of license views with the names of their regulator, licensee and consignee
    (one query)."""
    return name_parties(session, items, ("regulator", "licensee", "consignee"))


def get_license(session: Session, license_id: str) -> ExportLicense:
    """The license with this id, or NotFound."""
    lic = session.get(ExportLicense, license_id)
    if lic is None:
        raise NotFound(f"no export license with id {license_id!r}")
    return lic


def _expiry(text: str, now: datetime) -> datetime:
    at = parse_instant(text)
    if at <= now:
        raise InvalidInput(
            f"expires_at {to_wire(at)} is not after the registry's time {to_wire(now)}; "
            "give a later instant"
        )
    return at


def _named_parties(session: Session, named: list[NamedParty]) -> list[dict[str, Any]]:
    """The named parties as stored: each role known, each party registered and one that
    holds chips, no pair twice."""
    out: list[dict[str, Any]] = []
    for item in named:
        if item.role not in NAMED_ROLES:
            raise InvalidInput(
                f"named party role {item.role!r} is unknown; use {', '.join(NAMED_ROLES)}"
            )
        party = get_party(session, item.party_id)
        if party.role in ("regulator", "administrator", "auditor", "test_lab"):
            raise InvalidInput(
                f"{party.id} is a {party.role}; a license names parties that trade or use chips"
            )
        pair = {"role": item.role, "party_id": party.id}
        if pair in out:
            raise InvalidInput(f"{party.id} is named as {item.role} twice")
        out.append(pair)
    return out


def _granted_under(jurisdiction: str, asked: list[str]) -> list[str]:
    """The instruments named, each one `jurisdiction` administers."""
    own = {i.id for i in instruments_of(jurisdiction)}
    foreign = sorted(set(asked) - own)
    if foreign:
        raise InvalidInput(
            f"a license issued under {jurisdiction} is granted under instruments {jurisdiction} "
            f"administers ({', '.join(sorted(own)) or 'none'}), not {', '.join(foreign)}",
            reason="foreign_instrument",
        )
    return sorted(set(asked))


def _issued_under(issuer: Party, asked: str | None) -> str:
    """The jurisdiction a license is issued under: the one asked for, which must be the
    issuer's, else the issuer's only one, else its only one that administers instruments."""
    own = sorted(issuer.jurisdiction or ())
    if asked is not None:
        if asked not in own:
            raise Forbidden(
                f"{issuer.id} regulates {', '.join(own) or 'no jurisdiction'}, not {asked}: a "
                "regulator licenses only under its own jurisdiction",
                reason="not_issuers_jurisdiction",
            )
        return asked
    if len(own) == 1:
        return own[0]
    administering = [j for j in own if j in administering_jurisdictions()]
    if len(administering) == 1:
        return administering[0]
    raise InvalidInput(
        f"{issuer.id} regulates {', '.join(own)}: name the jurisdiction the license is issued "
        "under (`jurisdiction`)"
    )


def issue_license(ctx: ActionContext) -> ActionResult:
    """Issue an export license under one of the regulator's jurisdictions (see the module doc
    for whom it may license)."""
    body = parse_body(LicenseIssue, ctx.body)
    licensee = get_party(ctx.session, body.licensee_id)
    consignee = get_party(ctx.session, body.consignee_id)
    exporter = {c for c in (licensee.country, licensee.hq_country) if c}
    owners = frozenset({licensee.id})
    if not ctx.party.jurisdiction:  # not a regulator: the matrix refuses it
        ctx.authorize("license.issue", Resource(owners=owners, countries=frozenset(exporter)))
    jurisdiction = _issued_under(ctx.party, body.jurisdiction)
    reach = {jurisdiction} if jurisdiction in administering_jurisdictions() else exporter
    ctx.authorize("license.issue", Resource(owners=owners, countries=frozenset(reach)))
    if licensee.role in ("regulator", "administrator", "auditor", "test_lab"):
        raise InvalidInput(f"{licensee.id} is a {licensee.role}; a licensee holds chips")
    expires_at = _expiry(body.expires_at, ctx.now)
    valid_from = parse_instant(body.valid_from) if body.valid_from else ctx.now
    if valid_from >= expires_at:
        raise InvalidInput(
            f"valid_from {to_wire(valid_from)} is not before expires_at {to_wire(expires_at)}"
        )
    end_use_until = parse_instant(body.end_use_until) if body.end_use_until else None
    if end_use_until is not None and end_use_until <= valid_from:
        raise InvalidInput(
            f"end_use_until {to_wire(end_use_until)} is not after valid_from {to_wire(valid_from)}"
        )
    named = _named_parties(ctx.session, list(body.named_parties))
    lic = ExportLicense(
        id=new_id("lic"),
        regulator_id=ctx.party.id,
        jurisdiction=jurisdiction,
        licensee_id=licensee.id,
        consignee_id=consignee.id,
        destination=body.destination,
        models=list(body.models),
        quantity=body.quantity,
        used=0,
        issued_at=ctx.now,
        expires_at=expires_at,
        entry_id=ctx.entry_id,
        value_usd=body.value_usd,
        used_value_usd=0,
        status="active",
        valid_from=valid_from,
        riders=checked_riders(list(body.riders)),
        named_parties=named,
        end_use_until=end_use_until,
        instruments=_granted_under(jurisdiction, list(body.instruments)),
    )
    ctx.session.add(lic)
    return ActionResult(
        {"license": named_license(ctx.session, lic)},
        201,
        [lic.id, licensee.id, consignee.id, *(p["party_id"] for p in named)],
        sorted(exporter | {body.destination, jurisdiction}),
        [lic],
    )


def visible_licenses(
    session: Session,
    reader: Party,
    *,
    licensee: str | None = None,
    destination: str | None = None,
) -> list[dict[str, Any]]:
    """Licenses a reader may see: its own (licensee, consignee, issuer) and, for regulators,
    those to destinations in their jurisdiction. Their parties' names are left out (None)
    here: `name_licenses` adds them to a page."""
    allowed = reader_filter(session, reader, "license.read")
    query = sa.select(ExportLicense).order_by(ExportLicense.issued_at, ExportLicense.id)
    if licensee:
        query = query.where(ExportLicense.licensee_id == licensee)
    if destination:
        query = query.where(ExportLicense.destination == parse_country(destination))
    return [license_dict(lic) for lic in session.scalars(query) if allowed(license_resource(lic))]
