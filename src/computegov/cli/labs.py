"""`computegov labs`: a test lab files its report on the chips of a shipment it reviewed, and
reads reports. Thin commands over `/v1/lab-reports`."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

import typer

from computegov.cli.connection import (
    DEFAULT_URL,
    DryRun,
    IdempotencyKey,
    KeyFile,
    Token,
    TokenFile,
    Url,
    connect,
)
from computegov.cli.custody import Chips, chip_names
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.errors import InvalidInput

app = typer.Typer(
    help="Test labs' per-shipment reports: file (labs), list, show.", no_args_is_help=True
)

REPORT_COLUMNS = ["id", "lab", "license", "reviewed", "chips"]


def _row(report: dict[str, Any]) -> tuple[Any, ...]:
    return (
        report["id"],
        report["lab_id"],
        report["license_id"],
        report["reviewed_at"],
        report["chip_count"],
    )


@app.command("report")
def report(
    chips: Chips,
    reviewed_at: Annotated[
        str, typer.Option(help="When the lab reviewed the chips (an instant, not in the future).")
    ],
    license_id: Annotated[
        str | None,
        typer.Option("--license", help="The export license (lic_...) the shipment goes under."),
    ] = None,
    findings: Annotated[
        str | None,
        typer.Option(help="The lab's findings, a JSON object (e.g. '{\"passed\": true}')."),
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """File a test lab's report on the chips of a shipment it reviewed, as a test lab.

    Under the January 2026 rule (bis-2026-01-review) every chip a licensed transfer moves is
    listed by a report of a lab in the United States, reviewed before the declaration."""
    body: dict[str, Any] = {"chips": chip_names(chips), "reviewed_at": reviewed_at}
    if license_id:
        body["license_id"] = license_id
    if findings:
        try:
            parsed = json.loads(findings)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise InvalidInput("--findings takes a JSON object, e.g. '{\"passed\": true}'")
        body["findings"] = parsed
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "lab.report", "/v1/lab-reports", body, dry_run=dry_run, idempotency_key=idempotency_key
        )
    if as_json:
        print_json(result)
        return
    made = result["lab_report"]
    if quiet:
        typer.echo(made["id"])
        return
    print_table(
        ["field", "value"],
        [
            *((k, made[k]) for k in ("id", "lab_id", "license_id", "reviewed_at", "chip_count")),
            ("ledger entry", result.get("entry_id") or "(dry run)"),
        ],
    )


@app.command("list")
def list_reports(
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List the lab reports you may see.

    A lab sees its own; a licensee or regulator, those cited by transfers under its licenses."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/lab-reports", limit=1000)
    if as_json:
        print_json(result)
    elif quiet:
        print_ids(r["id"] for r in result["items"])
    else:
        print_table(
            REPORT_COLUMNS, [_row(r) for r in result["items"]], title=f"{result['total']} reports"
        )


@app.command("show")
def show(
    report_id: Annotated[str, typer.Argument(help="The lab report (lab_...).")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one lab report with the chips it lists."""
    with connect(url, token, token_file) as client:
        result = client.get(f"/v1/lab-reports/{quote(report_id, safe='')}")
    if as_json:
        print_json(result)
        return
    print_table(["field", "value"], [(k, v) for k, v in result.items() if k != "chips"])
    print_table(["chip"], [(c,) for c in result["chips"]])
