"""Reading the rules' packaged CSV files (instruments, thresholds, country groups)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from importlib import resources

from computegov.instants import parse_instant


def read_rows(name: str) -> list[dict[str, str]]:
    """The rows of `data/<name>` as dicts keyed by the header."""
    text = resources.files("computegov.rules").joinpath(f"data/{name}").read_text()
    return list(csv.DictReader(io.StringIO(text)))


def optional_instant(text: str) -> datetime | None:
    """A date cell as an aware UTC instant; an empty cell is None (unbounded)."""
    return parse_instant(text) if text.strip() else None
