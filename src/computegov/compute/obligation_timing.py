"""When a non-incident duty falls due, from its trigger and the model's dates.

- threshold_known: the period from the day it became known the threshold would be met (not
  before the instrument took effect);
- before_placement: the day of market placement;
- at_deployment: the day of deployment (or placement), not for models deployed before the
  instrument took effect;
- standing: from the day the instrument took effect, or the day the threshold became known;
- periodic: every `months` from that start; the next due day on or after the day asked about;
- enforcement: the instrument's enforcement day.
For an instrument with a `legacy` rule, models placed on the market before its cut-off have
until its deadline instead (EU AI Act Art. 111(3)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from computegov.compute.obligation_rules import Duty, InstrumentRules


@dataclass(frozen=True)
class Due:
    """A deadline (ISO day, or None), its words, or why the duty does not arise (`skip`)."""

    deadline: str | None
    text: str
    skip: str | None = None


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    # Periods here start on the 1st or on given days; clamp to the month's last day.
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _start(rules: InstrumentRules, model_day: date | None) -> date | None:
    days = [d for d in (rules.in_force, model_day) if d is not None]
    return max(days) if days else None


def _legacy(rules: InstrumentRules, placed_on: date | None) -> bool:
    return (
        rules.legacy is not None
        and placed_on is not None
        and placed_on < rules.legacy.placed_before
    )


def due(
    duty: Duty,
    rules: InstrumentRules,
    day: date,
    known_on: date | None,
    placed_on: date | None,
    deployed_on: date | None,
) -> Due:
    """When `duty` of `rules` falls due, asked on `day`, for a model whose threshold became
    known on `known_on`, placed on the market on `placed_on` and deployed on `deployed_on`."""
    if _legacy(rules, placed_on) and duty.trigger != "incident":
        assert rules.legacy is not None
        deadline = rules.legacy.deadline.isoformat()
        return Due(
            deadline,
            f"by {deadline}: placed on the market on {placed_on} before "
            f"{rules.legacy.placed_before.isoformat()} ({rules.legacy.citation})",
        )
    trigger = duty.trigger
    if trigger == "threshold_known":
        assert duty.period is not None
        start = _start(rules, known_on)
        if known_on is None or start is None:
            return Due(
                None,
                f"within {duty.period.words()} of it becoming known that the "
                "threshold will be met (that day was not given)",
            )
        end = duty.period.after(start)
        return Due(end.isoformat(), f"within {duty.period.words()} of {start.isoformat()}")
    if trigger == "before_placement":
        if placed_on is None:
            return Due(None, "before market placement (placement day not given)")
        return Due(placed_on.isoformat(), f"before market placement on {placed_on.isoformat()}")
    if trigger == "at_deployment":
        when = deployed_on or placed_on
        if when is None:
            return Due(None, "before or at deployment (deployment day not given)")
        if rules.in_force is not None and when < rules.in_force:
            return Due(
                None,
                "",
                skip=f"deployed on {when.isoformat()}, before the duty took "
                f"effect on {rules.in_force.isoformat()}",
            )
        return Due(when.isoformat(), f"before or at deployment on {when.isoformat()}")
    if trigger == "standing":
        start = _start(rules, known_on)
        if start is None:
            return Due(None, "continuing, from when the threshold is met")
        return Due(start.isoformat(), f"from {start.isoformat()}, continuing")
    if trigger == "periodic":
        assert duty.months is not None
        start = _start(rules, known_on)
        if start is None:
            return Due(None, f"every {duty.months} months (start day not given)")
        step = 1
        nxt = _add_months(start, duty.months)
        while nxt < day:
            step += 1
            nxt = _add_months(start, duty.months * step)
        return Due(
            nxt.isoformat(),
            f"every {duty.months} months from {start.isoformat()}; next on {nxt.isoformat()}",
        )
    if trigger == "enforcement":
        assert duty.day is not None
        return Due(duty.day.isoformat(), f"enforceable from {duty.day.isoformat()}")
    raise AssertionError(f"unhandled trigger {trigger}")
