"""Counts and H100-equivalents of chips over the API, as JSON or CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from computegov.api.deps import bearer_token, store_of
from computegov.api.lists import Format, Limit, Offset, list_response
from computegov.registry.overview.stats import DIMENSIONS, chip_stats
from computegov.registry.reads import reader_session

router = APIRouter(prefix="/v1", tags=["stats"])
Token = Annotated[str | None, Depends(bearer_token)]
By = Annotated[
    list[str],
    Query(
        description=f"group by one or more of {', '.join(DIMENSIONS)} (repeat: by=a&by=b)",
    ),
]


@router.get("/stats/chips")
def chips_stats(
    request: Request,
    token: Token,
    by: By,
    limit: Limit = 1000,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Chips and their H100-equivalents per group, for the chips the caller may see
    (administrator: all; regulator: its jurisdiction; others: their own). `?format=csv`."""
    with reader_session(store_of(request), token, "stats.read", "chips") as (session, reader):
        stats = chip_stats(session, reader, by)
    return list_response(
        request,
        total=len(stats.items),
        items=stats.items[offset : offset + limit],
        limit=limit,
        offset=offset,
        name="chip-stats-by-" + "-".join(stats.by),
        extra={
            "by": list(stats.by),
            "chips": stats.chips,
            "h100_equivalents": stats.h100_equivalents,
        },
    )
