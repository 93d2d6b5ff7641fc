"""The review policy of the October 2023 rule for one export, as amended in January 2026.

The 2023 rule (88 FR 73458) reviews applications for D:5 and Macau, or for buyers
headquartered there, under a presumption of denial, and for its other destinations under a
presumption of approval. The January 2026 rule (`bis-2026-01-review`, 91 FR 1684) adds no
license requirement; it changes that policy to case-by-case for exports **from the United
States** to China (Hong Kong included, as the EAR treats it) and Macau of chips below its TPP
and DRAM-bandwidth limits, when the exporter certifies its conditions (`certifications.csv`).
Reexports, exports from abroad and in-country transfers to or within China and Macau stay
under a presumption of denial.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from computegov.catalog import ChipModel
from computegov.rules.certifications import certifications
from computegov.rules.classification import Classification, fmt
from computegov.rules.destinations import matches
from computegov.rules.instruments import Instrument, get_instrument, threshold
from computegov.rules.outcomes import (
    CASE_BY_CASE,
    PRESUMPTION_OF_APPROVAL,
    PRESUMPTION_OF_DENIAL,
)

JAN_2026 = "bis-2026-01-review"
#: The condition that names the export's origin, and the one the rules engine decides itself.
_SCOPE = ("export_from_us", "below_performance_thresholds")
ONLY_FROM_US = "case-by-case only for exports from the United States"


@dataclass(frozen=True)
class Review:
    """A policy, the instrument that set it, what would change it, and notes on why."""

    policy: str
    rule: str
    conditions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def certification_conditions(rule_id: str = JAN_2026) -> tuple[str, ...]:
    """The certifications that make an export from the US case-by-case, as "id: text"."""
    return tuple(f"certify {c.id}: {c.text}" for c in certifications(rule_id) if c.id not in _SCOPE)


def within_limits(
    chip: ChipModel, cls: Classification, rule: Instrument
) -> tuple[bool | None, str]:
    """Whether a chip falls under the January 2026 case-by-case policy by its figures:
    True, False, or None where a figure is missing; with the numbers that decide it."""
    tpp_max = threshold(rule.id, "tpp_max")
    dram_max = threshold(rule.id, "dram_bandwidth_max_gbps")
    if cls.tpp is None:
        return None, "TPP unknown"
    if cls.tpp >= tpp_max:
        return False, f"TPP {fmt(cls.tpp)} >= {fmt(tpp_max)}"
    dram = chip.memory_bandwidth_gbps
    if dram is None:
        return None, f"TPP {fmt(cls.tpp)} < {fmt(tpp_max)} but the DRAM bandwidth is not published"
    if dram >= dram_max:
        return False, f"total DRAM bandwidth {fmt(dram)} GB/s >= {fmt(dram_max)} GB/s"
    if chip.launch_year is not None and chip.launch_year > rule.published.year:
        return False, (
            f"launched in {chip.launch_year}, after the rule's publication: not commercially "
            f"available in the United States on {rule.published.date().isoformat()}"
        )
    return True, (
        f"TPP {fmt(cls.tpp)} < {fmt(tpp_max)} and total DRAM bandwidth {fmt(dram)} GB/s < "
        f"{fmt(dram_max)} GB/s"
    )


def review_2023(
    chip: ChipModel,
    cls: Classification,
    rule: Instrument,
    dest: str,
    origin: str | None,
    denial: bool,
    on: datetime,
) -> Review:
    """The policy for an export under the 2023 rule that fired, with the 2026 amendment."""
    if not denial:
        return Review(PRESUMPTION_OF_APPROVAL, rule.id)
    amendment = get_instrument(JAN_2026)
    if not amendment.in_force(on) or not matches(amendment.license_destinations, dest, on):
        return Review(PRESUMPTION_OF_DENIAL, rule.id)
    inside, why = within_limits(chip, cls, amendment)
    if inside is None:
        note = f"{JAN_2026}: undetermined ({why}); reviewed as a presumption of denial"
        return Review(PRESUMPTION_OF_DENIAL, rule.id, notes=(note,))
    if not inside:
        note = f"{JAN_2026}: {chip.model} is outside its case-by-case policy ({why})"
        return Review(PRESUMPTION_OF_DENIAL, rule.id, notes=(note,))
    if origin == "US":
        note = f"{JAN_2026}: an export from the United States, {why}: case-by-case"
        return Review(CASE_BY_CASE, amendment.id, certification_conditions(), (note,))
    if origin is None:
        note = (
            f"{JAN_2026}: origin not given; {ONLY_FROM_US} ({amendment.citation}), so a "
            "presumption of denial unless the chips leave from the United States"
        )
        conditions = (ONLY_FROM_US, *certification_conditions())
        return Review(PRESUMPTION_OF_DENIAL, rule.id, conditions, (note,))
    if origin == dest or matches(amendment.license_destinations, origin, on):
        note = (
            f"{JAN_2026}: a transfer within China or Macau ({origin} to {dest}) stays a "
            f"presumption of denial ({amendment.citation})"
        )
        return Review(PRESUMPTION_OF_DENIAL, rule.id, notes=(note,))
    note = (
        f"{JAN_2026}: a reexport from {origin} stays a presumption of denial; "
        f"{ONLY_FROM_US} ({amendment.citation})"
    )
    return Review(PRESUMPTION_OF_DENIAL, rule.id, (ONLY_FROM_US,), (note,))
