"""How every command prints: a rich table for people, exact JSON with `--json`, bare ids with
`-q`. A table never cuts an id: a column holding ids (or a vendor, a serial, a key) is never
wrapped or folded; where the terminal is too narrow for them, the table is printed wider than
the terminal rather than cut."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from computegov.instants import to_wire

console = Console()
JSON_OPTION = typer.Option(False, "--json", help="Print exact JSON instead of a table.")
QUIET_OPTION = typer.Option(
    False, "--quiet", "-q", help="Print only the ids, one a line (for scripts and pipes)."
)

# Headers whose values name a record even where they do not look like a generated id.
ID_HEADERS = frozenset({"id", "vendor", "serial", "model", "key id", "entry", "entry id"})
# Generated ids (pty_3f9c0a1b2c4d5e6f), entry ids (UUIDs), key ids and digests (hex), public
# keys and roots (base64 of 32 bytes), and instants (what --on and --expires take).
_ID_TOKEN = re.compile(
    r"(?<![\w-])(?:[a-z]{3}_[0-9a-f]{8,}"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[0-9a-f]{16,}|[A-Za-z0-9+/]{43}=)(?![\w-])"
)
# A column without ids wraps between words and never gets narrower than its longest word
# (up to this many characters; a longer word folds), so `in_stock` never shows as `in_stoc|k`.
LONGEST_WHOLE_WORD = 24


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


def print_ids(ids: Iterable[Any]) -> None:
    """Print ids one a line and nothing else: what `-q` prints."""
    for value in ids:
        typer.echo(str(value))


def holds_ids(header: str, cells: Sequence[str]) -> bool:
    """Whether a column names records: its header says so, or a cell holds an id."""
    name = header.strip().lower()
    if name in ID_HEADERS or name.endswith(" id"):
        return True
    return any(_ID_TOKEN.search(cell) for cell in cells)


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """Print rows as a rich table; None shows as an empty cell, text as it is (never as rich
    markup). Ids are never cut: where the terminal is too narrow for them, the table is printed
    wider, words whole."""
    width = len(columns)
    cells = [
        ["" if c is None else str(c) for c in [*row, *[None] * (width - len(row))]] for row in rows
    ]
    # Cells and the title are data (a party's name may hold "[/b]"): shown as text, not markup.
    table = Table(
        title=None if title is None else Text(title),
        show_lines=False,
        padding=(0, 1),
        show_edge=True,
    )
    needed = len(columns) + 1  # the vertical rules
    for index, header in enumerate(columns):
        values = [header, *(row[index] for row in cells)]
        longest = max(len(v) for v in values)
        if holds_ids(header, values[1:]):
            table.add_column(header, no_wrap=True, overflow="ignore", min_width=longest)
            needed += longest + 2
        else:
            word = min(
                max((len(w) for v in values for w in v.split()), default=0), LONGEST_WHOLE_WORD
            )
            table.add_column(header, overflow="fold", min_width=word)
            needed += word + 2
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    out = console if console.width >= needed else Console(width=needed)
    out.print(table)
