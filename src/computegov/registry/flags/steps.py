"""The signed steps of a flag's workflow besides `flag.close` (`service.close_flag`).

- `flag.assign` (a regulator of the flag's countries): to an official, a regulator party
  whose jurisdiction includes one of the flag's countries; anyone else is refused.
- `flag.comment` (a regulator of the flag's countries, or the flagged party): text kept in
  the history; the flag stays in its state.
- `flag.dispute` (the flagged party alone): a reason and its evidence, a list of
  `{kind, reference, note}` items (bounded), kept with the step.
- `flag.resolve` (a regulator of the flag's countries): with a reason.

Each is one `service.take_step`: found and authorized the same way, a `FlagEvent` pointing
at the action's ledger entry, the flag and its history in the answer.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field

from computegov.errors import InvalidInput, Refused
from computegov.identity.access import Resource
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.flags.models import Flag
from computegov.registry.flags.service import FlagId, take_step
from computegov.registry.flags.workflow import MAX_REASON
from computegov.registry.parties.models import Party

#: The most items of evidence one dispute carries, and the length of each field.
MAX_EVIDENCE_ITEMS = 20
MAX_REFERENCE = 500
MAX_COMMENT = MAX_REASON

Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]
B = TypeVar("B", bound=BaseModel)


class FlagAssign(Body):
    flag_id: FlagId
    assignee_id: FlagId
    reason: str = Field(default="", max_length=MAX_REASON)


class FlagComment(Body):
    flag_id: FlagId
    text: str = Field(min_length=1, max_length=MAX_COMMENT)


class EvidenceItem(Body):
    """One piece of a dispute's evidence: what it is, where it is found, what it shows."""

    kind: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")
    reference: str = Field(min_length=1, max_length=MAX_REFERENCE)
    note: str = Field(default="", max_length=MAX_REASON)


class FlagDispute(Body):
    flag_id: FlagId
    reason: Reason
    evidence: list[EvidenceItem] = Field(min_length=1, max_length=MAX_EVIDENCE_ITEMS)


class FlagResolve(Body):
    flag_id: FlagId
    reason: Reason


def _parsed(model: type[B], body: dict[str, Any]) -> B:
    """A step's body, or a 422 naming what is wrong (an oversized dispute, a missing reason)."""
    try:
        return parse_body(model, body)
    except InvalidInput as exc:
        raise Refused(str(exc), reason="invalid_flag_step") from None


def assign_flag(ctx: ActionContext) -> ActionResult:
    """Assign a flag to an official: a regulator party of one of the flag's countries."""
    body = _parsed(FlagAssign, ctx.body)

    def to_an_official(flag: Flag, resource: Resource) -> None:
        official = ctx.session.get(Party, body.assignee_id)
        reach = set(official.jurisdiction or ()) if official is not None else set()
        if official is None or official.role != "regulator" or not reach & resource.countries:
            raise Refused(
                f"{body.assignee_id} is not an official of this flag's jurisdictions "
                f"({', '.join(sorted(resource.countries))}): assign it to a regulator party "
                "whose jurisdiction includes one of them",
                reason="not_an_official",
            )
        flag.assignee_id = official.id

    details = {"assignee_id": body.assignee_id}
    return take_step(ctx, body.flag_id, "flag.assign", body.reason, details, to_an_official)


def comment_flag(ctx: ActionContext) -> ActionResult:
    """Comment on a flag (a regulator of its countries, or the flagged party); its state
    does not change."""
    body = _parsed(FlagComment, ctx.body)
    return take_step(ctx, body.flag_id, "flag.comment", body.text)


def dispute_flag(ctx: ActionContext) -> ActionResult:
    """Dispute a flag, as the flagged party, with a reason and evidence."""
    body = _parsed(FlagDispute, ctx.body)
    details = {"evidence": [item.model_dump() for item in body.evidence]}
    return take_step(ctx, body.flag_id, "flag.dispute", body.reason, details)


def resolve_flag(ctx: ActionContext) -> ActionResult:
    """Resolve a flag with a reason (a regulator of its countries)."""
    body = _parsed(FlagResolve, ctx.body)
    return take_step(ctx, body.flag_id, "flag.resolve", body.reason)
