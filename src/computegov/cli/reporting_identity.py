"""`computegov report identity|identity-request|identity-answer|identities|facts|facts-show|
erase-expired`: customer identity attestations (the record stays with the provider), the
regulators' requests for the record and the provider's answers, developers' entity facts, and
the erasure of identity attestations past their retention period."""

from __future__ import annotations

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
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.cli.reporting import FileOption, Repeated, _file, app
from computegov.errors import ComputegovError, InvalidInput

CsvOption = Annotated[bool, typer.Option("--csv", help="Print the list as CSV.")]
IDENTITY_COLUMNS = ["id", "provider", "country", "verified on", "retain until", "erased", "ref"]


def _act(
    type: str,
    path: str,
    body: dict[str, Any],
    conn: tuple[str, str | None, Path | None, Path | None],
    dry_run: bool,
    idempotency_key: str | None,
) -> Any:
    with connect(*conn) as client:
        return client.act(type, path, body, dry_run=dry_run, idempotency_key=idempotency_key)


def _done(result: dict[str, Any], name: str, as_json: bool, quiet: bool) -> None:
    if as_json:
        print_json(result)
        return
    record = result[name]
    if quiet:
        typer.echo(record["id"])
        return
    rows = [(k, "" if v is None else str(v)) for k, v in record.items() if k != "requests"]
    print_table(["field", "value"], rows, title=name)
    if result.get("dry_run"):
        typer.echo("dry run: nothing was recorded")


def _list(
    path: str,
    conn: tuple[str, str | None, Path | None],
    as_json: bool,
    as_csv: bool,
    **params: Any,
) -> dict[str, Any] | None:
    with connect(*conn) as client:
        if as_csv:
            typer.echo(client.get_text(path, format="csv", limit=1000, **params), nl=False)
            return None
        result: dict[str, Any] = client.get(path, limit=1000, **params)
    if as_json:
        print_json(result)
        return None
    return result


