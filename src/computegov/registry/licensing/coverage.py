"""Which cited licenses cover a transfer, and how many chips each one gives.

A license counts only for the instruments its jurisdiction administers. For each
jurisdiction whose instruments fired on a model moved, the chips of that model must be
drawn from the cited licenses of that jurisdiction that list the model, in the order they
were cited, each up to what is left of it. The refusals, in the order they are checked:

- `license_required` (with `jurisdiction`, the first one missing, and `missing`): no cited
  license of a jurisdiction whose instruments fired;
- `license_mismatch` (`field` models): licenses of that jurisdiction are cited, but none
  lists a model its instruments fired on;
- `license_exhausted` (with `remaining`): they list it, but too little of them is left;
- `license_not_needed`: a cited license gives nothing (its jurisdiction's instruments did
  not fire, or earlier cited licenses covered everything), so that a transfer's record
  names only the licenses it drew on.

`allocate` only decides; the caller draws the licenses down with conditional updates.
`draw_values` then splits the shipment's value over them and checks each license's value
limit and per-shipment riders.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from computegov.catalog import get_chip
from computegov.errors import Refused
from computegov.registry.licensing.models import ExportLicense
from computegov.registry.licensing.riders import rider_value
from computegov.rules import instruments_of


@dataclass(frozen=True)
class Need:
    """`chips` of `model` need a license of `jurisdiction`, under `rules`."""

    jurisdiction: str
    model: str
    chips: int
    rules: tuple[str, ...]


def needs_of(regime: dict[str, Any]) -> list[Need]:
    """What the evaluated regime (see `custody.checks.evaluate_regime`) asks licenses for."""
    needs = []
    for model, answer in sorted(regime["models"].items()):
        by_jurisdiction: dict[str, list[str]] = defaultdict(list)
        for fired in answer["fired"]:
            by_jurisdiction[fired["jurisdiction"]].append(fired["rule"])
        for jurisdiction, rules in sorted(by_jurisdiction.items()):
            needs.append(Need(jurisdiction, model, answer["chips"], tuple(sorted(set(rules)))))
    return needs


def _models(lic: ExportLicense) -> set[str]:
    return {get_chip(name).model for name in lic.models}


def _names(licenses: list[ExportLicense]) -> str:
    return ", ".join(f"{lic.id} ({lic.jurisdiction})" for lic in licenses)


def _administers(jurisdiction: str) -> str:
    ids = [i.id for i in instruments_of(jurisdiction)]
    return f"administers {', '.join(ids)}" if ids else "administers none of the instruments"


def _refuse_missing(
    missing: list[Need], cited: list[ExportLicense], regime: dict[str, Any], destination: str
) -> Refused:
    jurisdictions = sorted({n.jurisdiction for n in missing})
    parts = []
    for jurisdiction in jurisdictions:
        mine = [n for n in missing if n.jurisdiction == jurisdiction]
        models = ", ".join(sorted({n.model for n in mine}))
        rules = ", ".join(sorted({r for n in mine for r in n.rules}))
        parts.append(
            f"a license of {jurisdiction} is required to transfer {models} to {destination} "
            f"under {rules}"
        )
    hq = regime.get("end_user_hq")
    detail = "; ".join(parts) + (
        f" (receiver's ultimate parent headquartered in {hq})" if hq else ""
    )
    detail += (
        f"; cite an export license issued by a regulator of {' and of '.join(jurisdictions)} "
        "that covers it"
    )
    others = [lic for lic in cited if lic.jurisdiction not in jurisdictions]
    if others:
        detail += "; a license counts only for the instruments its jurisdiction administers: " + (
            "; ".join(
                f"{lic.id} was issued under {lic.jurisdiction}, which "
                f"{_administers(lic.jurisdiction)}"
                for lic in others
            )
        )
    fired = [
        {"model": model, **f}
        for model, answer in sorted(regime["models"].items())
        for f in answer["fired"]
    ]
    return Refused(
        detail,
        reason="license_required",
        jurisdiction=jurisdictions[0],
        jurisdictions=jurisdictions,
        missing=[
            {"jurisdiction": n.jurisdiction, "model": n.model, "chips": n.chips, "rules": n.rules}
            for n in missing
        ],
        fired=fired,
        exceptions=[e for m in regime["models"].values() for e in m["exceptions"]],
    )


def allocate(
    cited: list[ExportLicense], regime: dict[str, Any], destination: str
) -> dict[str, int]:
    """Chips to draw from each cited license (by id, every cited one > 0), or a Refused."""
    needs = needs_of(regime)
    missing = [n for n in needs if not any(lic.jurisdiction == n.jurisdiction for lic in cited)]
    if missing:
        raise _refuse_missing(missing, cited, regime, destination)
    left = {lic.id: lic.quantity - lic.used for lic in cited}
    drawn: dict[str, int] = {lic.id: 0 for lic in cited}
    for need in needs:
        own = [lic for lic in cited if lic.jurisdiction == need.jurisdiction]
        listing = [lic for lic in own if need.model in _models(lic)]
        if not listing:
            raise Refused(
                f"the cited license{'s' if len(own) > 1 else ''} of {need.jurisdiction} "
                f"{_names(own)} list{'' if len(own) > 1 else 's'} "
                f"{', '.join(sorted({m for lic in own for m in _models(lic)}))}, not {need.model}, "
                f"which needs a license of {need.jurisdiction} under {', '.join(need.rules)}",
                reason="license_mismatch",
                field="models",
                jurisdiction=need.jurisdiction,
                license_ids=[lic.id for lic in own],
            )
        wanted = need.chips
        for lic in listing:
            take = min(left[lic.id], wanted)
            left[lic.id] -= take
            drawn[lic.id] += take
            wanted -= take
        if wanted > 0:
            remaining = need.chips - wanted
            if len(listing) == 1:
                [lic] = listing
                detail = (
                    f"license {lic.id} has {lic.quantity - lic.used} of {lic.quantity} chips "
                    f"left; this transfer moves {need.chips} {need.model}"
                )
            else:
                detail = (
                    f"the cited licenses of {need.jurisdiction} for {need.model} "
                    f"({_names(listing)}) have {remaining} chips left for it; this transfer "
                    f"moves {need.chips}"
                )
            raise Refused(
                detail,
                reason="license_exhausted",
                remaining=remaining,
                jurisdiction=need.jurisdiction,
                license_ids=[lic.id for lic in listing],
            )
    idle = [lic for lic in cited if drawn[lic.id] == 0]
    if idle:
        fired = {n.jurisdiction for n in needs}
        why = "; ".join(
            f"{lic.id} was issued under {lic.jurisdiction}, whose instruments did not fire"
            if lic.jurisdiction not in fired
            else f"{lic.id}: the licenses cited before it already cover the chips"
            for lic in idle
        )
        raise Refused(
            f"cite only the licenses the transfer draws on: {why}",
            reason="license_not_needed",
            license_ids=[lic.id for lic in idle],
        )
    return drawn


def draw_values(
    cited: list[ExportLicense], drawn: dict[str, int], chip_count: int, value_usd: int | None
) -> dict[str, int]:
    """The value in US dollars to draw from each cited license, checked against its value
    limit and its per-shipment riders (`licensing.riders`).

    A shipment's value is split over the licenses it cites in proportion to the chips drawn
    from each, out of all the chips it moves, rounded up to the whole dollar (so the licenses
    together are never drawn for less than the licensed part of the shipment). A shipment
    under a license with a value limit states its value (`value_usd`), at least a dollar a
    chip. Refusals: `shipment_evidence_missing` (`missing` ["value_usd"]),
    `shipment_evidence_invalid` (`field` value_usd), `license_value_exhausted` (with
    `remaining_value_usd`), `license_rider` (with `rider`)."""
    limited = [lic.id for lic in cited if lic.value_usd is not None]
    if limited and value_usd is None:
        raise Refused(
            f"license {', '.join(limited)} draws down on value: state the shipment's value in "
            "US dollars (`value_usd`)",
            reason="shipment_evidence_missing",
            missing=["value_usd"],
        )
    if limited and value_usd is not None and value_usd < chip_count:
        # The floor an application's value has too: a shipment "worth" nothing would draw
        # nothing from the license's value.
        raise Refused(
            f"value_usd: ${value_usd} for {chip_count} chips is less than a dollar a chip; "
            f"license {', '.join(limited)} draws down on the shipment's value in whole US dollars",
            reason="shipment_evidence_invalid",
            field="value_usd",
        )
    values = {lic.id: -(-(value_usd or 0) * drawn[lic.id] // max(chip_count, 1)) for lic in cited}
    for lic in cited:
        take = values[lic.id]
        if lic.value_usd is not None:
            left = lic.value_usd - (lic.used_value_usd or 0)
            if take > left:
                raise Refused(
                    f"license {lic.id} has {left} of {lic.value_usd} US dollars left; this "
                    f"transfer draws {take} from it ({drawn[lic.id]} of its {chip_count} chips, "
                    f"a shipment worth {value_usd})",
                    reason="license_value_exhausted",
                    remaining_value_usd=left,
                    license_ids=[lic.id],
                )
        for rider, amount, unit in (
            ("max_chips_per_shipment", drawn[lic.id], "chips"),
            ("max_value_per_shipment_usd", take, "US dollars"),
        ):
            limit = rider_value(lic.riders, rider)
            if limit is not None and amount > limit:
                raise Refused(
                    f"license {lic.id} carries rider {rider}: one shipment draws at most {limit} "
                    f"{unit} from it; this one draws {amount}",
                    reason="license_rider",
                    rider=rider,
                    license_ids=[lic.id],
                )
    return values
