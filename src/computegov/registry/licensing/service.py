"""Export licenses: a regulator issues one; transfers cite it and draw it down.

A license is issued under one jurisdiction of its issuer (`jurisdiction`; the issuer's only
one by default) and counts only for the instruments that jurisdiction administers
(`rules.instruments_of`): a US license for the BIS rules, and nothing else. Whom a regulator
may license: under a jurisdiction that administers instruments, any party that holds chips,
wherever it is (the US rules follow the chip, so the US regulator licenses re-exports and
transfers abroad); under one that administers none, as before, only an exporter in or
headquartered in its jurisdiction (such a license counts for no instrument today, and its
view says so: `instruments` is empty). A license names licensee, consignee, destination,
catalog models, a quantity of chips and an expiry after its issue.
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
from computegov.registry.parties.models import Party
from computegov.registry.parties.names import name_parties
from computegov.registry.parties.service import get_party
from computegov.rules import administering_jurisdictions, instruments_of

MAX_LICENSE_QUANTITY = 10_000_000


class LicenseIssue(Body):
    licensee_id: str
    consignee_id: str
    destination: str
    models: list[str] = Field(min_length=1, max_length=50)
    quantity: int = Field(ge=1, le=MAX_LICENSE_QUANTITY)
    expires_at: str
    jurisdiction: str | None = None

    @field_validator("destination")
    @classmethod
    def _destination(cls, value: str) -> str:
        return parse_country(value)

    @field_validator("jurisdiction")
    @classmethod
    def _jurisdiction(cls, value: str | None) -> str | None:
        return None if value is None else parse_country(value)

    @field_validator("models")
    @classmethod
    def _models(cls, value: list[str]) -> list[str]:
        return sorted({canonical_model(name) for name in value})


def license_dict(lic: ExportLicense) -> dict[str, Any]:
    """The API view of a license, with what is left of it; `regulator_name`, `licensee_name`
    and `consignee_name` are None here, and `name_licenses` fills them in."""
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
    if licensee.role in ("regulator", "administrator", "auditor"):
        raise InvalidInput(f"{licensee.id} is a {licensee.role}; a licensee holds chips")
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
        expires_at=_expiry(body.expires_at, ctx.now),
        entry_id=ctx.entry_id,
    )
    ctx.session.add(lic)
    return ActionResult(
        {"license": named_license(ctx.session, lic)},
        201,
        [lic.id, licensee.id, consignee.id],
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
