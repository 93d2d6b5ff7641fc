"""`computegov compute`: Training-compute estimates and reporting thresholds."""

from __future__ import annotations

import typer

app = typer.Typer(help="Training-compute estimates and reporting thresholds.", no_args_is_help=True)
