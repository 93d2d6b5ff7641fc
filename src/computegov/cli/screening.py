"""`computegov screening`: import screening lists and see the flags they raise."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from computegov.cli.connection import DEFAULT_URL, KeyFile, Token, TokenFile, Url, connect
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.errors import InvalidInput

app = typer.Typer(
    help="Screening lists (US Consolidated Screening List CSV format) and flags.",
    no_args_is_help=True,
)


@app.command("import")
def import_list(
    csv_file: Annotated[
        Path, typer.Argument(help="A CSV in the Consolidated Screening List format.")
    ],
    name: Annotated[str, typer.Option(help="The list's name; importing it again replaces it.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import a screening list; every party is screened again and matches are flagged."""
    try:
        text = csv_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {csv_file}: {exc.strerror}") from None
    with connect(url, token, token_file, key) as client:
        result = client.act("screening.import", "/v1/screening/lists", {"name": name, "csv": text})
    if as_json:
        print_json(result)
        return
    print_table(
        ["list", "entries", "sha256", "new flags"],
        [(result["list"], result["entries"], result["sha256"][:16], len(result["flags"]))],
    )


@app.command()
def flags(
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """The flags you may see, with their evidence."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/flags")
    if as_json:
        print_json(result)
        return
    print_table(
        ["id", "kind", "subject", "matched", "list", "status"],
        [
            (
                f["id"],
                f["kind"],
                f["subject_id"],
                f"{f['evidence'].get('party_name')} ~ {f['evidence'].get('listed_name')}",
                f["evidence"].get("entry", {}).get("source"),
                f["status"],
            )
            for f in result["items"]
        ],
    )
