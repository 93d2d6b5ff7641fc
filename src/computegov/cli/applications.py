"""`computegov licenses apply|applications|decide|answer|appeal|show` and `computegov kyc`:
license applications, each step of their review, and KYC attestations. The commands are
added to `licenses_app` and `kyc_app` of `cli/licenses.py`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

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
from computegov.cli.custody import show_record
from computegov.cli.licenses import licenses_app
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.errors import InvalidInput

AppId = Annotated[str, typer.Argument(help="The application's id (app_...).")]
Repeated = list[str] | None


def _form_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read the form {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise InvalidInput(f"the form {path} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"the form {path} must be a JSON object of the application's fields")
    return data


def show_application(app: dict[str, Any], entry_id: str | None) -> None:
    """An application as tables: its terms, the review policy of each instrument that fired,
    what the registry found beside each certification, and its steps."""
    terms: dict[str, Any] = {
        k: app.get(k)
        for k in (
            "id",
            "status",
            "appealed",
            "applicant_id",
            "applicant_name",
            "jurisdiction",
            "destination",
            "ultimate_consignee_id",
            "classification",
            "models",
            "quantity",
            "value_usd",
            "instruments",
            "submitted_at",
            "decide_by",
            "respond_by",
            "license_id",
        )
        if k in app
    }
    show_record(terms, entry_id)
    evaluation = app.get("evaluation") or {}
    rows = [
        (model, f["rule"], f.get("review"), f.get("review_rule"), answer.get("origin"))
        for model, answer in sorted(evaluation.get("models", {}).items())
        for f in answer.get("fired", [])
    ]
    print_table(["model", "instrument", "review policy", "set by", "origin"], rows, title="review")
    certs = [
        (c["id"], c.get("registry_check") or "", c["status"], _evidence(c))
        for c in evaluation.get("certifications", [])
    ]
    if certs:
        print_table(["certification id", "registry check", "status", "evidence"], certs)
    for gap in evaluation.get("discrepancies", []):
        typer.echo(f"discrepancy: {gap['detail']}")
    steps = [
        (s["step"], s["party_id"], s["at"], _details(s["details"])) for s in app.get("steps", [])
    ]
    if steps:
        print_table(["step", "by", "at", "details"], steps, title="steps")


def _percent(share: Any) -> str:
    """A share as people read it: 35.3%, "unbounded" (nothing to US customers) or "n/a"."""
    if isinstance(share, int | float) and not isinstance(share, bool):
        return f"{share:.1%}"
    return str(share) if share is not None else "n/a"


def _evidence(cert: dict[str, Any]) -> str:
    evidence = cert.get("evidence")
    if cert.get("registry_check") == "china_volume_share" and evidence:
        parts = []
        for item in evidence:
            mine = item["certified"]
            ours = item.get("registry")
            seen = (
                f"registry {ours['china_macau']} CN/MO vs {ours['us']} US "
                f"(share {_percent(ours['share'])})"
                if ours
                else "registry figures withheld"
            )
            parts.append(
                f"{item['model']}: {seen}; certified {mine['china_macau']} vs {mine['us']} "
                f"(share {_percent(mine['share'])})"
            )
        return "; ".join(parts)
    if isinstance(evidence, dict) and "matches" in evidence:
        return ", ".join(m["party_id"] for m in evidence["matches"])
    if isinstance(evidence, dict) and "expires_at" in evidence:
        return f"{evidence['id']} until {evidence['expires_at']}"
    if isinstance(evidence, dict):
        return ", ".join(f"{k}: {v}" for k, v in evidence.items())
    return ""


def _details(details: dict[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        if key == "agencies":
            value = ", ".join(f"{a['id']} (due {a['answer_due']})" for a in value)
        elif key == "riders":
            value = "; ".join(f"{r['id']}: {r['text']}" for r in value)
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


@licenses_app.command("apply")
def apply(
    form: Annotated[
        Path | None,
        typer.Option(help="A JSON file with the application's fields (flags given override it)."),
    ] = None,
    purchaser: Annotated[str | None, typer.Option(help="The purchaser (party id).")] = None,
    intermediate: Annotated[
        Repeated, typer.Option(help="An intermediate consignee (party id); repeatable.")
    ] = None,
    consignee: Annotated[
        str | None, typer.Option(help="The ultimate consignee (party id), in the destination.")
    ] = None,
    end_user: Annotated[Repeated, typer.Option(help="An end user (party id); repeatable.")] = None,
    destination: Annotated[
        str | None, typer.Option(help="Destination country (ISO alpha-2).")
    ] = None,
    classification: Annotated[
        str | None, typer.Option(help="3A090.a (chips) or 4A090.a (servers holding chips).")
    ] = None,
    chips_per_unit: Annotated[
        int | None, typer.Option(help="Chips per server (4A090.a only).")
    ] = None,
    model: Annotated[Repeated, typer.Option(help="A catalog model; repeatable.")] = None,
    quantity: Annotated[int | None, typer.Option(help="How many chips in all.")] = None,
    value_usd: Annotated[
        int | None, typer.Option(help="The transaction's value in whole US dollars.")
    ] = None,
    end_use: Annotated[str | None, typer.Option(help="What the chips will be used for.")] = None,
    letter: Annotated[str | None, typer.Option(help="The letter of explanation (text).")] = None,
    us_units: Annotated[
        int | None,
        typer.Option(help="Units of the product shipped to US customers for end use in the US."),
    ] = None,
    china_units: Annotated[
        int | None, typer.Option(help="Units of the product shipped to China and Macau.")
    ] = None,
    instrument: Annotated[
        Repeated, typer.Option(help="An instrument applied under (e.g. bis-2023-10); repeatable.")
    ] = None,
    certify: Annotated[
        Repeated,
        typer.Option(help="A certification the instruments ask, certified; repeatable."),
    ] = None,
    jurisdiction: Annotated[
        str | None, typer.Option(help="The licensing jurisdiction (default: the instruments').")
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
    """Apply for an export license; print the registry's evaluation of it.

    The evaluation shows each instrument that fired with its review policy, and beside each
    certification what the registry's own records say (the 50% condition counted from its
    custody records, the chips' origin, the consignee's KYC attestation, screening)."""
    body = _form_file(form)
    flags: dict[str, Any] = {
        "purchaser_id": purchaser,
        "intermediate_consignee_ids": intermediate,
        "ultimate_consignee_id": consignee,
        "end_user_ids": end_user,
        "destination": destination,
        "classification": classification,
        "chips_per_unit": chips_per_unit,
        "models": model,
        "quantity": quantity,
        "value_usd": value_usd,
        "end_use": end_use,
        "letter_of_explanation": letter,
        "instruments": instrument,
        "jurisdiction": jurisdiction,
    }
    body.update({k: v for k, v in flags.items() if v is not None})
    if us_units is not None or china_units is not None:
        shipped = dict(body.get("us_units_shipped") or {})
        shipped.update(
            {k: v for k, v in (("us", us_units), ("china_macau", china_units)) if v is not None}
        )
        body["us_units_shipped"] = shipped
    if certify:
        body["certifications"] = {
            **(body.get("certifications") or {}),
            **dict.fromkeys(certify, True),
        }
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "license.apply",
            "/v1/license-applications",
            body,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
        return
    if quiet:
        typer.echo(result["application"]["id"])
        return
    show_application(result["application"], result.get("entry_id"))
    for flag in result.get("flags", []):
        typer.echo(f"flag raised for the regulator: {flag['id']} {flag['kind']}")


QUEUE_COLUMNS = ["id", "status", "applicant", "destination", "models", "quantity", "value USD"]
QUEUE_COLUMNS += ["review", "50% evidence", "kyc", "decide by"]


@licenses_app.command("applications")
def applications(
    status: Annotated[str | None, typer.Option(help="Only applications in this status.")] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only those awaiting a step.")] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print the queue as CSV (one flat row each).")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """The applications you may see, with the registry's evaluation beside each.

    A regulator sees its jurisdiction's queue; an applicant, its own."""
    params: dict[str, Any] = {"status": status, "pending": "true" if pending else None}
    with connect(url, token, token_file) as client:
        if as_csv:
            typer.echo(
                client.get_text("/v1/license-applications", format="csv", limit=1000, **params),
                nl=False,
            )
            return
        result = client.get("/v1/license-applications", limit=1000, **params)
    if as_json:
        print_json(result)
    elif quiet:
        print_ids(x["id"] for x in result["items"])
    else:
        print_table(
            QUEUE_COLUMNS,
            [_queue_row(x) for x in result["items"]],
            title=f"{result['total']} applications",
        )


