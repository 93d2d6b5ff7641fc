"""A regulator's decision on an application, step by step as the EAR gives them (15 CFR parts
750 and 756), and the applicant's answer and appeal. Every step is a signed action, an
`ApplicationStep` and a ledger entry.

A regulator of the application's jurisdiction (`license.decide`; any other: 403) may

- `refer` it to agencies (`agencies`: defense, state, energy), each with its answer due in
  its time limit (`data/agencies.csv`, 30 days: 15 CFR 750.4(d)): submitted or referred;
- `approve` it, with `riders` (conditions, [{id, text}]) and `valid_until` (default and at
  most four years, 15 CFR 750.7(g)), or `approve_in_part` (a lower `quantity` or
  `value_usd`): submitted, referred, or after an intent to deny. Approval grants an
  `ExportLicense` (`grant_license`) that transfers cite like any other;
- notify an `intent_to_deny` (reason required): the applicant may `answer` (`license.answer`)
  until `respond_by`, 20 days on (15 CFR 750.6(a));
- `deny` (reason required), only after an intent to deny has been answered or its 20 days
  have passed; the applicant may `appeal` (`license.appeal`) within 45 days (15 CFR 756.2),
  and the regulator decides the appeal (`appeal_decision`, `outcome` upheld or remanded: a
  remanded application is submitted again for review);
- `return` it without action (reason required): submitted or referred.

Approved, approved in part and returned are final; denied is final once an appeal is decided
or none was made. Any other step is refused (422 `step_not_allowed`) naming what is allowed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from computegov.errors import InvalidInput, NotFound, Refused
from computegov.instants import parse_instant, to_wire
from computegov.registry.actions import ActionContext, ActionResult, scopes_for
from computegov.registry.bodies import Body, parse_body
from computegov.registry.ids import new_id
from computegov.registry.licensing.applications import (
    MAX_USD_PER_CHIP,
    add_step,
    application_resource,
    named_application,
    readable_application,
    steps_of,
)
from computegov.registry.licensing.models import ExportLicense, LicenseApplication
from computegov.registry.licensing.service import MAX_LICENSE_QUANTITY, named_license
from computegov.registry.licensing.terms import agency, days

MAX_TEXT = 20000
REVIEWING = ("submitted", "referred")
#: The statuses each regulator step may be taken from.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "refer": REVIEWING,
    "approve": (*REVIEWING, "intent_to_deny"),
    "approve_in_part": (*REVIEWING, "intent_to_deny"),
    "intent_to_deny": REVIEWING,
    "deny": ("intent_to_deny",),
    "return": REVIEWING,
    "appeal_decision": ("denied",),
}
#: The status each step leaves the application in (appeal_decision: by its outcome).
STATUS_AFTER = {
    "refer": "referred",
    "approve": "approved",
    "approve_in_part": "approved_in_part",
    "intent_to_deny": "intent_to_deny",
    "deny": "denied",
    "return": "returned",
}
STEP_NAME = {**STATUS_AFTER, "appeal_decision": "appeal_decided"}
NEEDS_REASON = ("intent_to_deny", "deny", "return", "appeal_decision")
APPROVALS = ("approve", "approve_in_part")
AppId = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")


class Rider(Body):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    text: str = Field(min_length=1, max_length=2000)


class Decide(Body):
    application_id: str = AppId
    step: Literal[
        "refer", "approve", "approve_in_part", "intent_to_deny", "deny", "return", "appeal_decision"
    ]
    reason: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    agencies: list[str] = Field(default_factory=list, max_length=10)
    riders: list[Rider] = Field(default_factory=list, max_length=50)
    quantity: int | None = Field(default=None, ge=1, le=MAX_LICENSE_QUANTITY)
    value_usd: int | None = Field(default=None, ge=1, le=MAX_LICENSE_QUANTITY * MAX_USD_PER_CHIP)
    valid_until: str | None = Field(default=None, max_length=40)
    outcome: Literal["upheld", "remanded"] | None = None

    @field_validator("agencies")
    @classmethod
    def _agencies(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(agency(a).id for a in value))


class Answer(Body):
    application_id: str = AppId
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class Appeal(Body):
    application_id: str = AppId
    reason: str = Field(min_length=1, max_length=MAX_TEXT)


def _not_allowed(detail: str, app: LicenseApplication) -> Refused:
    allowed = sorted(s for s, sources in ALLOWED_FROM.items() if app.status in sources)
    return Refused(
        detail,
        reason="step_not_allowed",
        application_status=app.status,
        appealed=app.appealed,
        allowed=allowed,
    )


def _locked(ctx: ActionContext, application_id: str) -> LicenseApplication:
    app = ctx.session.get(LicenseApplication, application_id, with_for_update=True)
    if app is None:
        raise NotFound(f"no license application {application_id!r}")
    return app


def _check_fields(body: Decide, app: LicenseApplication) -> None:
    given = {
        "agencies": bool(body.agencies),
        "riders": bool(body.riders),
        "quantity": body.quantity is not None,
        "value_usd": body.value_usd is not None,
        "valid_until": body.valid_until is not None,
        "outcome": body.outcome is not None,
    }
    meaningful = {
        "refer": {"agencies"},
        "approve": {"riders", "valid_until"},
        "approve_in_part": {"riders", "valid_until", "quantity", "value_usd"},
        "appeal_decision": {"outcome"},
    }.get(body.step, set())
    stray = sorted(name for name, present in given.items() if present and name not in meaningful)
    if stray:
        raise InvalidInput(f"{', '.join(stray)} mean nothing for the step {body.step}")
    if body.step in NEEDS_REASON and body.reason is None:
        raise InvalidInput(f"the step {body.step} takes a reason")
    if body.step == "refer" and not body.agencies:
        raise InvalidInput("refer names the agencies (`agencies`: defense, state, energy)")
    if body.step == "appeal_decision" and body.outcome is None:
        raise InvalidInput("appeal_decision takes an outcome: upheld or remanded")
    if body.step == "approve_in_part":
        asked_q, asked_v = app.form["quantity"], app.form["value_usd"]
        quantity = body.quantity if body.quantity is not None else asked_q
        value = body.value_usd if body.value_usd is not None else asked_v
        if quantity > asked_q or value > asked_v:
            raise InvalidInput(
                f"approve_in_part grants at most what was applied for ({asked_q} chips, "
                f"${asked_v}), not {quantity} chips and ${value}"
            )
        if (quantity, value) == (asked_q, asked_v):
            raise InvalidInput(
                "approve_in_part grants less than was applied for: give a lower quantity or "
                "value_usd (or approve it whole)"
            )


def _state(ctx: ActionContext, body: Decide, app: LicenseApplication) -> None:
    """Refuse a step the application's state does not allow."""
    if app.appealed and body.step != "appeal_decision":
        raise _not_allowed(f"application {app.id} is under appeal; decide the appeal first", app)
    if app.status not in ALLOWED_FROM[body.step]:
        raise _not_allowed(
            f"application {app.id} is {app.status}; {body.step} is taken from "
            f"{' or '.join(ALLOWED_FROM[body.step])}",
            app,
        )
    if body.step == "appeal_decision" and not app.appealed:
        raise _not_allowed(f"application {app.id} has no appeal open", app)
    if body.step == "deny" and not _answered(ctx.session, app):
        assert app.respond_by is not None
        if ctx.now <= app.respond_by:
            raise _not_allowed(
                f"the applicant may answer the intent to deny until {to_wire(app.respond_by)} "
                "(15 CFR 750.6(a)); deny after that, or once it has answered",
                app,
            )


