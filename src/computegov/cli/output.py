"""How every command prints: a rich table for people, exact JSON with `--json`."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from computegov.instants import to_wire

console = Console()
JSON_OPTION = typer.Option(False, "--json", help="Print exact JSON instead of a table.")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_wire(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _finite(value: Any) -> Any:
    """JSON has no NaN or Infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def dumps(data: Any) -> str:
    """The JSON text a `--json` command prints."""
    return json.dumps(_finite(data), indent=2, default=_default, ensure_ascii=False)


def print_json(data: Any) -> None:
    """Print `data` as JSON on stdout, unwrapped, so programs can parse it."""
    typer.echo(dumps(data))


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """Print rows as a rich table; None shows as an empty cell."""
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)
