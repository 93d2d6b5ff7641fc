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


# C0 and C1 control characters but tab and newline, DEL, and the bidirectional overrides: text
# from the registry (an applicant's letter, a party's name) must not drive the terminal (erase
# lines, hide text, plant links) nor reorder what an officer reads.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """`text` safe for a terminal: each control character written as its escape (`\\x1b`)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


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


def _fit(natural: list[int], narrowest: list[int], room: int) -> list[int]:
    """Column widths within `room` characters where possible: the widest columns give way
    first, none below its narrowest (so the table may end up wider than `room`)."""
    widths = list(natural)
    while sum(widths) > room:
        shrinkable = [i for i, w in enumerate(widths) if w > narrowest[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """Print rows as a rich table; None shows as an empty cell, text as it is (never as rich
    markup). Ids are never cut: where the terminal is too narrow for them, the table is printed
    wider, words whole."""
    width = len(columns)
    cells = [
        ["" if c is None else shown(str(c)) for c in [*row, *[None] * (width - len(row))]]
        for row in rows
    ]
    # Cells and the title are data (a party's name may hold "[/b]"): shown as text, not markup.
    table = Table(
        title=None if title is None else Text(shown(title)),
        show_lines=False,
        padding=(0, 1),
        show_edge=True,
    )
    # Widths are decided here, not by rich (whose shrinking crops a table it cannot fit): an id
    # column gets its longest cell; the others get their longest cell too when the terminal has
    # room, else the widest of them give way, down to their longest word.
    natural: list[int] = []
    narrowest: list[int] = []
    for index, header in enumerate(columns):
        values = [header, *(row[index] for row in cells)]
        longest = max(len(v) for v in values)
        natural.append(longest)
        if holds_ids(header, values[1:]):
            narrowest.append(longest)
        else:
            words = max((len(w) for v in values for w in v.split()), default=0)
            narrowest.append(min(words, LONGEST_WHOLE_WORD, longest))
    frame = 3 * len(columns) + 1  # each column's padding and rule, and the last rule
    widths = _fit(natural, narrowest, console.width - frame)
    for header, chosen in zip(columns, widths, strict=True):
        table.add_column(header, width=chosen, overflow="fold")
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    total = sum(widths) + frame
    out = console if console.width >= total else Console(width=total)
    out.print(table)
