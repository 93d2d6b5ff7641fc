"""`computegov licenses` and `computegov kyc`: export licenses (issued by regulators, or
granted on an application), applications and each step of their review, and the consignees'
KYC attestations. Thin commands over `/v1`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from computegov.cli import license_status
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
from computegov.cli.custody import show_record
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table

licenses_app = typer.Typer(
    help="Export licenses: apply, decide, issue, list, suspend, revoke and reinstate.",
    no_args_is_help=True,
)
kyc_app = typer.Typer(
    help="Know-your-customer attestations of consignees: attest, list.", no_args_is_help=True
)


LICENSE_COLUMNS = [
    "id",
    "jurisdiction",
    "licensee",
    "licensee name",
    "consignee",
    "consignee name",
    "destination",
    "models",
    "quantity",
    "used",
    "status",
    "expires",
]


def _license_row(lic: dict[str, Any]) -> tuple[Any, ...]:
    return (
        lic["id"],
        lic["jurisdiction"],
        lic["licensee_id"],
        lic.get("licensee_name"),
        lic["consignee_id"],
        lic.get("consignee_name"),
        lic["destination"],
        ", ".join(lic["models"]),
        lic["quantity"],
        lic["used"],
        lic.get("status", "active"),
        lic["expires_at"],
    )


@licenses_app.command("issue")
def issue_license(
    licensee: Annotated[str, typer.Option(help="The exporter the license authorizes (party id).")],
    consignee: Annotated[str, typer.Option(help="The receiver (party id).")],
    destination: Annotated[str, typer.Option(help="Destination country (ISO alpha-2).")],
    model: Annotated[list[str], typer.Option(help="A catalog model; repeatable.")],
    quantity: Annotated[int, typer.Option(help="How many chips in all.")],
    expires: Annotated[str, typer.Option(help="Expiry instant (e.g. 2027-01-01).")],
    jurisdiction: Annotated[
        str | None,
        typer.Option(
            help="The jurisdiction it is issued under (one of yours; default: your only one). "
            "It counts only for the instruments that jurisdiction administers."
        ),
    ] = None,
    value_usd: Annotated[
        int | None,
        typer.Option(help="Its value in whole US dollars: transfers draw it down on value too."),
    ] = None,
    valid_from: Annotated[
        str | None, typer.Option(help="Start of its validity (an instant; default: now).")
    ] = None,
    rider: Annotated[
        list[str] | None,
        typer.Option(
            help="A condition: ID (no_reexport), ID=NUMBER (max_chips_per_shipment=100, "
            "max_value_per_shipment_usd=5000000) or ID=TEXT (a rider in words, shown, not "
            "checked); repeatable."
        ),
    ] = None,
    named: Annotated[
        list[str] | None,
        typer.Option(
            help="Another party it names, ROLE=PARTY_ID (purchaser, intermediate_consignee, "
            "end_user); repeatable."
        ),
    ] = None,
    end_use_until: Annotated[
        str | None,
        typer.Option(help="End of its end-use condition (an instant; default: the chip's life)."),
    ] = None,
    instrument: Annotated[
        list[str] | None,
        typer.Option(
            help="An instrument it is granted under (one its jurisdiction administers, e.g. "
            "bis-2026-01-review, which asks for a lab report on every shipment); repeatable."
        ),
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Issue an export license, as a regulator.

    It counts only for the instruments of the jurisdiction it is issued under (US: the BIS
    rules, which follow the chip, so the US regulator licenses senders anywhere), and only for
    its licensee."""
    body: dict[str, Any] = {
        "licensee_id": licensee,
        "consignee_id": consignee,
        "destination": destination,
        "models": model,
        "quantity": quantity,
        "expires_at": expires,
    }
    if jurisdiction:
        body["jurisdiction"] = jurisdiction
    body.update(
        license_status.license_terms(
            value_usd, valid_from, rider or [], named or [], end_use_until, instrument
        )
    )
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "license.issue", "/v1/licenses", body, dry_run=dry_run, idempotency_key=idempotency_key
        )
    if as_json:
        print_json(result)
    else:
        show_record(result["license"], result.get("entry_id"))


@licenses_app.command("list")
def list_licenses(
    licensee: Annotated[str | None, typer.Option(help="Only this licensee's.")] = None,
    destination: Annotated[str | None, typer.Option(help="Only to this country.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List the export licenses you may see."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/licenses", licensee=licensee, destination=destination, limit=1000)
    if as_json:
        print_json(result)
    elif quiet:
        print_ids(x["id"] for x in result["items"])
    else:
        print_table(
            LICENSE_COLUMNS,
            [_license_row(x) for x in result["items"]],
            title=f"{result['total']} licenses",
        )


# Suspend, revoke and reinstate live in their own module; they join the `licenses` group here.
license_status.register(licenses_app)
