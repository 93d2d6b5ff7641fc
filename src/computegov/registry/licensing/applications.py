"""License applications: what an exporter files (form BIS-748P / SNAP-R) and who may see it.

`license.apply` takes the parties (purchaser, intermediate consignees, ultimate consignee,
end users), the destination, the classification (`3A090.a` chips, or `4A090.a` servers that
hold `chips_per_unit` chips each), the catalog models, the quantity in chips and the value in
whole US dollars, the end use and a letter of explanation, the applicant's certified units of
the product shipped (to US customers for end use in the US, and to China and Macau), the
instruments it applies under and, for each certification those instruments ask
(`rules.certifications`), a field set to true. Every problem is a 422 `invalid_application`
naming its `field`. The registry evaluates the application on receipt
(`licensing.evaluation`) and keeps the evaluation with it.

Export-license data is confidential: an application is visible only to its applicant and to
the regulators of its licensing jurisdiction (`application.read`); anyone else is answered as
if it did not exist. Its ledger entries name only the application and the applicant as
subjects and the licensing jurisdiction as country, so no consignee, no other regulator and
no auditor without a grant over the applicant can open them; the public leaf holds only a
salted commitment.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.orm import Session

from computegov.errors import InvalidInput, NotFound, Refused
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.custody.common import reader_filter
from computegov.registry.ids import new_id
from computegov.registry.licensing.evaluation import evaluate, flag_discrepancy, shown_to
from computegov.registry.licensing.models import ApplicationStep, LicenseApplication
from computegov.registry.licensing.service import MAX_LICENSE_QUANTITY, ExportScope
from computegov.registry.parties.models import Party
from computegov.registry.parties.names import name_parties
from computegov.rules import certifications, get_instrument

#: The most units the applicant may certify as shipped (a billion: beyond any product's run).
MAX_UNITS = 1_000_000_000
#: The most a chip may be declared to be worth, in US dollars (a whole server is a unit of
#: 4A090.a, but value is still per chip here).
MAX_USD_PER_CHIP = 10_000_000
MAX_PARTIES = 20
#: Statuses in which an application waits for a regulator (or, for intent_to_deny, for the
#: applicant's answer).
PENDING = ("submitted", "referred", "intent_to_deny")
NOT_HOLDERS = ("regulator", "administrator", "auditor", "test_lab")
PartyId = Field(min_length=1, max_length=32)


class UnitsShipped(Body):
    us: int = Field(ge=0, le=MAX_UNITS)
    china_macau: int = Field(ge=0, le=MAX_UNITS)


class LicenseApply(ExportScope):
    jurisdiction: str | None = None
    purchaser_id: str = PartyId
    intermediate_consignee_ids: list[str] = Field(default_factory=list, max_length=MAX_PARTIES)
    ultimate_consignee_id: str = PartyId
    end_user_ids: list[str] = Field(min_length=1, max_length=MAX_PARTIES)
    destination: str
    classification: Literal["3A090.a", "4A090.a"]
    chips_per_unit: int | None = Field(default=None, ge=1, le=1024)
    models: list[str] = Field(min_length=1, max_length=20)
    quantity: int = Field(ge=1, le=MAX_LICENSE_QUANTITY)
    value_usd: int = Field(ge=1, le=MAX_LICENSE_QUANTITY * MAX_USD_PER_CHIP)
    end_use: str = Field(min_length=1, max_length=2000)
    letter_of_explanation: str = Field(min_length=1, max_length=20000)
    us_units_shipped: UnitsShipped
    instruments: list[str] = Field(min_length=1, max_length=10)
    certifications: dict[str, bool] = Field(default_factory=dict, max_length=50)


def invalid(detail: str, field: str) -> Refused:
    """A 422 problem about one field of an application."""
    return Refused(detail, reason="invalid_application", field=field)


def _parse(ctx: ActionContext) -> LicenseApply:
    try:
        return parse_body(LicenseApply, ctx.body)
    except InvalidInput as exc:
        raise invalid(str(exc), "body") from None


def _party(session: Session, party_id: str, field: str) -> Party:
    party = session.get(Party, party_id)
    if party is None:
        raise invalid(f"{field}: no party {party_id!r}", field)
    if party.role in NOT_HOLDERS:
        raise invalid(
            f"{field}: {party.id} is a {party.role}; the parties to an export buy, receive or "
            "use the chips",
            field,
        )
    return party


def _jurisdiction_of(body: LicenseApply) -> str:
    """The licensing jurisdiction: the one that administers every instrument named."""
    administering = set()
    for rule in body.instruments:
        try:
            administering.add(get_instrument(rule).jurisdiction)
        except InvalidInput:
            raise invalid(f"instruments: no instrument {rule!r}", "instruments") from None
    if len(administering) != 1:
        raise invalid(
            f"instruments: {', '.join(body.instruments)} are administered by "
            f"{', '.join(sorted(administering))}; apply to one jurisdiction at a time",
            "instruments",
        )
    [jurisdiction] = administering
    if body.jurisdiction is not None and body.jurisdiction != jurisdiction:
        raise invalid(
            f"jurisdiction: the instruments named are administered by {jurisdiction}, not "
            f"{body.jurisdiction}",
            "jurisdiction",
        )
    return jurisdiction


def _check_certifications(body: LicenseApply) -> list[dict[str, Any]]:
    """Every certification the instruments ask, each certified (true); none unknown."""
    asked = {c.id: c for rule in body.instruments for c in certifications(rule)}
    unknown = sorted(set(body.certifications) - set(asked))
    if unknown:
        raise invalid(
            f"certifications: the instruments named ask for no certification "
            f"{', '.join(unknown)}; they ask for {', '.join(asked) or 'none'}",
            "certifications",
        )
    missing = [c for c in asked if c not in body.certifications]
    if missing:
        raise invalid(
            f"certifications: {', '.join(missing)} missing; each certification an instrument "
            "asks for is a field set to true",
            "certifications",
        )
    false = [c for c, held in body.certifications.items() if not held]
    if false:
        raise invalid(
            f"certifications: {', '.join(false)} not certified (false); an application under "
            "these instruments certifies every condition they ask, or names other instruments",
            "certifications",
        )
    return [c.to_dict() for c in asked.values()]


def _check_numbers(body: LicenseApply) -> None:
    if body.classification == "4A090.a":
        if body.chips_per_unit is None:
            raise invalid(
                "chips_per_unit: a 4A090.a application ships servers; say how many chips each "
                "holds",
                "chips_per_unit",
            )
        if body.quantity % body.chips_per_unit:
            raise invalid(
                f"quantity: {body.quantity} chips is not a whole number of servers of "
                f"{body.chips_per_unit} chips",
                "quantity",
            )
    elif body.chips_per_unit is not None:
        raise invalid(
            "chips_per_unit: only a 4A090.a application (servers) has chips per unit",
            "chips_per_unit",
        )
    if body.value_usd < body.quantity:
        raise invalid(
            f"value_usd: ${body.value_usd} for {body.quantity} chips is less than a dollar a "
            "chip; give the transaction's value in whole US dollars",
            "value_usd",
        )
    if body.value_usd > body.quantity * MAX_USD_PER_CHIP:
        raise invalid(
            f"value_usd: ${body.value_usd} for {body.quantity} chips is more than "
            f"${MAX_USD_PER_CHIP} a chip",
            "value_usd",
        )


def apply_license(ctx: ActionContext) -> ActionResult:
    """File an application (see the module doc); evaluate it and keep both."""
    body = _parse(ctx)
    jurisdiction = _jurisdiction_of(body)
    ctx.authorize(
        "license.apply",
        Resource(owners=frozenset({ctx.party.id}), countries=frozenset({jurisdiction})),
    )
    _check_numbers(body)
    asked = _check_certifications(body)
    parties = {"purchaser": [_party(ctx.session, body.purchaser_id, "purchaser_id")]}
    parties["intermediate_consignee"] = [
        _party(ctx.session, p, "intermediate_consignee_ids")
        for p in body.intermediate_consignee_ids
    ]
    consignee = _party(ctx.session, body.ultimate_consignee_id, "ultimate_consignee_id")
    parties["ultimate_consignee"] = [consignee]
    parties["end_user"] = [_party(ctx.session, p, "end_user_ids") for p in body.end_user_ids]
    if consignee.country != body.destination:
        raise invalid(
            f"ultimate_consignee_id: {consignee.id} is located in {consignee.country}, not in "
            f"the destination {body.destination}; the ultimate consignee receives the chips "
            "there",
            "ultimate_consignee_id",
        )
    if ctx.party.id == consignee.id:
        raise invalid("ultimate_consignee_id: an applicant does not export to itself", "body")
    form = body.model_dump()
    form["jurisdiction"] = jurisdiction
    evaluation = evaluate(ctx, form, parties, asked)
    app = LicenseApplication(
        id=new_id("app"),
        applicant_id=ctx.party.id,
        jurisdiction=jurisdiction,
        status="submitted",
        appealed=False,
        form=form,
        evaluation=evaluation,
        submitted_at=ctx.now,
        updated_at=ctx.now,
        respond_by=None,
        license_id=None,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(app)
    ctx.session.flush()  # the step's foreign key names it
    step = add_step(ctx, app, "submitted", {})
    flags = flag_discrepancy(ctx, app)
    return ActionResult(
        {"application": named_application(ctx.session, app, ctx.party, [step]), "flags": flags},
        201,
        [app.id],
        [jurisdiction],
        [app, step],
    )


def add_step(
    ctx: ActionContext, app: LicenseApplication, step: str, details: dict[str, Any]
) -> ApplicationStep:
    """One step of an application's review, by the acting party, now (its entry stamped by
    `perform`)."""
    row = ApplicationStep(
        application_id=app.id,
        step=step,
        party_id=ctx.party.id,
        at=ctx.now,
        details=details,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(row)
    return row


def application_resource(app: LicenseApplication) -> Resource:
    """An application is its applicant's; its one country is the licensing jurisdiction."""
    return Resource(
        id=app.id, owners=frozenset({app.applicant_id}), countries=frozenset({app.jurisdiction})
    )


