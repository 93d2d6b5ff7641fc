"""`report.attestation` and `report.attestation_request`: a cloud provider's signed statement
of the chip-hours it delivered to one customer in one period, and a regulator's request for
one.

An attestation names a registered AI developer as customer, a period [period_start,
period_end) that has ended, and lines {site_id, chip_model, chip_hours} at the provider's
own registered sites, of catalog chips. Its `basis` is `request` (it answers an open
request addressed to the provider for that customer and period: `request_id`) or
`threshold` (the customer's use crossed a threshold; never a census of every customer).
It is addressed to the provider's and the customer's countries, those of the request it
answers and any the provider adds. A later attestation of the same provider, customer and
period supersedes the earlier one (kept, readable, no longer counted) and keeps its
addressees. The same action takes CSV (`csv`: the text, header exactly `CSV_HEADER`), one
attestation per (customer, period) group of rows. On receipt each attestation is reconciled
with the customer's reports (`reconcile.py`); the flags that raises are the regulators' and
the developer's, not shown to the provider.

A request is visible to its regulator's colleagues of the countries it touches and to the
provider, not to the customer: an inquiry about a customer is not told to the customer by
the registry (the provider may, outside it).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import AwareDatetime, Field, ValidationError

from computegov.catalog import get_chip
from computegov.errors import InvalidInput
from computegov.identity.access import Resource
from computegov.registry.actions import ActionContext, ActionResult, scopes_for
from computegov.registry.bodies import Body
from computegov.registry.custody.models import Site
from computegov.registry.ids import new_id
from computegov.registry.parties.models import Party
from computegov.registry.reporting import inputs, reconcile
from computegov.registry.reporting.attestation_views import attestation_dict, request_dict
from computegov.registry.reporting.inputs import EARLIEST, MAX_COUNTRIES, MAX_LINES, invalid
from computegov.registry.reporting.models import AttestationRequest, ProviderAttestation

CSV_HEADER = "customer_id,site_id,chip_model,period_start,period_end,chip_hours"
#: Ten million chips for more than a year: more than any one line of an honest attestation.
MAX_CHIP_HOURS = 1e11
MAX_CSV = 1_000_000
MAX_GROUPS = 100
Id = inputs.Id


class AttestationLine(Body):
    site_id: str = Id
    chip_model: str = Field(min_length=1, max_length=100)
    chip_hours: float = Field(gt=0, le=MAX_CHIP_HOURS, allow_inf_nan=False)


class AttestationBody(Body):
    customer_id: str | None = inputs.OptionalId
    period_start: AwareDatetime | None = None
    period_end: AwareDatetime | None = None
    lines: list[AttestationLine] = Field(default_factory=list, max_length=MAX_LINES)
    basis: Literal["request", "threshold"] | None = None
    request_id: str | None = inputs.OptionalId
    jurisdictions: list[str] = Field(default_factory=list, max_length=MAX_COUNTRIES)
    csv: str | None = Field(default=None, min_length=1, max_length=MAX_CSV)


class RequestBody(Body):
    provider_id: str = Id
    customer_id: str = Id
    period_start: AwareDatetime
    period_end: AwareDatetime
    reason: str = Field(min_length=1, max_length=4000)


def _period(start: datetime, end: datetime, now: datetime) -> None:
    if start < EARLIEST:
        raise invalid(f"period_start: before {EARLIEST.date()}", "period_start")
    if end <= start:
        raise invalid("period_end: not after period_start; a period is [start, end)", "period_end")
    if end > now:
        raise invalid(
            "period_end: in the future; attest chip-hours delivered in a period that has ended",
            "period_end",
        )


def parse_csv(text: str) -> list[dict[str, Any]]:
    """The CSV form as attestation bodies, one per (customer, period) group of rows; any
    header but `CSV_HEADER` is refused, naming it."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or ",".join(cell.strip() for cell in rows[0]) != CSV_HEADER:
        raise invalid(f"csv: the header must be exactly {CSV_HEADER}", "csv")
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 6:
            raise invalid(f"csv: line {number} has {len(row)} cells; {CSV_HEADER} has 6", "csv")
        customer, site, chip, start, end, hours = (cell.strip() for cell in row)
        groups[(customer, start, end)].append(
            {"site_id": site, "chip_model": chip, "chip_hours": hours}
        )
    if not groups:
        raise invalid("csv: no rows under the header", "csv")
    if len(groups) > MAX_GROUPS:
        raise invalid(f"csv: at most {MAX_GROUPS} (customer, period) groups", "csv")
    return [
        {"customer_id": c, "period_start": s, "period_end": e, "lines": lines}
        for (c, s, e), lines in groups.items()
    ]


def _bodies(body: AttestationBody) -> list[AttestationBody]:
    if body.csv is None:
        return [body]
    if body.customer_id or body.lines or body.period_start or body.period_end:
        raise invalid("csv: give the rows either as csv or as fields, not both", "csv")
    shared = body.model_dump(include={"basis", "request_id", "jurisdictions"})
    found = []
    for group in parse_csv(body.csv):
        try:
            found.append(AttestationBody.model_validate({**group, **shared}))
        except ValidationError as exc:
            raise invalid(f"csv: {group['customer_id']} {exc.errors()[0]['msg']}", "csv") from None
    return found


