"""A model's compute over its lineage, and the thresholds and rules tested on it.

A model's own compute is the sum, over its stages, of the declared FLOP of each stage's
latest report (planned, interim or final: a later report supersedes the earlier one, which
stays readable and no longer counts; a planned figure counts because the EU AI Act's
notification runs from when it "becomes known" that a threshold will be met, Art. 52(1)).
Its cumulative compute adds its parent's cumulative compute, up the chain: the EU counts
"cumulative" training compute (Art. 51(2)) and California SB 53 counts fine-tuning,
reinforcement learning and material modifications, so every instrument in the compute
library's data is tested on the cumulative figure (`compute.thresholds`).

A model derived from a parent is also tested against the EU guidelines' modifier rule (the
calendar's data, `compute/data/obligations.json`): the modification's compute (the model's
own) above one third of the original's cumulative compute makes the modifier indicatively a
provider.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.compute import thresholds
from computegov.compute.obligation_rules import instrument_rules
from computegov.registry.reporting.models import ReportedModel, TrainingRunReport

#: The longest lineage the registry follows (a chain longer than this is refused on report).
MAX_DEPTH = 64


@cache
def lineage_data() -> dict[str, Any]:
    text = resources.files("computegov.registry.reporting").joinpath("data/lineage.json")
    data: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return data


def eu_members() -> frozenset[str]:
    return frozenset(lineage_data()["eu_members"]["value"])


def chain(session: Session, model: ReportedModel) -> list[ReportedModel]:
    """The model, its parent, its parent's parent...; stops at a cycle or MAX_DEPTH (both
    refused on report, so only a damaged database reaches them)."""
    seen = {model.id}
    found = [model]
    current = model
    while current.parent_id is not None and len(found) < MAX_DEPTH:
        parent = session.get(ReportedModel, current.parent_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        found.append(parent)
        current = parent
    return found


def current_reports(session: Session, model_id: str) -> list[TrainingRunReport]:
    """The model's reports that count: each stage's latest (not superseded)."""
    return list(
        session.scalars(
            sa.select(TrainingRunReport)
            .where(
                TrainingRunReport.model_id == model_id,
                TrainingRunReport.superseded_by_id.is_(None),
            )
            .order_by(TrainingRunReport.reported_at, TrainingRunReport.id)
        )
    )


def own_compute(session: Session, model_id: str) -> tuple[float, bool]:
    """(FLOP, any stage mainly biological sequences) of the model's own current reports."""
    reports = current_reports(session, model_id)
    return sum(r.declared_flop for r in reports), any(r.bio for r in reports)


def lineage_compute(session: Session, model: ReportedModel, on: datetime) -> dict[str, Any]:
    """The model's cumulative compute over its lineage, each instrument's threshold tested on
    it on day `on`, and the modifier rule where the model has a parent."""
    models = chain(session, model)
    steps: list[dict[str, Any]] = []
    flops: list[float] = []
    total = 0.0
    bio = False
    for item in models:
        flop, item_bio = own_compute(session, item.id)
        total += flop
        flops.append(flop)
        bio = bio or item_bio
        steps.append({"model_id": item.id, "developer_id": item.developer_id, "own_flop": flop})
    result: dict[str, Any] = {
        "cumulative_flop": total,
        "bio": bio,
        "chain": steps,
        "on": on.date().isoformat(),
        "thresholds": [t.to_dict() for t in thresholds(total, on, bio=bio)],
        "modifier": None,
    }
    if len(models) > 1:
        result["modifier"] = modifier_rule(flops[0], total - flops[0])
    return result


def modifier_rule(modification: float, original: float) -> dict[str, Any]:
    """The EU guidelines' test: is the modification's compute above a third of the original's?

    The share, the rule and its source are the obligations calendar's (`compute/data/
    obligations.json`, the instrument with a `modifier_share_above`), so the lineage and the
    calendar cannot disagree; compared in whole multiples, so exactly a third is not above."""
    [rules] = [r for r in instrument_rules() if r.modifier_share_above is not None]
    assert rules.modifier_share_above is not None
    numerator, denominator = rules.modifier_share_above
    known = original > 0
    provider = known and modification * denominator > original * numerator
    return {
        "modification_flop": modification,
        "original_flop": original if known else None,
        "share": modification / original if known else None,
        "threshold_share": numerator / denominator,
        "becomes_provider": provider,
        "known": known,
        "rule": rules.modifier_citation,
        "instrument": rules.instrument,
        "source": rules.modifier_source,
        "note": None if known else "the original model's compute was not reported here",
    }
