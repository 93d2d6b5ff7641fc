"""`computegov report obligations` and `computegov report packet`: the obligations calendar
of your models (a regulator's: of the models addressed to it), and the filing packet of one
obligation, signed with `--sign` and written as PDF with `--pdf FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from computegov.cli.connection import DEFAULT_URL, KeyFile, Token, TokenFile, Url, connect
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.errors import InvalidInput


def obligations(
    party: Annotated[
        str | None, typer.Option("--party", help="A regulator: one developer's models only.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="One model (mdl_...).")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the calendar as CSV.")] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """The obligations calendar: each obligation of each model, with its deadline and source."""
    path = f"/v1/reports/models/{model}/obligations" if model else "/v1/reports/obligations"
    params = {"party_id": party, "limit": 1000}
    with connect(url, token, token_file) as client:
        if as_csv:
            typer.echo(client.get_text(path, format="csv", **params), nl=False)
            return
        result = client.get(path, **params)
    if as_json:
        print_json(result)
        return
    rows = [
        (
            item["model_id"],
            item["obligation_id"],
            item["state"],
            item["deadline"] or "-",
            item["due"],
            item["authority"],
            item["citation"],
        )
        for item in result["items"]
    ]
    columns = ["model", "obligation", "state", "deadline", "due", "authority", "citation"]
    print_table(columns, rows, title=f"{result['total']} obligations")


def packet(
    model_id: Annotated[str, typer.Argument(help="The model (mdl_...).")],
    obligation_id: Annotated[
        str, typer.Argument(help="The obligation, e.g. eu-art52-notification.")
    ],
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Write the signed filing as PDF to FILE.")
    ] = None,
    sign: Annotated[
        bool, typer.Option("--sign", help="Sign the packet shown (report.filing); needs --key.")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """The filing packet of one obligation of your model; `--sign` files it.

    `--sign` signs the digest of the packet shown; the registry refuses it if the packet
    changed since. `--pdf FILE` writes the signed filing as PDF."""
    if pdf is not None and not sign:
        raise InvalidInput("--pdf writes a signed filing: give --sign too")
    with connect(url, token, token_file, key) as client:
        shown = client.get(f"/v1/reports/models/{model_id}/packets/{obligation_id}")
        filing = None
        if sign:
            body = {
                "model_id": model_id,
                "obligation_id": obligation_id,
                "packet_sha256": shown["packet_sha256"],
            }
            filing = client.act("report.filing", "/v1/reports/filings", body)["filing"]
            if pdf is not None:
                content = client.get_bytes(f"/v1/reports/filings/{filing['id']}.pdf")
                try:
                    pdf.write_bytes(content)
                except OSError as exc:
                    raise InvalidInput(f"cannot write {pdf}: {exc.strerror}") from None
    if as_json:
        print_json({**shown, "filing": filing})
        return
    found = shown["packet"]
    rows = [
        ("packet", found["title"]),
        ("authority", found["authority"]),
        ("send to", found["send_to"]),
        ("deadline", found["deadline"] or found["due"]),
        ("citation", found["citation"]),
        ("sha256", shown["packet_sha256"]),
    ]
    print_table(["field", "value"], rows)
    if filing is not None:
        typer.echo(f"signed: filing {filing['id']} (ledger entry {filing['entry_id']})")
    if pdf is not None:
        typer.echo(f"PDF written to {pdf}")


def add_commands(app: typer.Typer) -> None:
    """Add `obligations` and `packet` to `computegov report`."""
    app.command("obligations")(obligations)
    app.command("packet")(packet)
