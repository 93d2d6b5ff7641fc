"""`computegov screening` (import, list and withdraw screening lists) and `computegov flags`
(see flags with their history, close one with a reason)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from computegov.cli.connection import DEFAULT_URL, KeyFile, Token, TokenFile, Url, connect
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.errors import InvalidInput

app = typer.Typer(
    help="Screening lists (US Consolidated Screening List CSV format) and their flags.\n\n"
    "A list belongs to the party that imported it; its matches refuse transfers only where "
    "its owner's jurisdiction reaches.",
    no_args_is_help=True,
)
flags_app = typer.Typer(
    help="Flags for regulators: list them, show one with its history, close one with a reason.",
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


def _words(*parts: Any) -> str:
    """The parts that are there, joined by spaces: a missing value is left out, never "None"."""
    return " ".join(str(p) for p in parts if p not in (None, ""))


def flag_evidence(flag: dict[str, Any]) -> str:
    """One line saying why a flag was raised, from its evidence (`--json` has all of it)."""
    e = flag.get("evidence") or {}
    kind = flag.get("kind")
    if kind == "screening_match":
        listed = (e.get("list") or {}).get("name") or (e.get("entry") or {}).get("source")
        matched = _words(e.get("party_name"), "~", e.get("listed_name"))
        return _words(matched, f"(list {listed})" if listed else None)
    if kind == "lost_or_stolen":
        return _words(
            e.get("status"), "chip", e.get("vendor"), e.get("serial"), "in", e.get("country")
        )
    if kind == "hq_in_licensed_destination":
        hq = e.get("ultimate_parent_hq")
        return _words("receiver's ultimate parent headquartered in", hq) if hq else ""
    if kind == "repeated_refusals" and e.get("refusals") is not None:
        return f"{e['refusals']} refused declarations in {e.get('window_days', 0):g} days"
    if kind == "certification_discrepancy" and e.get("discrepancies"):
        first = e["discrepancies"][0]
        more = len(e["discrepancies"]) - 1
        return _words(first.get("detail"), f"(+{more} more)" if more else None)
    if kind == "license_diversion" and e.get("chip_count") is not None:
        lic = (e.get("license") or {}).get("id")
        where = _words(e.get("party_name") or e.get("party_id"), "in", e.get("country"))
        return _words(f"{e['chip_count']} chips under", lic, "at", where, f"({e.get('event')})")
    if kind == "unconfirmed_receipt" and e.get("pending_days") is not None:
        return f"pending {e['pending_days']:.0f} days (limit {e.get('limit_days', 0):g})"
    return ""


def _flag_rows(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(f["id"], f["kind"], f["subject_id"], flag_evidence(f), f["status"]) for f in items]


FLAG_COLUMNS = ["id", "kind", "subject", "evidence", "status"]


def _show_flags(
    result: dict[str, Any], status: str | None, kind: str | None, as_json: bool, quiet: bool
) -> None:
    items = [
        f
        for f in result["items"]
        if (status is None or f["status"] == status) and (kind is None or f["kind"] == kind)
    ]
    if as_json:
        print_json({**result, "items": items})
    elif quiet:
        print_ids(f["id"] for f in items)
    else:
        print_table(FLAG_COLUMNS, _flag_rows(items), title=f"{len(items)} flags")


StatusFilter = Annotated[
    str | None,
    typer.Option(help="Only flags in this state (open, assigned, disputed, resolved, closed)."),
]
KindFilter = Annotated[
    str | None,
    typer.Option(
        help="Only flags of this kind (e.g. license_diversion, certification_discrepancy, "
        "screening_match, lost_or_stolen)."
    ),
]


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
        result = client.get("/v1/flags", limit=1000)
    _show_flags(result, status, kind, as_json, quiet)


@flags_app.command("list")
def list_flags(
    status: StatusFilter = None,
    kind: KindFilter = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """The flags you may see, with their evidence and history.

    The administrator sees all; a regulator, those touching its jurisdiction."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/flags", limit=1000)
    _show_flags(result, status, kind, as_json, quiet)


def _print_flag(flag: dict[str, Any]) -> None:
    print_table(FLAG_COLUMNS, _flag_rows([flag]))
    print_table(
        ["at", "action", "from", "to", "by", "reason", "entry"],
        [
            (h["at"], h["action"], h["from"], h["to"], h["by"], h["reason"], h["entry_id"])
            for h in flag["history"]
        ],
        title="history",
    )


@flags_app.command("show")
def show_flag(
    flag_id: Annotated[str, typer.Argument(help="The flag's id.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """One flag with its evidence and its history: who moved it to which state, why, when."""
    with connect(url, token, token_file) as client:
        result = client.get(f"/v1/flags/{flag_id}")
    if as_json:
        print_json(result)
        return
    _print_flag(result)


@flags_app.command("close")
def close_flag(
    flag_id: Annotated[str, typer.Argument(help="The flag's id.")],
    reason: Annotated[
        str, typer.Option(help="Why the flag is closed (required; kept in its history).")
    ],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Close a flag with a reason, as a regulator of the flagged party's jurisdiction.

    A signed action and a ledger entry. A closed screening match refuses no transfer."""
    if not reason.strip():
        raise InvalidInput("--reason must say why the flag is closed")
    with connect(url, token, token_file, key) as client:
        result = client.act("flag.close", "/v1/flags/close", {"flag_id": flag_id, "reason": reason})
    if as_json:
        print_json(result)
        return
    _print_flag(result["flag"])
