"""Whether exporting a chip to a destination needs a license, and under which instruments.

The regime at an instant is every instrument in force then; a license is required if any of
them requires one, and the answer names each instrument that fired, the jurisdiction that
administers it (a license from that jurisdiction's regulator is what it asks for), its reason
and its review policy for this item, destination and origin (with the instrument that set the
policy and the conditions that would change it), plus the license exceptions that could
authorize the export instead.
`license_required` here means "a license requirement applies": an exception listed beside it
may still authorize the export without one (NAC/ACA, LPP, AIA).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from computegov.catalog import ChipModel
from computegov.countries import parse_country
from computegov.errors import InvalidInput
from computegov.instants import as_utc, utcnow
from computegov.rules.classification import Classification, classify_under
from computegov.rules.destinations import groups_of, matches, members
from computegov.rules.diffusion import DIFFUSION, evaluate_diffusion
from computegov.rules.instruments import Instrument, get_instrument, regime
from computegov.rules.outcomes import (
    CASE_BY_CASE,
    PRESUMPTION_OF_DENIAL,
    Fired,
    LicenseException,
)
from computegov.rules.review import review_2023

NAC_ACA_SPLIT = "bis-2024-04-nac-aca"
# The H20 letter states no review policy; BIS decided applications one by one and was reported
# to issue H20 licenses from August 2025 (source in instruments.csv): case-by-case in practice.
H20_REVIEW_NOTE = (
    "bis-2025-04-h20: the letter states no review policy; applications are decided one by one "
    "(H20 licenses were reported issued from August 2025), shown as case-by-case"
)
REVIEW_2022_NOTE = (
    "bis-2022-10: shown as a presumption of denial; the 2022 text also allowed case-by-case "
    "review in cases it named (87 FR 62186), which are not modelled"
)


@dataclass(frozen=True)
class LicenseDecision:
    """The answer for one chip, destination, instant, buyer headquarters and quantity."""

    chip: str
    destination: str
    on: datetime
    end_user_hq: str | None
    quantity: int
    origin: str | None
    evaluated: tuple[str, ...]
    fired: tuple[Fired, ...]
    exceptions: tuple[LicenseException, ...]
    classifications: tuple[Classification, ...]
    notes: tuple[str, ...]

    @property
    def license_required(self) -> bool:
        """True if any evaluated instrument requires a license."""
        return bool(self.fired)

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        """The jurisdictions whose instruments fired: a license of each is needed."""
        return tuple(sorted({f.jurisdiction for f in self.fired}))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with `license_required`, `fired` and `exceptions` at the top."""
        return {
            "chip": self.chip,
            "destination": self.destination,
            "origin": self.origin,
            "on": self.on,
            "end_user_hq": self.end_user_hq,
            "quantity": self.quantity,
            "license_required": self.license_required,
            "jurisdictions": list(self.jurisdictions),
            "fired": [f.to_dict() for f in self.fired],
            "exceptions": [e.to_dict() for e in self.exceptions],
            "evaluated": list(self.evaluated),
            "classifications": [c.to_dict() for c in self.classifications],
            "notes": list(self.notes),
        }


def _where(country: str, on: datetime) -> str:
    groups = groups_of(country, on)
    return f"{country} ({', '.join(groups)})" if groups else country


def _eval_2022(
    chip: ChipModel, rule: Instrument, dest: str, on: datetime
) -> tuple[Classification, list[Fired], list[LicenseException]]:
    cls = classify_under(chip, rule, on)
    if cls.eccn is None or not matches(rule.license_destinations, dest, on):
        return cls, [], []
    reason = f"{cls.eccn} under the 2022 test ({'; '.join(cls.reasons)}) to {_where(dest, on)}"
    return (
        cls,
        [Fired(rule.id, rule.citation, reason, PRESUMPTION_OF_DENIAL, rule.jurisdiction)],
        [],
    )


def _eval_2023(
    chip: ChipModel,
    rule: Instrument,
    dest: str,
    hq: str | None,
    origin: str | None,
    on: datetime,
) -> tuple[Classification, list[Fired], list[LicenseException], list[str]]:
    cls = classify_under(chip, rule, on)
    if cls.eccn is None:
        return cls, [], [], []
    to_destination = matches(rule.license_destinations, dest, on)
    via_hq = hq is not None and matches(rule.hq_destinations, hq, on)
    if not (to_destination or via_hq):
        return cls, [], [], []
    concern = members("D:5", on) | members("MACAU", on)
    why = []
    if to_destination:
        why.append(f"destination {_where(dest, on)} is in D:1/D:4/D:5 (not A:5/A:6) or Macau")
    if via_hq:
        why.append(f"the buyer's ultimate parent is headquartered in {_where(hq or '', on)}")
    reason = f"{cls.eccn} ({'; '.join(cls.reasons)}); " + "; ".join(why)
    denial = via_hq or dest in concern
    review = review_2023(chip, cls, rule, dest, origin, denial, on)
    fired = [
        Fired(
            rule.id,
            rule.citation,
            reason,
            review.policy,
            rule.jurisdiction,
            review_rule=review.rule,
            conditions=review.conditions,
        )
    ]
    exceptions: list[LicenseException] = []
    eligible = cls.eccn == "3A090.b" or not chip.datacenter
    if eligible:
        kind = "3A090.b" if cls.eccn == "3A090.b" else "3A090.a not marketed for datacenters"
        split = get_instrument(NAC_ACA_SPLIT)
        if not split.in_force(on):
            exceptions.append(
                LicenseException("NAC", rule.id, f"{kind}: NAC with prior notification to BIS")
            )
        elif denial:
            exceptions.append(
                LicenseException(
                    "NAC",
                    split.id,
                    f"{kind}: NAC with prior notification (D:5, Macau or headquartered there; "
                    f"{split.citation})",
                )
            )
        else:
            exceptions.append(
                LicenseException(
                    "ACA",
                    split.id,
                    f"{kind}: ACA without notification (other D:1/D:4; {split.citation})",
                )
            )
    return cls, fired, exceptions, list(review.notes)


