"""`computegov parties` and `computegov tokens`: who acts in the registry."""

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
from computegov.cli.keys import public_key_of
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.secrets import write_secret

app = typer.Typer(
    help="Parties: regulators, manufacturers, distributors, cloud providers, developers.",
    no_args_is_help=True,
)
tokens_app = typer.Typer(help="API tokens: issue and revoke.", no_args_is_help=True)

ROLES_HELP = (
    "regulator, manufacturer, distributor, cloud_provider, ai_developer, auditor or test_lab"
)


def _party_rows(parties: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            p["id"],
            p["legal_name"],
            p["role"],
            p["country"],
            p["hq_country"],
            ",".join(p["jurisdiction"]),
            len([k for k in p["keys"] if not k["revoked_at"]]),
        )
        for p in parties
    ]


PARTY_COLUMNS = ["id", "legal name", "role", "country", "hq", "jurisdiction", "active keys"]


@app.command()
def create(
    role: Annotated[str, typer.Option(help=ROLES_HELP)],
    name: Annotated[str, typer.Option(help="Legal name.")],
    country: Annotated[str, typer.Option(help="Country of the party (ISO alpha-2).")],
    party_key: Annotated[
        Path, typer.Option("--party-key", help="The new party's key file (its public key is sent).")
    ],
    hq: Annotated[
        str | None, typer.Option(help="Headquarters country (default: --country).")
    ] = None,
    parent: Annotated[str | None, typer.Option(help="Parent party id (ownership).")] = None,
    parent_share: Annotated[
        float | None,
        typer.Option(
            "--parent-share",
            help="Percent of the new party its parent owns (0 < share <= 100; needs --parent).",
        ),
    ] = None,
    jurisdiction: Annotated[
        list[str] | None, typer.Option(help="A regulator's country; repeat for several.")
    ] = None,
    alias: Annotated[list[str] | None, typer.Option(help="Another name; repeatable.")] = None,
    save_token: Annotated[
        Path | None, typer.Option(help="Write the new party's API token to this file (0600).")
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a party (as the administrator, or a regulator within its jurisdiction).

    Prints the new party's API token once: give it to the party.
    """
    body: dict[str, Any] = {
        "legal_name": name,
        "role": role,
        "country": country,
        "public_keys": [public_key_of(party_key)],
    }
    if hq:
        body["hq_country"] = hq
    if parent:
        body["parent_id"] = parent
    if parent_share is not None:
        body["parent_share"] = parent_share
    if jurisdiction:
        body["jurisdiction"] = jurisdiction
    if alias:
        body["aliases"] = alias
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "party.create", "/v1/parties", body, dry_run=dry_run, idempotency_key=idempotency_key
        )
    if save_token is not None and "token" in result:
        write_secret(save_token, result["token"])
    if as_json:
        print_json(result)
        return
    print_table(PARTY_COLUMNS, _party_rows([result["party"]]))
    token_shown = result.get("token") or result.get("withheld", {}).get("token")
    if save_token is not None and "token" in result:
        token_shown = f"written to {save_token} (not shown)"  # a saved secret stays off screens
    rows = [("entry id", result.get("entry_id", "(dry run)")), ("token", token_shown)]
    rows += [("flag", f["kind"] + ": " + f["evidence"]["listed_name"]) for f in result["flags"]]
    print_table(["", ""], rows)


@app.command("list")
def list_parties(
    role: Annotated[str | None, typer.Option(help="Only this role.")] = None,
    country: Annotated[
        str | None, typer.Option(help="Only parties in or headquartered here.")
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List the parties you may see."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/parties", role=role, country=country, limit=1000)
    if as_json:
        print_json(result)
    elif quiet:
        print_ids(p["id"] for p in result["items"])
    else:
        print_table(PARTY_COLUMNS, _party_rows(result["items"]), title=f"{result['total']} parties")


@app.command()
def show(
    party_id: Annotated[str, typer.Argument(help="Party id.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """One party with its keys and its ultimate parent."""
    with connect(url, token, token_file) as client:
        result = client.get(f"/v1/parties/{party_id}")
    if as_json:
        print_json(result)
        return
    print_table(PARTY_COLUMNS, _party_rows([result]))
    print_table(
        ["key id", "created", "revoked", "replaced by"],
        [(k["key_id"], k["created_at"], k["revoked_at"], k["replaced_by"]) for k in result["keys"]],
    )
    chain = result.get("parent_chain") or []
    if chain:
        print_table(
            ["party", "owned by", "share"],
            [
                (
                    link["id"],
                    link["owned_by"],
                    "not stated"
                    if link["share_percent"] is None
                    else f"{link['share_percent']:g}%",
                )
                for link in chain
            ],
            title="ownership",
        )


@tokens_app.command("create")
def create_token(
    party: Annotated[str, typer.Option("--party", help="The party the token is for.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Issue an API token (shown once)."""
    with connect(url, token, token_file, key) as client:
        result = client.act("token.create", "/v1/tokens", {"party_id": party, "label": label})
    print_json(result) if as_json else print_table(["", ""], list(result.items()))


@tokens_app.command("revoke")
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="Token id (tok_...).")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Revoke an API token."""
    with connect(url, token, token_file, key) as client:
        result = client.act("token.revoke", "/v1/tokens/revoke", {"token_id": token_id})
    print_json(result) if as_json else print_table(["", ""], list(result.items()))
