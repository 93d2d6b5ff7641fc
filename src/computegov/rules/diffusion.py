"""The January 2025 AI Diffusion framework (90 FR 4544), evaluated only as a named what-if.

It was rescinded on 13 May 2025, two days before its compliance date, so it never bound an
exporter; `license_required(..., rule="bis-2025-01-diffusion")` shows what it would have done:
a worldwide license for 3A090.a, License Exception AIA for Tier 1, the LPP allowance and the
country allocation for Tier 2, a presumption of denial for Tier 3.
"""

from __future__ import annotations

from datetime import datetime

from computegov.catalog import H100_REFERENCE_MODEL, ChipModel, get_chip, tpp
from computegov.rules.classification import Classification, classify_under, fmt
from computegov.rules.destinations import diffusion_tier
from computegov.rules.instruments import Instrument, threshold
from computegov.rules.outcomes import (
    CASE_BY_CASE,
    PRESUMPTION_OF_APPROVAL,
    PRESUMPTION_OF_DENIAL,
    Fired,
    LicenseException,
)

DIFFUSION = "bis-2025-01-diffusion"


def country_allocation_tpp() -> float:
    """The Tier 2 country allocation for 2025-2027 in TPP: H100-equivalents x TPP(H100 SXM)."""
    reference = tpp(get_chip(H100_REFERENCE_MODEL)) or 0.0
    return threshold(DIFFUSION, "country_cap_h100e") * reference


def evaluate_diffusion(
    chip: ChipModel,
    rule: Instrument,
    dest: str,
    hq: str | None,
    quantity: int,
    on: datetime,
) -> tuple[Classification, list[Fired], list[LicenseException], list[str]]:
    """Fired instruments, exceptions and notes for one export under the Diffusion rule."""
    cls = classify_under(chip, rule, on)
    notes = [
        f"{DIFFUSION} never bound exporters (rescinded 2025-05-13, compliance was due "
        "2025-05-15): a what-if"
    ]
    if cls.eccn != "3A090.a":
        notes.append(f"{chip.model} is not 3A090.a, outside the Diffusion rule's worldwide license")
        return cls, [], [], notes
    tier = diffusion_tier(dest, on)
    hq_tier = diffusion_tier(hq, on) if hq is not None else None
    if hq_tier == 3:
        tier = 3
    total = quantity * (cls.tpp or 0.0)
    reason = f"3A090.a ({cls.reasons[0]}): worldwide license; {dest} is Tier {tier}"
    if hq_tier == 3:
        reason += f" (buyer headquartered in Tier 3 {hq})"
    exceptions: list[LicenseException] = []
    conditions: tuple[str, ...] = ()
    if tier == 3:
        review = PRESUMPTION_OF_DENIAL
        if not chip.datacenter:
            exceptions.append(
                LicenseException("NAC", rule.id, "non-datacenter 3A090.a: NAC in Tier 3")
            )
    elif tier == 1:
        if hq is None or hq_tier == 1:
            exceptions.append(
                LicenseException(
                    "AIA", rule.id, f"{dest} is Tier 1 (consignee headquartered in Tier 1)"
                )
            )
        review = PRESUMPTION_OF_APPROVAL
    else:
        if not chip.datacenter:
            exceptions.append(
                LicenseException("ACA", rule.id, "non-datacenter 3A090.a: ACA in Tier 2")
            )
        lpp = threshold(DIFFUSION, "lpp_tpp_per_year")
        allocation = country_allocation_tpp()
        doubled = allocation * threshold(DIFFUSION, "cap_multiplier_with_agreement")
        if total <= lpp:
            exceptions.append(
                LicenseException(
                    "LPP",
                    rule.id,
                    f"{fmt(quantity)} x TPP {fmt(cls.tpp or 0)} = {fmt(total)} <= {fmt(lpp)} per "
                    "consignee per calendar year; certification and notice, outside the "
                    "country cap",
                )
            )
        else:
            reason += (
                f"; {fmt(quantity)} x TPP {fmt(cls.tpp or 0)} = {fmt(total)} exceeds the LPP "
                f"allowance of {fmt(lpp)}, so it counts toward {dest}'s 2025-2027 allocation of "
                f"{fmt(allocation)} TPP ({fmt(threshold(DIFFUSION, 'country_cap_h100e'))} "
                f"H100e; {fmt(doubled)} with a US agreement): {100 * total / allocation:.2f}%"
            )
        review = CASE_BY_CASE
        conditions = (f"the export fits within {dest}'s country allocation (or the LPP allowance)",)
        notes.append("quantity is read as the consignee's cumulative total for the calendar year")
    return (
        cls,
        [Fired(rule.id, rule.citation, reason, review, rule.jurisdiction, conditions=conditions)],
        exceptions,
        notes,
    )
