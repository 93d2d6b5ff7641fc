"""`computegov export`: export-control checks for a chip and a destination."""

from __future__ import annotations

import typer

from computegov.catalog import get_chip
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.errors import InvalidInput
from computegov.instants import parse_instant, to_wire, utcnow
from computegov.rules import RULE_IDS, all_instruments, license_required, regime

app = typer.Typer(help="Export-control checks for a chip and a destination.", no_args_is_help=True)


def _quantity(text: str) -> int:
    try:
        value = int(text.strip().replace("_", ""))
    except ValueError:
        raise InvalidInput(
            f"--quantity is not a whole number: {text!r}; e.g. --quantity 1000"
        ) from None
    if value < 1:
        raise InvalidInput(f"--quantity must be at least 1, got {text!r}")
    return value


@app.command("check")
def check(
    chip: str | None = typer.Option(None, "--chip", help="Catalog model or alias (e.g. H100)."),
    to: str | None = typer.Option(None, "--to", help="Destination, ISO 3166-1 alpha-2 (e.g. CN)."),
    origin: str | None = typer.Option(
        None,
        "--from",
        help="Country the chips leave from (alpha-2; e.g. US). Review policies depend on it: "
        "the January 2026 case-by-case review covers exports from the US only. Default: unknown.",
    ),
    on: str | None = typer.Option(None, "--on", help="Date (YYYY-MM-DD); default now."),
    end_user_hq: str | None = typer.Option(
        None, "--end-user-hq", help="Country of the buyer's ultimate parent (alpha-2)."
    ),
    quantity: str = typer.Option("1", "--quantity", help="Number of chips (Diffusion LPP/caps)."),
    rule: str | None = typer.Option(
        None, "--rule", help=f"Evaluate one rule alone: {', '.join(RULE_IDS)}."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Does exporting this chip to this destination need a license, and under what?"""
    if chip is None or to is None:
        raise InvalidInput("export check needs --chip NAME and --to CC, e.g. --chip H100 --to CN")
    decision = license_required(
        get_chip(chip),
        to,
        on=parse_instant(on) if on is not None else None,
        end_user_hq=end_user_hq,
        quantity=_quantity(quantity),
        rule=rule,
        origin=origin,
    )
    if as_json:
        print_json(decision.to_dict())
        return
    verdict = "REQUIRED" if decision.license_required else "not required"
    source = f"{decision.origin} " if decision.origin else ""
    typer.echo(
        f"{decision.chip} {source}-> {decision.destination} on {decision.on.date().isoformat()}"
        f"{f' (buyer HQ {decision.end_user_hq})' if decision.end_user_hq else ''}: "
        f"license {verdict}; evaluated: {', '.join(decision.evaluated) or 'nothing'}"
    )
    if decision.fired:
        print_table(
            ["Rule", "Jurisdiction", "Citation", "Review", "Policy set by", "Reason"],
            [
                [f.rule, f.jurisdiction, f.citation, f.review, f.review_rule, f.reason]
                for f in decision.fired
            ],
            title="Instruments that fired",
        )
        for f in decision.fired:
            if f.conditions:
                typer.echo(f"{f.rule}: {f.review} (policy set by {f.review_rule}); conditions:")
                for condition in f.conditions:
                    typer.echo(f"  - {condition}")
    if decision.exceptions:
        print_table(
            ["Exception", "Rule", "Why"],
            [[e.name, e.rule, e.reason] for e in decision.exceptions],
            title="License exceptions available",
        )
    for note in decision.notes:
        typer.echo(f"note: {note}")


@app.command("rules")
def rules(
    on: str | None = typer.Option(None, "--on", help="Date (YYYY-MM-DD); default now."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the instruments with their citations and dates, marking those in force at --on."""
    when = parse_instant(on) if on is not None else utcnow()
    live = {i.id for i in regime(when)}
    instruments = all_instruments()
    if as_json:
        print_json([{**i.to_dict(), "in_force": i.id in live} for i in instruments])
        return
    print_table(
        ["Id", "Kind", "Citation", "From", "To", "In force"],
        [
            [
                i.id,
                f"{i.jurisdiction} {i.kind}",  # "US rule": whose instrument it is
                i.citation,
                to_wire(i.effective_from)[:10],
                to_wire(i.effective_to)[:10] if i.effective_to else None,
                "yes" if i.id in live else ("what-if only" if not i.in_regime else "no"),
            ]
            for i in instruments
        ],
        title=f"Instruments on {when.date().isoformat()}",
    )
