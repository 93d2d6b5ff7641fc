"""`computegov screening`: import, list and withdraw screening lists, and see their flags (the
flags' own commands are `computegov flags`, `cli/flags.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from computegov.cli.connection import DEFAULT_URL, KeyFile, Token, TokenFile, Url, connect
from computegov.cli.flags import KindFilter, StatusFilter, show_flags
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.errors import InvalidInput

app = typer.Typer(
    help="Screening lists (US Consolidated Screening List CSV format) and their flags.\n\n"
    "A list belongs to the party that imported it; its matches refuse transfers only where "
    "its owner's jurisdiction reaches.",
    no_args_is_help=True,
)


@app.command("import")
def import_list(
    csv_file: Annotated[
        Path, typer.Argument(help="A CSV in the Consolidated Screening List format.")
    ],
    name: Annotated[
        str,
        typer.Option(
            help="The list's name among your lists; importing a name you use again replaces "
            "your list of that name (never another party's)."
        ),
    ],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import (or replace) your screening list, and screen every party again.

    Matches are flagged; flags your replaced list raised that no longer match are closed."""
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
        ["list", "id", "entries", "sha256", "new flags", "closed flags"],
        [
            (
                result["list"],
                result["list_id"],
                result["entries"],
                result["sha256"][:16],
                len(result["flags"]),
                len(result["closed"]),
            )
        ],
    )


@app.command("lists")
def lists(
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Every screening list with its owner and status (administrator and regulators)."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/screening/lists", limit=1000)
    if as_json:
        print_json(result)
        return
    if quiet:
        print_ids(r["id"] for r in result["items"])
        return
    print_table(
        ["id", "name", "owner", "status", "entries", "updated"],
        [
            (r["id"], r["name"], r["owner_id"], r["status"], r["entries"], r["updated_at"])
            for r in result["items"]
        ],
    )


@app.command("withdraw")
def withdraw(
    list_id: Annotated[
        str, typer.Argument(help="The list's id (see `computegov screening lists`).")
    ],
    reason: Annotated[
        str, typer.Option(help="Why; kept in the history of each flag the withdrawal closes.")
    ] = "",
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Withdraw one of your screening lists and close the flags it raised.

    Its entries go, and every flag it raised that still stands is closed."""
    body = {"list_id": list_id, "reason": reason}
    with connect(url, token, token_file, key) as client:
        result = client.act("screening.withdraw", "/v1/screening/lists/withdraw", body)
    if as_json:
        print_json(result)
        return
    listed = result["screening_list"]
    print_table(
        ["list", "id", "status", "closed flags"],
        [(listed["name"], listed["id"], listed["status"], len(result["closed"]))],
    )


@app.command()
def flags(
    status: StatusFilter = None,
    kind: KindFilter = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """The flags you may see, with their evidence (as `computegov flags list`)."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/flags", limit=1000, status=status, kind=kind)
    show_flags(result, as_json, quiet)
