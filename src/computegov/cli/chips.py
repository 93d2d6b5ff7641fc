"""`computegov chips`: The AI-accelerator catalog and export classification."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The AI-accelerator catalog and export classification.", no_args_is_help=True
)


@app.command("list")
def list_chips(as_json: bool = False) -> None:
    """List the catalog (placeholder until the catalog lands)."""
    typer.echo("catalog: not yet built")
