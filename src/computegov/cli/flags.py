"""`computegov flags`: the flags you may see (with their evidence and history), and the steps
of a flag's workflow, each a signed action: assign, comment, dispute, resolve, close."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from computegov.cli.connection import DEFAULT_URL, KeyFile, Token, TokenFile, Url, connect
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.errors import InvalidInput

flags_app = typer.Typer(
    help="Flags with their history; assign, comment, dispute, resolve or close one.",
    no_args_is_help=True,
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
    if kind == "attestation_exceeded" and e.get("attested_chip_hours") is not None:
        return (
            f"{e.get('attributed_chip_hours', 0):,.0f} chip-hours attributed > "
            f"{e['attested_chip_hours']:,.0f} attested (x{1 + e.get('tolerance', 0):g})"
        )
    if kind == "chips_not_held" and e.get("chips"):
        return f"{len(e['chips'])} claimed chips not held at the site during the run"
    if kind == "implausible_compute" and e.get("declared_flop") is not None:
        failed = ", ".join(c.get("check", "?") for c in e.get("checks", []))
        return _words(
            f"declared {e['declared_flop']:.3g} FLOP", f"fails {failed}" if failed else None
        )
    return ""


def _facts(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """The evidence's plain facts (figures, dates, ids, the rule), one per row; nested
    records are left to `--json`."""
    rows = []
    for name, value in evidence.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        rows.append((name, f"{value:,.6g}" if isinstance(value, float) else str(value)))
    return rows


def _flag_rows(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(f["id"], f["kind"], f["subject_id"], flag_evidence(f), f["status"]) for f in items]


FLAG_COLUMNS = ["id", "kind", "subject", "evidence", "status"]


def show_flags(result: dict[str, Any], as_json: bool, quiet: bool) -> None:
    """A page of flags as JSON, ids or a table."""
    items = result["items"]
    if as_json:
        print_json(result)
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


@flags_app.command("list")
def list_flags(
    status: StatusFilter = None,
    kind: KindFilter = None,
    assignee: Annotated[
        str | None, typer.Option(help="Only flags assigned to this official (a party id).")
    ] = None,
    mine: Annotated[
        bool, typer.Option("--mine", help="Only flags assigned to you, or flagging you.")
    ] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print the flags as CSV (one flat row each).")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """The flags you may see, with their evidence and history.

    The administrator sees all but those about confidential records; a regulator, those
    touching its jurisdiction; any other party, the flags on itself."""
    params: dict[str, Any] = {
        "status": status,
        "kind": kind,
        "assignee": assignee,
        "mine": "true" if mine else None,
    }
    with connect(url, token, token_file) as client:
        if as_csv:
            typer.echo(client.get_text("/v1/flags", format="csv", limit=1000, **params), nl=False)
            return
        result = client.get("/v1/flags", limit=1000, **params)
    show_flags(result, as_json, quiet)


def _print_flag(flag: dict[str, Any]) -> None:
    print_table(FLAG_COLUMNS, _flag_rows([flag]))
    facts = _facts(flag.get("evidence") or {})
    if facts:
        print_table(["field", "value"], facts, title="evidence (--json for all of it)")
    print_table(
        ["at", "action", "from", "to", "by", "reason", "entry"],
        [
            (h["at"], h["action"], h["from"], h["to"], h["by"], h["reason"], h["entry_id"])
            for h in flag["history"]
        ],
        title="history",
    )


FlagArg = Annotated[str, typer.Argument(help="The flag's id.")]


@flags_app.command("show")
def show_flag(
    flag_id: FlagArg,
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


def _step(
    action: str,
    body: dict[str, Any],
    url: str,
    token: str | None,
    token_file: Path | None,
    key: Path | None,
    as_json: bool,
) -> None:
    """Sign and send one step of a flag's workflow; print the flag with its history."""
    with connect(url, token, token_file, key) as client:
        result = client.act(action, f"/v1/flags/{action.removeprefix('flag.')}", body)
    if as_json:
        print_json(result)
        return
    _print_flag(result["flag"])


def _required(value: str, option: str, why: str) -> str:
    if not value.strip():
        raise InvalidInput(f"{option} must say {why}")
    return value


@flags_app.command("close")
def close_flag(
    flag_id: FlagArg,
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
    body = {"flag_id": flag_id, "reason": _required(reason, "--reason", "why it is closed")}
    _step("flag.close", body, url, token, token_file, key, as_json)


@flags_app.command("assign")
def assign_flag(
    flag_id: FlagArg,
    to: Annotated[
        str, typer.Option("--to", help="The official: a regulator party of the flag's countries.")
    ],
    reason: Annotated[str, typer.Option(help="Why (optional; kept in its history).")] = "",
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Assign a flag to an official, as a regulator of the flag's countries."""
    body = {"flag_id": flag_id, "assignee_id": to, "reason": reason}
    _step("flag.assign", body, url, token, token_file, key, as_json)


@flags_app.command("comment")
def comment_flag(
    flag_id: FlagArg,
    text: Annotated[str, typer.Option(help="The comment, kept in the flag's history.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Comment on a flag (a regulator of its countries, or the flagged party); its state
    does not change."""
    body = {"flag_id": flag_id, "text": _required(text, "--text", "something")}
    _step("flag.comment", body, url, token, token_file, key, as_json)


@flags_app.command("dispute")
def dispute_flag(
    flag_id: FlagArg,
    reason: Annotated[str, typer.Option(help="Why the flag is wrong (required).")],
    evidence: Annotated[
        Path,
        typer.Option(
            help="A JSON file: a list of {kind, reference, note} items (what each is, where "
            "it is found, what it shows)."
        ),
    ],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Dispute a flag on your party with a reason and evidence (the flagged party alone)."""
    try:
        items = json.loads(evidence.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read {evidence}: {exc.strerror}") from None
    except ValueError as exc:
        raise InvalidInput(f"{evidence} is not JSON: {exc}") from None
    body = {"flag_id": flag_id, "reason": _required(reason, "--reason", "why"), "evidence": items}
    _step("flag.dispute", body, url, token, token_file, key, as_json)


@flags_app.command("resolve")
def resolve_flag(
    flag_id: FlagArg,
    reason: Annotated[str, typer.Option(help="How it was resolved (required).")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Resolve a flag with a reason, as a regulator of the flag's countries."""
    body = {"flag_id": flag_id, "reason": _required(reason, "--reason", "how it was resolved")}
    _step("flag.resolve", body, url, token, token_file, key, as_json)