def _answered(session: Session, app: LicenseApplication) -> bool:
    """Whether the applicant answered the latest intent to deny."""
    steps = [s.step for s in steps_of(session, app.id)]
    last = max((i for i, s in enumerate(steps) if s == "intent_to_deny"), default=None)
    return last is not None and "answered" in steps[last:]


def _valid_until(text: str | None, now: datetime) -> datetime:
    longest = now + days("license_validity_days")
    if text is None:
        return longest
    until = parse_instant(text)
    if not now < until <= longest:
        raise InvalidInput(
            f"valid_until {to_wire(until)} must be after the registry's time {to_wire(now)} and "
            f"at most four years on ({to_wire(longest)}, 15 CFR 750.7(g))"
        )
    return until


def grant_license(ctx: ActionContext, app: LicenseApplication, body: Decide) -> ExportLicense:
    """The export license an approval grants: the application's parties, destination,
    models and instruments, the quantity and value approved, valid from now."""
    form = app.form
    named = [{"role": "purchaser", "party_id": form["purchaser_id"]}]
    named += [
        {"role": "intermediate_consignee", "party_id": p}
        for p in form["intermediate_consignee_ids"]
    ]
    named += [{"role": "end_user", "party_id": p} for p in form["end_user_ids"]]
    lic = ExportLicense(
        id=new_id("lic"),
        regulator_id=ctx.party.id,
        jurisdiction=app.jurisdiction,
        licensee_id=app.applicant_id,
        consignee_id=form["ultimate_consignee_id"],
        destination=form["destination"],
        models=list(form["models"]),
        quantity=body.quantity if body.quantity is not None else form["quantity"],
        used=0,
        issued_at=ctx.now,
        expires_at=_valid_until(body.valid_until, ctx.now),
        entry_id=ctx.entry_id,
        value_usd=body.value_usd if body.value_usd is not None else form["value_usd"],
        used_value_usd=0,
        status="active",
        valid_from=ctx.now,
        riders=[r.model_dump() for r in body.riders],
        named_parties=named,
        application_id=app.id,
        instruments=list(form["instruments"]),
    )
    ctx.session.add(lic)
    return lic