def _queue_row(app: dict[str, Any]) -> tuple[Any, ...]:
    evaluation = app.get("evaluation") or {}
    policies = sorted(
        {f.get("review") for m in evaluation.get("models", {}).values() for f in m["fired"]}
    )
    status = {c["registry_check"]: c["status"] for c in evaluation.get("certifications", [])}
    return (
        app["id"],
        app["status"] + (" (appealed)" if app.get("appealed") else ""),
        app["applicant_id"],
        app["destination"],
        ", ".join(app["models"]),
        app["quantity"],
        app["value_usd"],
        ", ".join(str(p) for p in policies),
        status.get("china_volume_share"),
        status.get("consignee_kyc"),
        app.get("decide_by"),
    )


def act_on(
    type: str,
    suffix: str,
    app_id: str,
    body: dict[str, Any],
    url: str,
    token: str | None,
    token_file: Path | None,
    key: Path | None,
    dry_run: bool,
    idempotency_key: str | None,
    as_json: bool,
    quiet: bool = False,
) -> None:
    """Sign and send one step on an application; print the application (or only the id of the
    license it granted, else of the application, with `quiet`)."""
    with connect(url, token, token_file, key) as client:
        result = client.act(
            type,
            f"/v1/license-applications/{app_id}/{suffix}",
            {"application_id": app_id, **body},
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
        return
    if quiet:
        typer.echo(result["license"]["id"] if "license" in result else app_id)
        return
    show_application(result["application"], result.get("entry_id"))
    if "license" in result:
        typer.echo(f"license granted: {result['license']['id']}")
