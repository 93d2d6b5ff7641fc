"""What a report's body may hold, and the checks that refuse hostile input with a 422
`invalid_report` naming its `field` (a report is never refused for an implausible figure:
that is the assessment's flag)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal, TypeVar

from pydantic import AwareDatetime, Field
from sqlalchemy.orm import Session

from computegov.catalog import PRECISIONS, get_chip
from computegov.countries import parse_country
from computegov.errors import InvalidInput, Refused
from computegov.registry.bodies import Body, parse_body
from computegov.registry.custody.models import Site
from computegov.registry.parties.models import Party
from computegov.registry.reporting.assessment import STAGE_KINDS
from computegov.registry.reporting.lineage import eu_members

#: Bounds no honest report comes near: 1e32 FLOP is a million times the largest run
#: reported to date; a quadrillion parameters, 1e16 tokens, ten million chips, 100,000 hours
#: (over eleven years) of one line, a terawatt-year of energy.
MAX_FLOP = 1e32
MAX_PARAMS = 1e15
MAX_TOKENS = 1e16
MAX_CHIPS = 10_000_000
MAX_HOURS = 100_000.0
MAX_KWH = 1e13
#: The earliest a run may start (before deep learning at scale) and how far ahead a planned
#: run may be reported.
EARLIEST = datetime(2010, 1, 1, tzinfo=UTC)
AHEAD = timedelta(days=5 * 366)
MAX_LINES = 200
MAX_CHIP_IDS = 10_000
B = TypeVar("B", bound=Body)
MAX_COUNTRIES = 60
Id = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")
OptionalId = Field(default=None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")

StageKind = Literal["pre_training", "continued_pre_training", "fine_tuning", "rl", "synthetic_data"]
assert set(StageKind.__args__) == set(STAGE_KINDS)  # type: ignore[attr-defined]
Precision = Literal["fp4", "fp8", "int8", "fp16", "bf16", "tf32", "fp32", "fp64"]
assert set(Precision.__args__) == set(PRECISIONS)  # type: ignore[attr-defined]


class ModelReport(Body):
    model_id: str | None = OptionalId
    name: str = Field(min_length=1, max_length=300)
    provider_id: str | None = OptionalId
    eu_representative_id: str | None = OptionalId
    parent_id: str | None = OptionalId
    markets: list[str] = Field(default_factory=list, max_length=MAX_COUNTRIES)
    jurisdictions: list[str] = Field(min_length=1, max_length=MAX_COUNTRIES)
    # The days the model was (or will be) placed on the market and deployed, for the
    # obligations calendar's deadlines; kept in the model's details, an amendment that omits
    # them keeps the earlier ones.
    placed_on: date | None = None
    deployed_on: date | None = None


class ComputeLine(Body):
    provider_id: str = Id
    site_id: str = Id
    chip_model: str = Field(min_length=1, max_length=100)
    chip_count: int = Field(ge=1, le=MAX_CHIPS)
    hours: float = Field(gt=0, le=MAX_HOURS)
    #: The chips used, where the developer names them: each is checked against custody
    #: (`reconcile.check_chips`); at most `chip_count` of them.
    chip_ids: list[str] | None = Field(default=None, min_length=1, max_length=MAX_CHIP_IDS)


class TrainingRunReportBody(Body):
    model_id: str = Id
    stage: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")
    stage_kind: StageKind
    report_kind: Literal["planned", "interim", "final"]
    # A date without its zone is refused (422), not compared with the clock (a 500).
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    declared_flop: float = Field(gt=0, le=MAX_FLOP)
    estimation_method: Literal["operation_count", "hardware", "measured", "other"]
    flop_uncertainty: float | None = Field(default=None, ge=0, le=10)
    params: float | None = Field(default=None, gt=0, le=MAX_PARAMS)
    active_params: float | None = Field(default=None, gt=0, le=MAX_PARAMS)
    tokens: float | None = Field(default=None, gt=0, le=MAX_TOKENS)
    precision: Precision = "bf16"
    bio: bool = False
    energy_kwh: float | None = Field(default=None, ge=0, le=MAX_KWH)
    compute_used: list[ComputeLine] = Field(default_factory=list, max_length=MAX_LINES)
    jurisdictions: list[str] | None = Field(default=None, min_length=1, max_length=MAX_COUNTRIES)


def invalid(detail: str, field: str) -> Refused:
    """A 422 problem about one field of a report."""
    return Refused(detail, reason="invalid_report", field=field)


def parsed(model: type[B], body: dict[str, object]) -> B:
    try:
        return parse_body(model, dict(body))
    except InvalidInput as exc:
        raise invalid(str(exc), "body") from None


def countries(codes: list[str], field: str) -> list[str]:
    """ISO alpha-2 codes, `EU` standing for its 27 member states; sorted, unique."""
    found: set[str] = set()
    for code in codes:
        if code.strip().upper() == "EU":
            found |= eu_members()
            continue
        try:
            found.add(parse_country(code))
        except InvalidInput as exc:
            raise invalid(f"{field}: {exc}; or EU for its member states", field) from None
    return sorted(found)


def party(session: Session, party_id: str, field: str, roles: tuple[str, ...]) -> Party:
    found = session.get(Party, party_id)
    if found is None:
        raise invalid(f"{field}: no party {party_id!r}", field)
    if found.role not in roles:
        raise invalid(
            f"{field}: {found.id} is a {found.role}; this field takes a {' or '.join(roles)}",
            field,
        )
    return found


def check_run(body: TrainingRunReportBody, now: datetime) -> None:
    """Dates, parameter counts and tokens that cannot describe a run."""
    if body.started_at < EARLIEST:
        raise invalid(
            f"started_at: before {EARLIEST.date()}; give the run's UTC start", "started_at"
        )
    if body.started_at > now + AHEAD:
        raise invalid("started_at: more than five years ahead", "started_at")
    if body.ended_at is not None and body.ended_at < body.started_at:
        raise invalid("ended_at: before started_at; a run ends after it starts", "ended_at")
    if body.ended_at is not None and body.ended_at > now + AHEAD:
        raise invalid("ended_at: more than five years ahead", "ended_at")
    if body.report_kind == "final":
        if body.ended_at is None:
            raise invalid("ended_at: a final report states when the run ended", "ended_at")
        if body.ended_at > now:
            raise invalid("ended_at: a final report is of a run that has ended", "ended_at")
    if body.active_params is not None:
        if body.params is None:
            raise invalid("active_params: give the total params too", "active_params")
        if body.active_params > body.params:
            raise invalid(
                f"active_params: {body.active_params:g} is more than the total params "
                f"{body.params:g}; give the parameters used per token (e.g. 37e9 of 671e9)",
                "active_params",
            )
    if (body.params is None) != (body.tokens is None):
        raise invalid(
            "params and tokens come together (6 x N x D needs both), or neither", "tokens"
        )


def check_lines(
    session: Session, body: TrainingRunReportBody, developer: Party
) -> list[dict[str, object]]:
    """Each line of compute used: a catalog chip publishing a rate at the report's precision,
    a registered site operated by the line's provider (a cloud provider, or the developer
    itself)."""
    lines = []
    for index, line in enumerate(body.compute_used):
        field = f"compute_used[{index}]"
        try:
            chip = get_chip(line.chip_model)
        except InvalidInput as exc:
            raise invalid(f"{field}.chip_model: {exc}", f"{field}.chip_model") from None
        if chip.peak_flops(body.precision) is None:
            published = [p for p in PRECISIONS if chip.peak_flops(p) is not None]
            raise invalid(
                f"{field}.chip_model: {chip.name} publishes no {body.precision} rate; it has "
                f"{', '.join(published) or 'none'}: state the precision the run used",
                f"{field}.chip_model",
            )
        if line.provider_id != developer.id:
            party(session, line.provider_id, f"{field}.provider_id", ("cloud_provider",))
        site = session.get(Site, line.site_id)
        if site is None or site.operator_id != line.provider_id:
            raise invalid(
                f"{field}.site_id: no site {line.site_id!r} operated by {line.provider_id}",
                f"{field}.site_id",
            )
        if line.chip_ids is not None:
            if len(set(line.chip_ids)) != len(line.chip_ids) or any(
                not 1 <= len(c) <= 32 for c in line.chip_ids
            ):
                raise invalid(f"{field}.chip_ids: name each chip once, by id", f"{field}.chip_ids")
            if len(line.chip_ids) > line.chip_count:
                raise invalid(
                    f"{field}.chip_ids: {len(line.chip_ids)} chips named, more than chip_count "
                    f"{line.chip_count}",
                    f"{field}.chip_ids",
                )
        shown = line.model_dump(exclude_none=True)
        lines.append({**shown, "chip_model": chip.name, "country": site.country})
    return lines