def _eval_h20(
    chip: ChipModel, rule: Instrument, dest: str, hq: str | None, on: datetime
) -> tuple[Classification, list[Fired], list[LicenseException]]:
    cls = classify_under(chip, rule, on)
    if not cls.controlled:
        return cls, [], []
    to_destination = matches(rule.license_destinations, dest, on)
    via_hq = hq is not None and matches(rule.hq_destinations, hq, on)
    if not (to_destination or via_hq):
        return cls, [], []
    where = (
        f"destination {_where(dest, on)}"
        if to_destination
        else f"buyer headquartered in {_where(hq or '', on)}"
    )
    reason = f"{cls.reasons[0]}; {where} is China (incl. Hong Kong and Macau) or D:5"
    return (
        cls,
        [Fired(rule.id, rule.citation, reason, CASE_BY_CASE, rule.jurisdiction)],
        [],
    )


def license_required(
    chip: ChipModel,
    destination: str,
    on: datetime | None = None,
    end_user_hq: str | None = None,
    quantity: int = 1,
    rule: str | None = None,
    origin: str | None = None,
) -> LicenseDecision:
    """Decide whether exporting `quantity` of `chip` to `destination` needs a license.

    Without `rule`, every instrument in force at `on` (default now) is evaluated; with a rule
    id, that rule alone (the only way to evaluate the never-enforced Diffusion rule).
    `end_user_hq` is the alpha-2 country of the buyer's ultimate parent. `origin` is the
    country the chips leave from (None: unknown); an origin equal to the destination is an
    in-country transfer. The review policy of each instrument that fired depends on it: the
    January 2026 rule's case-by-case review applies only to exports from the United States.
    """
    at = as_utc(on) if on is not None else utcnow()
    dest = parse_country(destination)
    hq = parse_country(end_user_hq) if end_user_hq is not None else None
    source = parse_country(origin) if origin is not None else None
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput(f"quantity must be a whole number of chips >= 1, got {quantity!r}")
    if rule is not None:
        named = get_instrument(rule)
        if named.kind == "amendment":
            raise InvalidInput(
                f"{named.id} amends bis-2023-10; name bis-2023-10 to evaluate the rule as amended"
            )
        instruments = [named]
    else:
        instruments = [i for i in regime(at) if i.kind != "amendment"]
    notes: list[str] = []
    if not instruments:
        notes.append(f"no advanced-computing instrument was in force on {at.date().isoformat()}")
    if dest == "US":
        notes.append("a shipment within the United States is not an export; nothing to license")
        instruments = []
    fired: list[Fired] = []
    exceptions: list[LicenseException] = []
    classifications: list[Classification] = []
    for instrument in instruments:
        if instrument.eccn_text == "2022":
            cls, f, e = _eval_2022(chip, instrument, dest, at)
            if f:
                notes.append(REVIEW_2022_NOTE)
        elif instrument.id == DIFFUSION:
            cls, f, e, more = evaluate_diffusion(chip, instrument, dest, hq, quantity, at)
            notes.extend(more)
        elif instrument.eccn_text == "2023":
            cls, f, e, more = _eval_2023(chip, instrument, dest, hq, source, at)
            notes.extend(more)
        else:
            cls, f, e = _eval_h20(chip, instrument, dest, hq, at)
            if f:
                notes.append(H20_REVIEW_NOTE)
        classifications.append(cls)
        fired.extend(f)
        exceptions.extend(e)
        if not cls.determinate:
            notes.append(f"{instrument.id}: undetermined for want of a figure: {cls.reasons[0]}")
    if any(c.eccn is None for c in classifications if c.rule != "bis-2025-04-h20"):
        notes.append("outside 3A090 is not outside the EAR: end-use and end-user controls remain")
    return LicenseDecision(
        chip=chip.model,
        destination=dest,
        origin=source,
        on=at,
        end_user_hq=hq,
        quantity=quantity,
        evaluated=tuple(i.id for i in instruments),
        fired=tuple(fired),
        exceptions=tuple(exceptions),
        classifications=tuple(classifications),
        notes=tuple(dict.fromkeys(notes)),
    )
