"""A regulator's list of the models above thresholds: the reported models addressed to its
jurisdictions whose cumulative compute over their lineage crosses any instrument's threshold.

It is the lineage assessment (`lineage.lineage_compute`) of each model the regulator may read
(`views.visible_models`), shown as that regulator may see it (`views.shown_lineage`: the
cumulative figure withheld where the lineage runs through a model not addressed to it), kept
where at least one threshold is crossed. `on` decides which instruments are in force, revoked,
not yet in force or what-ifs; the compute is that of the reports that count now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from computegov.registry.parties.models import Party
from computegov.registry.reporting.lineage import lineage_compute
from computegov.registry.reporting.views import shown_lineage, visible_models

#: The access matrix's action for this list (regulators, in their jurisdictions).
ACTION = "report.above_thresholds"


def _crossed(threshold: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "instrument", "jurisdiction", "threshold", "status", "triggered", "source")
    return {key: threshold[key] for key in keys}


def above_thresholds(session: Session, reader: Party, on: datetime) -> list[dict[str, Any]]:
    """The models `reader` may read whose lineage crosses a threshold on day `on`, oldest
    first: id, name, developer, cumulative FLOP and each threshold crossed."""
    found = []
    for model in visible_models(session, reader):
        lineage = shown_lineage(session, lineage_compute(session, model, on), reader)
        crossed = [_crossed(t) for t in lineage["thresholds"] if t["crossed"]]
        if not crossed:
            continue
        developer = session.get(Party, model.developer_id)
        found.append(
            {
                "id": model.id,
                "name": model.name,
                "developer_id": model.developer_id,
                "developer": developer.legal_name if developer else None,
                "cumulative_flop": lineage["cumulative_flop"],
                "withheld": lineage.get("withheld"),
                "on": lineage["on"],
                "instruments": [t["id"] for t in crossed],
                "in_force": [t["id"] for t in crossed if t["triggered"]],
                "crossed": crossed,
            }
        )
    return found
