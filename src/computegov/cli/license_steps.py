"""`computegov licenses decide|answer|appeal|show` and `computegov kyc attest|list`: each
step of an application's review, and the consignees' KYC attestations (added to the Typer
apps of `cli/licenses.py`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from computegov.cli.applications import AppId, Repeated, act_on, show_application
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
from computegov.cli.licenses import kyc_app, licenses_app
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.errors import InvalidInput

STEPS = "refer, approve, approve_in_part, intent_to_deny, deny, return, appeal_decision"


def _rider(value: str) -> dict[str, str]:
    rider_id, sep, text = value.partition("=")
    if not sep or not rider_id.strip() or not text.strip():
        raise InvalidInput(f"--rider takes ID=TEXT (e.g. no-remote-access=...), not {value!r}")
    return {"id": rider_id.strip(), "text": text.strip()}


@licenses_app.command("decide")
def decide(
    application: AppId,
    step: Annotated[str, typer.Option(help=f"The step: {STEPS}.")],
    reason: Annotated[
        str | None,
        typer.Option(help="Why (intent_to_deny, deny, return and appeal_decision need one)."),
    ] = None,
    agency: Annotated[
        Repeated, typer.Option(help="An agency to refer to (defense, state, energy); repeatable.")
    ] = None,
    rider: Annotated[
        Repeated, typer.Option(help="A condition of the license, ID=TEXT; repeatable.")
    ] = None,
    quantity: Annotated[
        int | None, typer.Option(help="approve_in_part: the chips granted (fewer).")
    ] = None,
    value_usd: Annotated[
        int | None, typer.Option(help="approve_in_part: the value granted in USD (less).")
    ] = None,
    valid_until: Annotated[
        str | None, typer.Option(help="Approvals: the license's expiry (default four years).")
    ] = None,
    outcome: Annotated[
        str | None, typer.Option(help="appeal_decision: upheld or remanded.")
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Take a step on an application, as a regulator of its jurisdiction.

    An approval grants an export license that transfers cite; an intent to deny gives the
    applicant 20 days to answer; a denial comes after the answer or the 20 days."""
    body: dict[str, Any] = {"step": step}
    optional = {
        "reason": reason,
        "agencies": agency,
        "riders": [_rider(r) for r in rider] if rider else None,
        "quantity": quantity,
        "value_usd": value_usd,
        "valid_until": valid_until,
        "outcome": outcome,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    act_on(
        "license.decide",
        "decision",
        application,
        body,
        url,
        token,
        token_file,
        key,
        dry_run,
        idempotency_key,
        as_json,
    )


@licenses_app.command("answer")
def answer(
    application: AppId,
    text: Annotated[str, typer.Option(help="Your answer to the intent to deny.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Answer an intent to deny your application (within 20 days of the notice)."""
    act_on(
        "license.answer",
        "answer",
        application,
        {"text": text},
        url,
        token,
        token_file,
        key,
        dry_run,
        idempotency_key,
        as_json,
    )


@licenses_app.command("appeal")
def appeal(
    application: AppId,
    reason: Annotated[str, typer.Option(help="Why the denial should be reversed.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Appeal the denial of your application (within 45 days, once)."""
    act_on(
        "license.appeal",
        "appeal",
        application,
        {"reason": reason},
        url,
        token,
        token_file,
        key,
        dry_run,
        idempotency_key,
        as_json,
    )


@licenses_app.command("show")
def show(
    record: Annotated[str, typer.Argument(help="An application (app_...) or a license (lic_...).")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show an application (its evaluation and steps) or an export license."""
    if record.startswith("app_"):
        path = f"/v1/license-applications/{record}"
    elif record.startswith("lic_"):
        path = f"/v1/licenses/{record}"
    else:
        raise InvalidInput(f"name an application (app_...) or a license (lic_...), not {record!r}")
    with connect(url, token, token_file) as client:
        result = client.get(path)
    if as_json:
        print_json(result)
    elif record.startswith("app_"):
        show_application(result, result.get("entry_id"))
    else:
        show_record(result, result.get("entry_id"))


@kyc_app.command("attest")
def attest(
    statement: Annotated[
        str,
        typer.Option(
            help="Your know-your-customer procedures: how customers are identified and remote "
            "access by unauthorised parties prevented."
        ),
    ],
    procedures_url: Annotated[
        str | None, typer.Option(help="Where the procedures are published, if they are.")
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Attest your KYC procedures, as a consignee; current for 12 months."""
    body: dict[str, Any] = {"statement": statement}
    if procedures_url:
        body["procedures_url"] = procedures_url
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "kyc.attest",
            "/v1/kyc-attestations",
            body,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
    else:
        shown = {k: v for k, v in result["attestation"].items() if k != "statement"}
        show_record(shown, result.get("entry_id"))


@kyc_app.command("list")
def list_attestations(
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List the KYC attestations you may see (your own; a regulator's: in its jurisdiction)."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/kyc-attestations", limit=1000)
    if as_json:
        print_json(result)
    elif quiet:
        print_ids(x["id"] for x in result["items"])
    else:
        rows = [
            (a["id"], a["party_id"], a["attested_at"], a["expires_at"], a["current"])
            for a in result["items"]
        ]
        print_table(
            ["id", "party", "attested", "expires", "current"],
            rows,
            title=f"{result['total']} attestations",
        )