@app.command("identity")
def identity(
    file: FileOption = None,
    customer_ref: Annotated[
        str | None, typer.Option(help="Your own opaque reference for the customer.")
    ] = None,
    record_hash: Annotated[
        str | None, typer.Option(help="The salted hash of the record: sha256:<64 hex>.")
    ] = None,
    customer_country: Annotated[
        str | None, typer.Option(help="The customer's country (ISO alpha-2), if known.")
    ] = None,
    verified_on: Annotated[
        str | None, typer.Option(help="The date you verified the record (YYYY-MM-DD).")
    ] = None,
    jurisdiction: Annotated[
        Repeated, typer.Option(help="Also addressed to (besides your country); repeatable.")
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
    """Attest that you hold a verified identity record for a customer.

    The record stays with you: the registry keeps your reference and its salted hash."""
    body = _file(file)
    flags = {
        "customer_ref": customer_ref,
        "record_hash": record_hash,
        "customer_country": customer_country,
        "verified_on": verified_on,
        "jurisdictions": jurisdiction,
    }
    body.update({k: v for k, v in flags.items() if v is not None})
    conn = (url, token, token_file, key)
    result = _act("report.identity", "/v1/reports/identities", body, conn, dry_run, idempotency_key)
    _done(result, "attestation", as_json, quiet)


@app.command("identity-request")
def identity_request(
    attestation_id: Annotated[str, typer.Argument(help="The identity attestation (ida_...).")],
    reason: Annotated[str, typer.Option(help="Why you ask to see the record.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Ask the provider to show you the record behind an attestation (a regulator)."""
    body = {"attestation_id": attestation_id, "reason": reason}
    conn = (url, token, token_file, key)
    path = "/v1/reports/identity-requests"
    result = _act("report.identity_request", path, body, conn, dry_run, idempotency_key)
    _done(result, "request", as_json, quiet)


@app.command("identity-answer")
def identity_answer(
    request_id: Annotated[str, typer.Argument(help="The request (idq_...).")],
    status: Annotated[str, typer.Option(help="answered or declined.")],
    note: Annotated[str | None, typer.Option(help="A short note (never the record).")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Record that you answered a request outside the registry, or declined it."""
    body: dict[str, Any] = {"request_id": request_id, "status": status}
    if note is not None:
        body["note"] = note
    conn = (url, token, token_file, key)
    path = "/v1/reports/identity-answers"
    result = _act("report.identity_answer", path, body, conn, dry_run, idempotency_key)
    _done(result, "request", as_json, quiet)


@app.command("identities")
def identities(
    requests: Annotated[
        bool, typer.Option("--requests", help="List the requests for records instead.")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    as_csv: CsvOption = False,
    quiet: bool = QUIET_OPTION,
) -> None:
    """The identity attestations (or the requests on them) you may see.

    A provider's own; a regulator's, those addressed to its jurisdictions."""
    path = "/v1/reports/identity-requests" if requests else "/v1/reports/identities"
    result = _list(path, (url, token, token_file), as_json, as_csv)
    if result is None:
        return
    if quiet:
        print_ids(x["id"] for x in result["items"])
    elif requests:
        rows: list[tuple[Any, ...]] = [
            (q["id"], q["attestation_id"], q["regulator_id"], q["status"], q["note"] or "")
            for q in result["items"]
        ]
        print_table(["id", "attestation", "regulator", "status", "note"], rows)
    else:
        rows = [
            (
                a["id"],
                a["provider_id"],
                a["customer_country"] or "",
                a["verified_on"],
                a["retain_until"],
                a["erased_at"] or "no",
                a["customer_ref"] or "(erased)",
            )
            for a in result["items"]
        ]
        print_table(IDENTITY_COLUMNS, rows)


@app.command("facts")
def facts(
    file: FileOption = None,
    year: Annotated[int | None, typer.Option(help="The calendar year.")] = None,
    revenue_usd: Annotated[
        float | None,
        typer.Option(help="Annual gross revenue including affiliates, in US dollars."),
    ] = None,
    market: Annotated[
        Repeated, typer.Option(help="A market (US, EU, US-CA, ...); repeatable.")
    ] = None,
    jurisdiction: Annotated[
        Repeated, typer.Option(help="A country whose regulators may read them; repeatable.")
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
    """Report your revenue and markets for a year (the latest report for a year counts)."""
    body = _file(file)
    flags = {
        "year": year,
        "revenue_usd": revenue_usd,
        "markets": market,
        "jurisdictions": jurisdiction,
    }
    body.update({k: v for k, v in flags.items() if v is not None})
    conn = (url, token, token_file, key)
    result = _act("report.facts", "/v1/reports/facts", body, conn, dry_run, idempotency_key)
    _done(result, "facts", as_json, quiet)


@app.command("facts-show")
def facts_show(
    party: Annotated[str | None, typer.Option(help="Only this party's (pty_...).")] = None,
    year: Annotated[int | None, typer.Option(help="Only this year's.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    as_csv: CsvOption = False,
) -> None:
    """The entity facts you may see, each saying whether it counts (the latest per year)."""
    params = {k: v for k, v in {"party_id": party, "year": year}.items() if v is not None}
    result = _list("/v1/reports/facts", (url, token, token_file), as_json, as_csv, **params)
    if result is None:
        return
    rows = [
        (
            f["id"],
            f["party_id"],
            f["year"],
            "" if f["revenue_usd"] is None else f"{f['revenue_usd']:,.0f}",
            ", ".join(f["markets"]),
            "yes" if f["counts"] else "no",
        )
        for f in result["items"]
    ]
    print_table(["id", "party", "year", "revenue USD", "markets", "counts"], rows)


@app.command("erase-expired")
def erase_expired(
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data directory (default as serve).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be erased; erase nothing.")
    ] = False,
    as_json: bool = JSON_OPTION,
) -> None:
    """Erase identity attestations past their retention period.

    Run on the server's store (the server also does it when it starts). Their leaves stay;
    their records no longer open."""
    from computegov.registry.reporting import retention
    from computegov.store import Settings, open_store

    def progress(item: dict[str, Any]) -> None:
        if not as_json:
            verb = "would erase" if dry_run else "erased"
            typer.echo(f"{verb} {item['id']} (retain until {item['retain_until']})", err=True)

    try:
        store = open_store(Settings(data_dir=data_dir) if data_dir else Settings())
    except ComputegovError as exc:
        raise InvalidInput(str(exc)) from None
    try:
        done = retention.erase_expired(store, dry_run=dry_run, progress=progress)
    finally:
        store.close()
    if as_json:
        print_json({"dry_run": dry_run, "count": len(done), "items": done})
        return
    verb = "would be erased" if dry_run else "erased"
    typer.echo(f"{len(done)} identity attestations {verb}")
