"""`computegov db`: The database: migrations."""

from __future__ import annotations

import typer

app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
