"""One way every list endpoint answers: a page of items as JSON, or the same items as CSV.

A list endpoint declares `limit: Limit = 100, offset: Offset = 0, format: Format = None`,
computes its page (`total` before paging, the `items` of the page as flat dicts) and returns

    return list_response(request, total=total, items=items, limit=limit, offset=offset,
                         name="transfers")

JSON is `{"total", "limit", "offset", "items"}`. `?format=csv` (or `Accept: text/csv`) gives
the same items as CSV with a `Content-Disposition` filename: one column per key, in the order
keys first appear; nested values (lists, objects) JSON-encoded; null as an empty cell; text
that a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, tab or CR) with a
`'` in front, numbers as they are (`computegov.csv_cells`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import JSONResponse, Response

from computegov.csv_cells import write_csv
from computegov.errors import InvalidInput

Limit = Annotated[int, Query(ge=1, le=1000, description="items per page, 1 to 1000")]
MAX_OFFSET = 2**53
"""The largest offset taken (beyond any list; both databases take it as an integer)."""
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")]
Format = Annotated[
    Literal["json", "csv"] | None,
    Query(description="`csv` for the same items as CSV (or send `Accept: text/csv`)"),
]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def wants_csv(request: Request) -> bool:
    """CSV when `?format=csv`, or when the client accepts text/csv and not JSON first."""
    chosen = request.query_params.get("format")
    if chosen is not None:
        if chosen not in ("json", "csv"):
            raise InvalidInput(f"format must be json or csv, not {chosen!r}")
        return chosen == "csv"
    accept = request.headers.get("accept", "")
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return "text/csv" in kinds and "application/json" not in kinds[: kinds.index("text/csv")]


def csv_cell(value: Any) -> str | int | float:
    """How one JSON value is written in a CSV cell (null empty, nested values as JSON, numbers
    as they are); `write_csv` then neutralises text that begins like a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return str(value)


def csv_text(items: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Items as CSV: a header row, then one row per item (`csv_cell` for each value)."""
    rows = list(items)
    if columns is None:
        seen: dict[str, None] = {}
        for item in rows:
            seen.update(dict.fromkeys(item))
        columns = list(seen)
    out = io.StringIO()
    if columns:
        write_csv(
            out, columns, ([csv_cell(item.get(column)) for column in columns] for item in rows)
        )
    return out.getvalue()


def list_response(
    request: Request,
    *,
    total: int,
    items: Sequence[Mapping[str, Any]],
    limit: int,
    offset: int,
    name: str,
    extra: Mapping[str, Any] | None = None,
    columns: Sequence[str] | None = None,
) -> Response:
    """A page as JSON (`extra` members added) or as CSV named `<name>.csv`."""
    if wants_csv(request):
        filename = name if offset == 0 else f"{name}-from-{offset}"
        return Response(
            csv_text(items, columns),
            media_type=CSV_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}.csv"',
                "X-Total-Count": str(total),
            },
        )
    body: dict[str, Any] = {**(extra or {}), "total": total, "limit": limit, "offset": offset}
    body["items"] = list(items)
    return JSONResponse(body)
