"""Counts of chips and their H100-equivalents, grouped by country, party, model or status.

The database groups (by the asked dimensions plus the model) so a million chips cost one
GROUP BY; Python multiplies each model's count by its H100-equivalents from the catalog
(`catalog.h100_equivalents`, cached per model) and folds the model back out when it was not
asked for. A reader counts only the chips `stats.read` lets it see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.catalog import get_chip, h100_equivalents
from computegov.errors import ComputegovError, InvalidInput
from computegov.registry.chips.models import Chip
from computegov.registry.overview.visibility import visible_chips
from computegov.registry.parties.models import Party
from computegov.registry.parties.names import party_names

#: The dimensions chips can be grouped by, and the column each one groups on.
DIMENSIONS: dict[str, Any] = {
    "country": Chip.country,
    "party": Chip.custodian_id,
    "model": Chip.model,
    "status": Chip.status,
}


@cache
def model_h100e(model: str) -> float | None:
    """H100-equivalents of one chip of a catalog model; None when the catalog cannot say."""
    try:
        return h100_equivalents(get_chip(model))
    except ComputegovError:
        return None


@dataclass(frozen=True)
class ChipStats:
    """Grouped counts: one item per group, plus the totals over every group."""

    by: tuple[str, ...]
    items: list[dict[str, Any]]
    chips: int
    h100_equivalents: float | None


def parse_dimensions(by: Sequence[str]) -> tuple[str, ...]:
    """The asked dimensions, in order, without repeats; InvalidInput naming the known ones."""
    out: list[str] = []
    for name in by:
        for part in name.split(","):
            key = part.strip().lower()
            if key not in DIMENSIONS:
                raise InvalidInput(
                    f"cannot group chips by {part!r}; use by= one or more of "
                    f"{', '.join(DIMENSIONS)} (e.g. by=country&by=status)"
                )
            if key not in out:
                out.append(key)
    if not out:
        raise InvalidInput(f"say what to group by: by= one or more of {', '.join(DIMENSIONS)}")
    return tuple(out)


def _with_party_name(item: dict[str, Any], name: str | None) -> dict[str, Any]:
    """The item with `party_name` right after `party`, for readable CSV columns."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        out[key] = value
        if key == "party":
            out["party_name"] = name
    return out


def _add(total: float | None, count: int, each: float | None) -> float | None:
    """Sum H100e; unknown (None) for a model the catalog cannot rate stays unknown."""
    if total is None or each is None:
        return None
    return total + count * each


def chip_stats(session: Session, reader: Party, by: Sequence[str]) -> ChipStats:
    """Counts and H100-equivalents of the chips `reader` may see, grouped by `by`."""
    dims = parse_dimensions(by)
    columns = [DIMENSIONS[d].label(d) for d in dims]
    group = [DIMENSIONS[d] for d in dims]
    if "model" not in dims:
        columns.append(Chip.model.label("model"))
        group.append(Chip.model)
    query = (
        sa.select(*columns, sa.func.count().label("chips"))
        .where(visible_chips(session, reader, "stats.read"))
        .group_by(*group)
    )
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    chips = 0
    h100e: float | None = 0.0
    for row in session.execute(query):
        key = tuple(getattr(row, d) for d in dims)
        item = groups.setdefault(
            key, {**dict(zip(dims, key, strict=True)), "chips": 0, "h100_equivalents": 0.0}
        )
        count, each = int(row.chips), model_h100e(row.model)
        item["chips"] += count
        item["h100_equivalents"] = _add(item["h100_equivalents"], count, each)
        chips += count
        h100e = _add(h100e, count, each)
    items = [groups[key] for key in sorted(groups, key=lambda k: tuple(str(v) for v in k))]
    if "party" in dims:
        names = party_names(session, {item["party"] for item in items})
        items = [_with_party_name(item, names.get(item["party"])) for item in items]
    return ChipStats(dims, items, chips, h100e if chips else 0.0)
