"""`computegov report attestation|attestation-request|attestations|capacity-notices`: a cloud
provider's signed attestations of the chip-hours it delivered (fields or CSV), regulators'
requests for them, and regulators' capacity notices (added to `report` on import)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from computegov.cli.compute import fmt_flop
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
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.cli.reporting import FileOption, Repeated, _file, app
from computegov.errors import InvalidInput

Customer = Annotated[str | None, typer.Option("--customer", help="The customer (party id).")]
Start = Annotated[str | None, typer.Option("--start", help="Period start (UTC ISO 8601).")]
End = Annotated[str | None, typer.Option("--end", help="Period end, exclusive (UTC ISO 8601).")]


def _line(text: str) -> dict[str, Any]:
    parts = text.split(":")
    if len(parts) != 3:
        raise InvalidInput(f"--line {text!r}: give SITE:CHIP:CHIP_HOURS, e.g. sit_1:V100:3.55e6")
    site, chip, hours = parts
    try:
        return {"site_id": site, "chip_model": chip, "chip_hours": float(hours)}
    except ValueError:
        raise InvalidInput(f"--line {text!r}: CHIP_HOURS is a number") from None


def _csv(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the CSV {path}: {exc}") from None


def _rows(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            a["id"],
            a["provider_id"],
            a["customer_id"],
            a["period_start"],
            a["period_end"],
            f"{a['chip_hours']:.6g}",
            a["basis"],
            "yes" if a["counts"] else "no",
        )
        for a in items
    ]


COLUMNS = ["id", "provider", "customer", "from", "to", "chip-hours", "basis", "counts"]


@app.command("attestation")
def attestation(
    file: FileOption = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="A CSV file with the header "
            "customer_id,site_id,chip_model,period_start,period_end,chip_hours.",
        ),
    ] = None,
    customer: Customer = None,
    start: Start = None,
    end: End = None,
    line: Annotated[
        Repeated, typer.Option("--line", help="SITE:CHIP:CHIP_HOURS delivered; repeatable.")
    ] = None,
    basis: Annotated[str | None, typer.Option(help="request or threshold.")] = None,
    request_id: Annotated[
        str | None, typer.Option("--request", help="The request it answers (atr_...).")
    ] = None,
    jurisdiction: Annotated[
        Repeated, typer.Option(help="Also addressed to this country (or EU); repeatable.")
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
    """Attest the chip-hours you delivered to a customer in a period (a cloud provider)."""
    body = _file(file)
    flags: dict[str, Any] = {
        "customer_id": customer,
        "period_start": start,
        "period_end": end,
        "lines": [_line(text) for text in line] if line else None,
        "basis": basis,
        "request_id": request_id,
        "jurisdictions": jurisdiction,
        "csv": _csv(csv_file) if csv_file is not None else None,
    }
    body.update({k: v for k, v in flags.items() if v is not None})
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "report.attestation",
            "/v1/reports/attestations",
            body,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
    elif quiet:
        print_ids(a["id"] for a in result["attestations"])
    else:
        print_table(COLUMNS, _rows(result["attestations"]), title="attestations")
        if result.get("dry_run"):
            typer.echo("dry run: nothing was recorded")


@app.command("attestation-request")
def attestation_request(
    provider: Annotated[str, typer.Option(help="The cloud provider asked (party id).")],
    customer: Annotated[str, typer.Option("--customer", help="The customer (party id).")],
    start: Annotated[str, typer.Option("--start", help="Period start (UTC ISO 8601).")],
    end: Annotated[str, typer.Option("--end", help="Period end, exclusive (UTC ISO 8601).")],
    reason: Annotated[str, typer.Option(help="Why you ask.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Ask a provider to attest what it delivered to a customer in a period (a regulator)."""
    body = {
        "provider_id": provider,
        "customer_id": customer,
        "period_start": start,
        "period_end": end,
        "reason": reason,
    }
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "report.attestation_request",
            "/v1/reports/attestation-requests",
            body,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
    else:
        typer.echo(result["request"]["id"])


@app.command("attestations")
def attestations(
    attestation_id: Annotated[
        str | None, typer.Argument(help="Show this attestation (att_...) instead of listing.")
    ] = None,
    customer: Customer = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """The attestations you may see, or one of them with its lines.

    A provider sees its own; a developer those naming it; a regulator those addressed to it."""
    with connect(url, token, token_file) as client:
        if attestation_id is not None:
            result = client.get(f"/v1/reports/attestations/{attestation_id}")
        else:
            params = {"customer_id": customer} if customer else {}
            result = client.get("/v1/reports/attestations", limit=1000, **params)
    if as_json:
        print_json(result)
    elif attestation_id is None:
        print_table(COLUMNS, _rows(result["items"]), title=f"{result['total']} attestations")
    else:
        print_table(COLUMNS, _rows([result]), title="attestation")
        lines = [(x["site_id"], x["chip_model"], f"{x['chip_hours']:.6g}") for x in result["lines"]]
        print_table(["site", "chip", "chip-hours"], lines, title="lines")


@app.command("capacity-notices")
def capacity_notices(
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Capacity notices (regulators): attested chip-hours no report accounts for.

    Chip-hours a provider attested that, at a conservative utilization, could have trained a
    run above a threshold that no report covers. Information, not an accusation."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/reports/capacity-notices", limit=1000)
    if as_json:
        print_json(result)
        return
    rows = [
        (
            n["attestation_id"],
            n["provider_id"],
            n["customer_id"],
            n["period_start"],
            n["period_end"],
            fmt_flop(n["capacity_flop"]),
            ", ".join(n["thresholds"]),
        )
        for n in result["items"]
    ]
    columns = ["attestation", "provider", "customer", "from", "to", "capacity FLOP", "thresholds"]
    print_table(columns, rows, title=f"{result['total']} capacity notices")