def step_dict(step: ApplicationStep) -> dict[str, Any]:
    return {
        "step": step.step,
        "party_id": step.party_id,
        "at": to_wire(step.at),
        "details": step.details,
        "entry_id": step.entry_id,
    }


def application_dict(
    app: LicenseApplication, reader: Party, steps: list[ApplicationStep] | None = None
) -> dict[str, Any]:
    """The API view of an application for `reader` (the applicant or a regulator); `steps`
    only where asked for. `applicant_name` is None here: `name_applications` fills it in."""
    form = app.form
    data: dict[str, Any] = {
        "id": app.id,
        "status": app.status,
        "appealed": app.appealed,
        "pending": app.status in PENDING or app.appealed,
        "applicant_id": app.applicant_id,
        "applicant_name": None,
        "jurisdiction": app.jurisdiction,
        "destination": form["destination"],
        "ultimate_consignee_id": form["ultimate_consignee_id"],
        "classification": form["classification"],
        "models": list(form["models"]),
        "quantity": form["quantity"],
        "value_usd": form["value_usd"],
        "instruments": list(form["instruments"]),
        "submitted_at": to_wire(app.submitted_at),
        "updated_at": to_wire(app.updated_at),
        "respond_by": to_wire(app.respond_by) if app.respond_by else None,
        "license_id": app.license_id,
        "entry_id": app.entry_id,
        "form": form,
        "evaluation": shown_to(app, reader),
    }
    if steps is not None:
        data["steps"] = [step_dict(s) for s in steps]
    return data


