"""The flag workflow as data: the states a flag is in and the transitions between them.

    open --assign--> assigned --dispute--> disputed --resolve--> resolved --close--> closed
      \\______________\\___________________\\______________________\\__close__/

`flag.comment` keeps the state (any but closed). Each transition is a signed action
(`registry.flags.steps`): a regulator of the flag's countries assigns it to an official,
comments, resolves or closes it; the flagged party comments and disputes it with its
evidence. A screening list's owner also closes, by replacing or withdrawing the list, the
flags it raised that no longer match. Every step is a `FlagEvent` written by a signed action
and pointing at its ledger entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from computegov.errors import Conflict, InvalidInput
from computegov.registry.flags.models import Flag, FlagEvent

STATES: tuple[str, ...] = ("open", "assigned", "disputed", "resolved", "closed")
#: States in which a flag still stands: a screening match in one of them refuses transfers
#: where its list reaches; "resolved" and "closed" flags are kept as history only.
STANDING: frozenset[str] = frozenset({"open", "assigned", "disputed"})
MAX_REASON = 2000


@dataclass(frozen=True)
class Transition:
    """An action that moves a flag from one of `sources` to `target` (None: the state it is
    in, for a step that only adds to the history, a comment). A flag in one of `keeps` stays
    in it: assigning a disputed flag to an official does not drop the dispute."""

    action: str
    sources: frozenset[str]
    target: str | None
    needs_reason: bool
    keeps: frozenset[str] = frozenset()


TRANSITIONS: Mapping[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "flag.assign",
            frozenset({"open", "assigned", "disputed"}),
            "assigned",
            False,
            keeps=frozenset({"disputed"}),
        ),
        Transition("flag.dispute", frozenset({"open", "assigned"}), "disputed", True),
        Transition("flag.resolve", frozenset({"open", "assigned", "disputed"}), "resolved", True),
        Transition("flag.comment", frozenset(STATES) - {"closed"}, None, True),
        Transition(
            "flag.close", frozenset({"open", "assigned", "disputed", "resolved"}), "closed", True
        ),
    )
}


def move(
    session: Session,
    flag: Flag,
    transition: str,
    *,
    actor_id: str,
    reason: str,
    now: datetime,
    entry_id: str,
    action: str | None = None,
    details: dict[str, Any] | None = None,
) -> FlagEvent:
    """Apply `transition` to `flag` and record the step; `action` names the signed action
    that did it when it is not the transition's own (a list's replacement closing a flag);
    `details` is what the step carries besides its reason (a dispute's evidence, an assignee).

    Refuses (Conflict) a transition the flag's state does not allow, and (InvalidInput) a
    missing reason where the transition needs one. `entry_id` is the entry of the signed
    action that moves the flag (`ActionContext.entry_id`, known before the handler runs).
    """
    step = TRANSITIONS[transition]
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise InvalidInput(f"{transition} needs a reason: say why, for the flag's history")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"a reason is at most {MAX_REASON} characters")
    if flag.status not in step.sources:
        raise Conflict(
            f"flag {flag.id} is {flag.status}; {transition} applies only to a flag that is "
            f"{', '.join(s for s in STATES if s in step.sources)}",
            reason="flag_state",
            flag_status=flag.status,
        )
    target = flag.status if flag.status in step.keeps else (step.target or flag.status)
    event = FlagEvent(
        flag_id=flag.id,
        action=action or transition,
        from_status=flag.status,
        to_status=target,
        actor_id=actor_id,
        reason=reason,
        at=now,
        entry_id=entry_id,
        details=details,
    )
    flag.status = target
    flag.updated_at = now
    session.add(event)
    return event