def _lines(ctx: ActionContext, body: AttestationBody) -> list[dict[str, Any]]:
    if not body.lines:
        raise invalid("lines: give at least one {site_id, chip_model, chip_hours}", "lines")
    lines, seen = [], set()
    for index, line in enumerate(body.lines):
        field = f"lines[{index}]"
        try:
            chip = get_chip(line.chip_model)
        except InvalidInput as exc:
            raise invalid(f"{field}.chip_model: {exc}", f"{field}.chip_model") from None
        site = ctx.session.get(Site, line.site_id)
        if site is None or site.operator_id != ctx.party.id:
            raise invalid(
                f"{field}.site_id: no site {line.site_id!r} of yours; register it first "
                "(computegov sites create)",
                f"{field}.site_id",
            )
        if (site.id, chip.name) in seen:
            raise invalid(f"{field}: {site.id} {chip.name} twice; give one line each", field)
        seen.add((site.id, chip.name))
        lines.append({"site_id": site.id, "chip_model": chip.name, "chip_hours": line.chip_hours})
    return lines


def _request(ctx: ActionContext, body: AttestationBody, customer: Party) -> AttestationRequest:
    if body.request_id is None:
        raise invalid("request_id: an attestation on request names the request", "request_id")
    found = ctx.session.get(AttestationRequest, body.request_id, with_for_update=True)
    if found is None or found.provider_id != ctx.party.id:
        raise invalid(f"request_id: no request {body.request_id!r} addressed to you", "request_id")
    if found.customer_id != customer.id:
        raise invalid(
            f"request_id: {found.id} asks about {found.customer_id}, not {customer.id}",
            "request_id",
        )
    if (found.period_start, found.period_end) != (body.period_start, body.period_end):
        raise invalid(
            f"request_id: {found.id} asks for the period {found.period_start.isoformat()} to "
            f"{found.period_end.isoformat()}; attest that period",
            "request_id",
        )
    return found


def _attest_one(ctx: ActionContext, body: AttestationBody) -> ProviderAttestation:
    if body.customer_id is None or body.period_start is None or body.period_end is None:
        raise invalid("customer_id, period_start and period_end are required", "customer_id")
    customer = inputs.party(ctx.session, body.customer_id, "customer_id", ("ai_developer",))
    _period(body.period_start, body.period_end, ctx.now)
    basis = body.basis or ("request" if body.request_id else "threshold")
    request = _request(ctx, body, customer) if basis == "request" else None
    if basis == "threshold" and body.request_id is not None:
        raise invalid("request_id: only an attestation on request names one", "request_id")
    countries = set(inputs.countries(body.jurisdictions, "jurisdictions"))
    countries |= {c for c in (ctx.party.country, customer.country) if c}
    countries |= set(request.countries) if request else set()
    lines = _lines(ctx, body)
    earlier = ctx.session.scalars(
        sa.select(ProviderAttestation)
        .where(
            ProviderAttestation.provider_id == ctx.party.id,
            ProviderAttestation.customer_id == customer.id,
            ProviderAttestation.period_start == body.period_start,
            ProviderAttestation.period_end == body.period_end,
            ProviderAttestation.superseded_by_id.is_(None),
        )
        .with_for_update()
    ).first()
    if earlier is not None:  # its readers keep reading its successor
        countries |= set(earlier.jurisdictions)
    jurisdictions = sorted(countries)
    ctx.authorize(
        "report.attestation",
        Resource(owners=frozenset({ctx.party.id}), countries=frozenset(jurisdictions)),
    )
    attestation = ProviderAttestation(
        id=new_id("att"),
        provider_id=ctx.party.id,
        customer_id=customer.id,
        period_start=body.period_start,
        period_end=body.period_end,
        lines=lines,
        basis=basis,
        request_id=request.id if request else None,
        supersedes_id=earlier.id if earlier else None,
        superseded_by_id=None,
        jurisdictions=jurisdictions,
        created_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    if earlier is not None:
        earlier.superseded_by_id = attestation.id
    if request is not None:
        request.status = "answered"
        request.attestation_id = attestation.id
    ctx.session.add(attestation)
    ctx.session.flush()
    return attestation


def report_attestation(ctx: ActionContext) -> ActionResult:
    """Attest chip-hours delivered (one attestation, or one per CSV group); reconcile each."""
    scopes_for(ctx.party, "report.attestation")  # a role that never attests: before lookups
    bodies = _bodies(inputs.parsed(AttestationBody, ctx.body))
    made = [_attest_one(ctx, body) for body in bodies]
    keys = [(a.customer_id, a.period_start, a.period_end) for a in made]
    if len(set(keys)) != len(keys):
        raise invalid("csv: one (customer, period) group appears twice", "csv")
    for attestation in made:
        reconcile.on_attestation(ctx.session, attestation, ctx.now)
    subjects = sorted({ctx.party.id, *(a.customer_id for a in made)})
    countries = sorted({c for a in made for c in a.jurisdictions})
    shown = [attestation_dict(a) for a in made]
    return ActionResult({"attestations": shown}, 201, subjects, countries, made)


def request_attestation(ctx: ActionContext) -> ActionResult:
    """A regulator asks a provider to attest what it delivered to a customer in a period."""
    scopes_for(ctx.party, "report.attestation_request")
    body = inputs.parsed(RequestBody, ctx.body)
    provider = inputs.party(ctx.session, body.provider_id, "provider_id", ("cloud_provider",))
    customer = inputs.party(ctx.session, body.customer_id, "customer_id", ("ai_developer",))
    _period(body.period_start, body.period_end, ctx.now)
    touched = {c for c in (provider.country, customer.country) if c}
    ctx.authorize("report.attestation_request", Resource(countries=frozenset(touched)))
    countries = sorted(touched & set(ctx.party.jurisdiction or ()))
    request = AttestationRequest(
        id=new_id("atr"),
        regulator_id=ctx.party.id,
        provider_id=provider.id,
        customer_id=customer.id,
        period_start=body.period_start,
        period_end=body.period_end,
        reason=body.reason,
        status="open",
        attestation_id=None,
        countries=countries,
        created_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(request)
    ctx.session.flush()
    shown = {"request": request_dict(request)}
    return ActionResult(shown, 201, [provider.id], countries, [request])
