"""The `computegov` command line: thin commands over the library's functions."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from computegov import __version__
from computegov.cli import (
    applications,
    chip_registry,
    chips,
    compute,
    custody,
    db,
    envelopes,
    export,
    flags,
    keys,
    labs,
    ledger,
    license_steps,
    licenses,
    obligations,
    parties,
    report_obligations,
    reporting,
    rules,
    screening,
    server,
    stats,
    supply,
    threshold_views,  # noqa: F401  (adds `sites cluster` and `report above-thresholds`)
)
from computegov.cli.helptext import tidy
from computegov.cli.output import shown
from computegov.errors import ComputegovError, InvalidInput


class _Root(TyperGroup):
    """Turns `InvalidInput` from any subcommand into a one-line error with exit code 2, and
    tidies the help of the whole tree (`cli/helptext.py`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tidy(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except InvalidInput as exc:
            typer.echo(f"error: {shown(str(exc))}", err=True)
            raise typer.Exit(2) from None
        except ComputegovError as exc:  # the server refused, or a check failed
            typer.echo(f"error: {shown(str(exc))}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Root,
    help="computegov: govern AI compute through its chips.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(chips.app, name="chips")
chip_registry.add_commands(chips.app)
app.add_typer(export.app, name="export")
app.add_typer(compute.app, name="compute")
app.add_typer(ledger.app, name="ledger")
app.add_typer(db.app, name="db")
app.add_typer(supply.app, name="supply")
app.add_typer(parties.app, name="parties")
app.add_typer(parties.tokens_app, name="tokens")
app.add_typer(keys.app, name="keys")
app.add_typer(screening.app, name="screening")
app.add_typer(flags.flags_app, name="flags")
app.add_typer(envelopes.app, name="envelope")
app.add_typer(custody.sites_app, name="sites")
app.add_typer(licenses.licenses_app, name="licenses")
app.add_typer(licenses.kyc_app, name="kyc")
app.add_typer(custody.transfers_app, name="transfers")
app.add_typer(labs.app, name="labs")
app.add_typer(rules.app, name="rules")
app.add_typer(stats.app, name="stats")
app.add_typer(reporting.app, name="report")
report_obligations.add_commands(reporting.app)
# `applications` and `license_steps` add their commands to `licenses` and `kyc` on import.
LICENSE_COMMANDS = (applications.apply, license_steps.decide)
app.command("obligations")(obligations.obligations_command)
app.command()(server.serve)
ledger.app.command()(server.opening)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"computegov {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """computegov: govern AI compute through its chips."""


def main() -> None:
    """Console-script entry point."""
    app()
