"""Rule impact: under rule R (or the regime at instant T), which chips now held would need a
license where they are?

Chips still held (not decommissioned, lost or stolen) are grouped by model x country x the
headquarters country of their custodian's ultimate parent, and each group is evaluated with
`rules.license_required(model, country, on=T, end_user_hq=hq, quantity=count, rule=R,
origin=country)`: the same question a transfer to that custodian there would be asked today,
with the chips' own country as the origin (an in-country transfer), so that each fired
instrument's review policy is the one such a transfer would meet, with what would change it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.catalog import get_chip, h100_equivalents
from computegov.instants import as_utc, to_wire, utcnow
from computegov.registry.chips.models import Chip
from computegov.registry.custody.common import GONE
from computegov.registry.parties.models import Party
from computegov.registry.parties.service import ultimate_parent
from computegov.rules import get_instrument, license_required


def impact(
    session: Session,
    *,
    rule: str | None = None,
    on: datetime | None = None,
    countries: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Groups of held chips with whether each would need a license where it is, and totals.

    `on` defaults to now; `countries` limits the chips to those located there (a
    regulator's jurisdiction).
    """
    on = as_utc(on) if on is not None else utcnow()
    if rule is not None:
        rule = get_instrument(rule).id
    query = (
        sa.select(Chip.model, Chip.country, Chip.custodian_id, sa.func.count())
        .where(Chip.status.not_in(GONE))
        .group_by(Chip.model, Chip.country, Chip.custodian_id)
    )
    wanted = sorted(set(countries)) if countries is not None else None
    if wanted is not None:
        query = query.where(Chip.country.in_(wanted))
    hq_of: dict[str, str | None] = {}
    counts: dict[tuple[str, str, str | None], int] = {}
    for model, country, custodian_id, count in session.execute(query).all():
        if custodian_id not in hq_of:
            custodian = session.get(Party, custodian_id)
            hq_of[custodian_id] = (
                ultimate_parent(session, custodian).hq_country if custodian else None
            )
        key = (get_chip(model).model, country, hq_of[custodian_id])
        counts[key] = counts.get(key, 0) + int(count)
    groups = []
    for (model, country, hq), count in sorted(
        counts.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")
    ):
        chip = get_chip(model)
        decision = license_required(
            chip, country, on=on, end_user_hq=hq, quantity=count, rule=rule, origin=country
        )
        per_chip = h100_equivalents(chip)
        groups.append(
            {
                "model": model,
                "country": country,
                "end_user_hq": hq,
                "chips": count,
                "h100_equivalents": per_chip * count if per_chip is not None else None,
                "license_required": decision.license_required,
                "rules": ",".join(f.rule for f in decision.fired),
                "reviews": ",".join(f"{f.rule}: {f.review}" for f in decision.fired),
                "fired": [f.to_dict() for f in decision.fired],
            }
        )
    needing = [g for g in groups if g["license_required"]]
    return {
        "rule": rule,
        "on": to_wire(on),
        "countries": wanted,
        "chips": sum(g["chips"] for g in groups),
        "chips_needing_license": sum(g["chips"] for g in needing),
        "h100_equivalents_needing_license": sum(g["h100_equivalents"] or 0.0 for g in needing),
        "groups": groups,
    }