def steps_of(session: Session, application_id: str) -> list[ApplicationStep]:
    return list(
        session.scalars(
            sa.select(ApplicationStep)
            .where(ApplicationStep.application_id == application_id)
            .order_by(ApplicationStep.id)
        )
    )


def named_application(
    session: Session,
    app: LicenseApplication,
    reader: Party,
    steps: list[ApplicationStep] | None = None,
) -> dict[str, Any]:
    """One application's full view (with its steps) and the applicant's name."""
    session.flush()
    shown = application_dict(app, reader, steps if steps is not None else steps_of(session, app.id))
    return name_applications(session, [shown])[0]


def name_applications(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return name_parties(session, items, ("applicant",))


def readable_application(
    session: Session, reader: Party, application_id: str
) -> LicenseApplication:
    """The application, if the reader may see it; NotFound alike for one that does not exist
    and one it may not see (an application's existence is itself confidential)."""
    app = session.get(LicenseApplication, application_id)
    if app is None or not reader_filter(session, reader, "application.read")(
        application_resource(app)
    ):
        raise NotFound(f"no license application {application_id!r} that you may see")
    return app


def visible_applications(
    session: Session, reader: Party, *, status: str | None = None, pending: bool = False
) -> list[LicenseApplication]:
    """Applications a reader may see, oldest first: its own; a regulator's: those of its
    jurisdictions."""
    allowed = reader_filter(session, reader, "application.read")
    query = sa.select(LicenseApplication).order_by(
        LicenseApplication.submitted_at, LicenseApplication.id
    )
    if status:
        query = query.where(LicenseApplication.status == status)
    if pending:
        query = query.where(
            sa.or_(LicenseApplication.status.in_(PENDING), LicenseApplication.appealed)
        )
    return [app for app in session.scalars(query) if allowed(application_resource(app))]
