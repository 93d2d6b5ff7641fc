"""`computegov export`: Export-control checks for a chip and a destination."""

from __future__ import annotations

import typer

app = typer.Typer(help="Export-control checks for a chip and a destination.", no_args_is_help=True)
