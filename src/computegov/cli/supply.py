"""`computegov supply`: The supply model: what a budget buys, from capital to compute."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The supply model: what a budget buys, from capital to compute.", no_args_is_help=True
)
