"""Does a figure reconcile with the estimates? Verdicts with a reason, over packaged bands.

Two checks against the packaged tolerance bands (bands.json names their source): the
utilization a figure implies on the stated hardware, and the figure's ratio to 6 N D. Band
edges belong to the inner band (0.10 and 0.70 are plausible; 0.05 and 0.85 are flagged).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from computegov.compute.data_files import load
from computegov.errors import InvalidInput

VerdictName = Literal["plausible", "flag", "implausible"]
IMPLIED_UTILIZATION = "implied_utilization"
RATIO_TO_OPERATION_COUNT = "ratio_to_operation_count"


@dataclass(frozen=True)
class Band:
    """Plausible [low, high] inside a wider flag [low, high]; outside both is implausible."""

    plausible: tuple[float, float]
    flag: tuple[float, float]
    source: str


@dataclass(frozen=True)
class Verdict:
    """One check of one figure: which check, the value it computed, the verdict and why."""

    subject: str
    check: str
    value: float
    against_flop: float
    verdict: VerdictName
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def band(check: str) -> Band:
    """The packaged band for `implied_utilization` or `ratio_to_operation_count`."""
    data = load("bands.json")
    if check not in data:
        raise InvalidInput(f"unknown check {check!r}; known: {', '.join(sorted(data))}")
    entry = data[check]
    low, high = entry["plausible"]
    flag_low, flag_high = entry["flag"]
    return Band((float(low), float(high)), (float(flag_low), float(flag_high)), entry["source"])


def _at_least(value: float, edge: float) -> bool:
    # Edges are inclusive; a ratio such as 1e23 / 3e23 should land on 1/3, not a hair below.
    return value >= edge or math.isclose(value, edge, rel_tol=1e-9)


def _at_most(value: float, edge: float) -> bool:
    return value <= edge or math.isclose(value, edge, rel_tol=1e-9)


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return _at_least(value, bounds[0]) and _at_most(value, bounds[1])


def classify(value: float, bounds: Band) -> tuple[VerdictName, str]:
    """The verdict for a value, and where it sits: `within`, `low` or `high`."""
    if _within(value, bounds.plausible):
        return "plausible", "within"
    side = "low" if value < bounds.plausible[0] else "high"
    if _within(value, bounds.flag):
        return "flag", side
    return "implausible", side


def _edges(bounds: tuple[float, float]) -> str:
    return f"{_num(bounds[0])}-{_num(bounds[1])}"


def _label(subject: str) -> str:
    return "6ND" if subject == "operation_count" else subject


def _num(value: float) -> str:
    if math.isclose(value, 1 / 3, rel_tol=1e-9):
        return "1/3"
    return f"{value:.3g}"


def check_utilization_implied(
    reported: float, peak: float, *, subject: str = "reported"
) -> Verdict:
    """Verdict on the utilization `reported` implies against `peak` (peak x chips x time)."""
    bounds = band(IMPLIED_UTILIZATION)
    value = reported / peak
    verdict, side = classify(value, bounds)
    shown = f"implied utilization {value:.3g} of the {_label(subject)} figure"
    if value > 1:
        reason = (
            f"{shown} is above 1: the {_label(subject)} figure is {value:.3g}x what the chips "
            "could do at full peak for the stated hours, which is impossible; check the "
            "figure, the chip count, the hours and the precision"
        )
    elif verdict == "plausible":
        reason = f"{shown} is within the plausible band {_edges(bounds.plausible)}"
    elif verdict == "flag" and side == "low":
        reason = (
            f"{shown} is below {_num(bounds.plausible[0])} (flag band from "
            f"{_num(bounds.flag[0])}): the chips were mostly idle, or the {_label(subject)} figure "
            "is low or the hours high"
        )
    elif verdict == "flag":
        reason = (
            f"{shown} is above {_num(bounds.plausible[1])} (flag band to "
            f"{_num(bounds.flag[1])}): higher than recorded runs; was the run at a lower "
            "precision than the peak assumed (FP8 against a BF16 peak)?"
        )
    elif side == "low":
        reason = (
            f"{shown} is below {_num(bounds.flag[0])}: the {_label(subject)} figure is far too low "
            "for the hardware time, or the hardware is overstated"
        )
    else:
        reason = (
            f"{shown} is above {_num(bounds.flag[1])}: no training run sustains that; the "
            f"{_label(subject)} figure is too high or the hardware understated"
        )
    return Verdict(subject, IMPLIED_UTILIZATION, value, peak, verdict, reason)


def check_ratio(reported: float, operation_count: float, *, subject: str = "reported") -> Verdict:
    """Verdict on `reported` / 6 N D."""
    bounds = band(RATIO_TO_OPERATION_COUNT)
    value = reported / operation_count
    verdict, side = classify(value, bounds)
    shown = f"{_label(subject)} / 6ND = {value:.3g}"
    if verdict == "plausible":
        reason = f"{shown} is within the plausible band {_edges(bounds.plausible)}"
    elif verdict == "flag":
        edge = bounds.plausible[0] if side == "low" else bounds.plausible[1]
        outer = bounds.flag[0] if side == "low" else bounds.flag[1]
        direction = "below" if side == "low" else "above"
        reason = (
            f"{shown} is {direction} {_num(edge)} but within {_num(outer)}: more than the "
            "usual gap between a reported figure and 6ND (recompute, attention, an "
            "encoder-decoder); check the parameter and token counts"
        )
    else:
        edge = bounds.flag[0] if side == "low" else bounds.flag[1]
        direction = "below" if side == "low" else "above"
        reason = (
            f"{shown} is {direction} {_num(edge)}: the figure does not reconcile with the "
            "model and data; for a mixture of experts, was 6ND computed with active parameters?"
        )
    return Verdict(subject, RATIO_TO_OPERATION_COUNT, value, operation_count, verdict, reason)


def check_reported(
    reported: float,
    *,
    operation_count: float | None = None,
    hardware: float | None = None,
    subject: str = "reported",
) -> list[Verdict]:
    """Check a reported figure against 6ND (`operation_count`, FLOP) and/or the hardware's
    peak capacity (`hardware` = peak FLOP/s per chip x chips x seconds); one verdict each."""
    if not reported > 0:
        raise InvalidInput(f"the reported figure must be a positive FLOP count, got {reported!r}")
    if operation_count is None and hardware is None:
        raise InvalidInput(
            "nothing to check the reported figure against: give an operation count "
            "(params and tokens) or hardware (chip, chips and hours), or both"
        )
    for what, value in (("operation count", operation_count), ("hardware peak", hardware)):
        if value is not None and not value > 0:
            raise InvalidInput(f"the {what} must be a positive FLOP count, got {value!r}")
    verdicts = []
    if operation_count is not None:
        verdicts.append(check_ratio(reported, operation_count, subject=subject))
    if hardware is not None:
        verdicts.append(check_utilization_implied(reported, hardware, subject=subject))
    return verdicts
