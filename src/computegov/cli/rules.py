"""`computegov rules`: what the export rules mean for the chips in the registry."""

from __future__ import annotations

from typing import Annotated

import typer

from computegov.cli.connection import DEFAULT_URL, Token, TokenFile, Url, connect
from computegov.cli.output import JSON_OPTION, print_json, print_table

app = typer.Typer(help="Export rules applied to the registry's chips.", no_args_is_help=True)


@app.command("impact")
def impact(
    rule: Annotated[
        str | None, typer.Option(help="One rule id (e.g. bis-2022-10) instead of the regime.")
    ] = None,
    on: Annotated[
        str | None, typer.Option(help="The regime at this instant (default: now).")
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Which chips now held would need a license where they are, and under which review policy.

    Under one --rule, or else the regime in force at --on (default: now). Each group is
    evaluated as a transfer within its own country (the chips' country is the origin), so the
    review policy shown is the one such a transfer would meet, with the conditions that would
    change it. Regulators see the chips in their jurisdiction; the administrator, all."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/impact", rule=rule, on=on)
    if as_json:
        print_json(result)
        return
    rows = [
        (
            g["model"],
            g["country"],
            g["end_user_hq"],
            g["chips"],
            None if g["h100_equivalents"] is None else round(g["h100_equivalents"], 1),
            "yes" if g["license_required"] else "no",
            "; ".join(f"{f['rule']}: {f['review']}" for f in g["fired"]),
        )
        for g in result["groups"]
    ]
    title = (
        f"{result['rule'] or 'regime'} at {result['on']}: {result['chips_needing_license']} of "
        f"{result['chips']} chips would need a license "
        f"({result['h100_equivalents_needing_license']:.1f} H100e)"
    )
    print_table(
        ["model", "country", "parent HQ", "chips", "H100e", "license", "review policies"],
        rows,
        title=title,
    )
    for g in result["groups"]:
        for f in g["fired"]:
            if f.get("conditions"):
                typer.echo(
                    f"{g['model']} in {g['country']}: {f['rule']} {f['review']} "
                    f"(policy set by {f.get('review_rule') or f['rule']}); conditions:"
                )
                for condition in f["conditions"]:
                    typer.echo(f"  - {condition}")