def decide(ctx: ActionContext) -> ActionResult:
    """A regulator's step on an application (see the module doc)."""
    scopes_for(ctx.party, "license.decide")
    body = parse_body(Decide, ctx.body)
    # A regulator of another jurisdiction is answered as if the application did not exist
    # (its existence is confidential), not refused on one it has found.
    readable_application(ctx.session, ctx.party, body.application_id)
    app = _locked(ctx, body.application_id)
    ctx.authorize("license.decide", application_resource(app))
    _state(ctx, body, app)
    _check_fields(body, app)
    details: dict[str, Any] = {"reason": body.reason} if body.reason else {}
    lic = None
    if body.step == "refer":
        details["agencies"] = [
            {
                "id": a.id,
                "name": a.name,
                "answer_due": to_wire(ctx.now + timedelta(days=a.review_days)),
                "citation": a.citation,
            }
            for a in map(agency, body.agencies)
        ]
    if body.step == "intent_to_deny":
        app.respond_by = ctx.now + days("intent_to_deny_answer_days")
        details["respond_by"] = to_wire(app.respond_by)
    if body.step in APPROVALS:
        lic = grant_license(ctx, app, body)
        app.license_id = lic.id
        details.update(
            license_id=lic.id,
            quantity=lic.quantity,
            value_usd=lic.value_usd,
            riders=lic.riders,
            valid_until=to_wire(lic.expires_at),
        )
    if body.step == "appeal_decision":
        app.appealed = False
        app.status = "denied" if body.outcome == "upheld" else "submitted"
        details["outcome"] = body.outcome
    else:
        app.status = STATUS_AFTER[body.step]
    if body.step != "intent_to_deny":
        app.respond_by = None
    app.updated_at = ctx.now
    step = add_step(ctx, app, STEP_NAME[body.step], details)
    result: dict[str, Any] = {"application": named_application(ctx.session, app, ctx.party)}
    stamp: list[Any] = [step]
    if lic is not None:
        result["license"] = named_license(ctx.session, lic)
        stamp.append(lic)
    subjects = [app.id, app.applicant_id, *([lic.id] if lic else [])]
    return ActionResult(result, 201 if lic else 200, subjects, [app.jurisdiction], stamp)


def _own(ctx: ActionContext, action: str, application_id: str) -> LicenseApplication:
    scopes_for(ctx.party, action)
    readable_application(ctx.session, ctx.party, application_id)  # NotFound for others
    app = _locked(ctx, application_id)
    if app.applicant_id != ctx.party.id:
        raise NotFound(f"no license application {application_id!r} of yours")
    ctx.authorize(action, application_resource(app))
    return app


def answer(ctx: ActionContext) -> ActionResult:
    """The applicant answers an intent to deny, until `respond_by` (once)."""
    body = parse_body(Answer, ctx.body)
    app = _own(ctx, "license.answer", body.application_id)
    if app.status != "intent_to_deny" or app.respond_by is None:
        raise _not_allowed(
            f"application {app.id} is {app.status}; there is no intent to deny to answer", app
        )
    if ctx.now > app.respond_by:
        raise _not_allowed(
            f"the time to answer ended at {to_wire(app.respond_by)}; the registry received this "
            f"answer at {to_wire(ctx.now)}",
            app,
        )
    if _answered(ctx.session, app):
        raise _not_allowed(f"the intent to deny on {app.id} was answered already", app)
    app.updated_at = ctx.now
    step = add_step(ctx, app, "answered", {"text": body.text})
    return _own_result(ctx, app, step)


def appeal(ctx: ActionContext) -> ActionResult:
    """The applicant appeals a denial within 45 days (once); the appeal is recorded and the
    application waits for the regulator's `appeal_decision`."""
    body = parse_body(Appeal, ctx.body)
    app = _own(ctx, "license.appeal", body.application_id)
    if app.status != "denied" or app.appealed:
        raise _not_allowed(
            f"application {app.id} is {app.status}{' and under appeal' if app.appealed else ''};"
            " only a denial is appealed, once",
            app,
        )
    steps = steps_of(ctx.session, app.id)
    denied = max((s for s in steps if s.step == "denied"), key=lambda s: s.id)
    if any(s.step == "appeal_decided" and s.id > denied.id for s in steps):
        raise _not_allowed(f"the appeal of {app.id} was decided; the denial is final", app)
    if ctx.now > denied.at + days("appeal_days"):
        raise _not_allowed(
            f"an appeal is due within 45 days of the denial of {to_wire(denied.at)} (15 CFR 756.2)",
            app,
        )
    app.appealed = True
    app.updated_at = ctx.now
    step = add_step(ctx, app, "appealed", {"reason": body.reason})
    return _own_result(ctx, app, step)


def _own_result(ctx: ActionContext, app: LicenseApplication, step: Any) -> ActionResult:
    return ActionResult(
        {"application": named_application(ctx.session, app, ctx.party)},
        200,
        [app.id],
        [app.jurisdiction],
        [step],
    )
