"""`computegov ledger`: The tamper-evident ledger: serve it, verify it, prove entries."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The tamper-evident ledger: serve it, verify it, prove entries.", no_args_is_help=True
)
