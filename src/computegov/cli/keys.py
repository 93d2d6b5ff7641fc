"""`computegov keys`: make a party's key, and register, rotate or revoke keys on a server."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

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
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.errors import InvalidInput
from computegov.identity.keys import encode_public_key, key_id
from computegov.store.signer import Ed25519FileSigner, KeyFileError

app = typer.Typer(
    help="Ed25519 keys of parties: generate, register, rotate, revoke.", no_args_is_help=True
)


def generate_key_file(path: Path) -> dict[str, str]:
    """Write a new Ed25519 key file (mode 0600) and return its key id and public key."""
    try:
        signer = Ed25519FileSigner.generate(path)
    except KeyFileError as exc:
        raise InvalidInput(str(exc)) from None
    raw = signer.public_key_bytes()
    return {"path": str(path), "key_id": key_id(raw), "public_key": encode_public_key(raw)}


def public_key_of(path: Path) -> str:
    """The public key (wire form) of a key file."""
    try:
        return encode_public_key(Ed25519FileSigner.load(path).public_key_bytes())
    except KeyFileError as exc:
        raise InvalidInput(str(exc)) from None


def _show_key(data: Mapping[str, object], as_json: bool) -> None:
    if as_json:
        print_json(data)
    else:
        print_table(["field", "value"], [(k, v) for k, v in data.items()])


@app.command()
def generate(
    out: Annotated[Path, typer.Argument(help="Where to write the key file (must not exist).")],
    as_json: bool = JSON_OPTION,
) -> None:
    """Generate an Ed25519 key file (mode 0600) and print its key id and public key."""
    _show_key(generate_key_file(out), as_json)


@app.command()
def register(
    party: Annotated[str, typer.Option("--party", help="The party the key is for.")],
    new_key: Annotated[Path, typer.Option("--new-key", help="Key file of the new key.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Register another key for a party (signed with one of its current keys)."""
    body = {"party_id": party, "public_key": public_key_of(new_key)}
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "key.register", "/v1/keys", body, dry_run=dry_run, idempotency_key=idempotency_key
        )
    _show_key(result if as_json else {**result["key"], "entry_id": result.get("entry_id")}, as_json)


@app.command()
def rotate(
    old: Annotated[str, typer.Option("--old", help="Key id to retire.")],
    new_key: Annotated[Path, typer.Option("--new-key", help="Key file of the new key.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Replace a key: register the new one and revoke the old one in one signed action."""
    body = {"old_key_id": old, "public_key": public_key_of(new_key)}
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "key.rotate", "/v1/keys/rotate", body, dry_run=dry_run, idempotency_key=idempotency_key
        )
    _show_key(result if as_json else {**result["key"], "entry_id": result.get("entry_id")}, as_json)


@app.command()
def revoke(
    key_id_: Annotated[str, typer.Argument(metavar="KEY_ID", help="The key to revoke.")],
    reason: Annotated[str, typer.Option(help="Why (recorded).")] = "",
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Revoke a key from now on; signatures it made before stay verifiable."""
    body = {"key_id": key_id_, "reason": reason}
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "key.revoke", "/v1/keys/revoke", body, dry_run=dry_run, idempotency_key=idempotency_key
        )
    _show_key(result if as_json else {**result["key"], "entry_id": result.get("entry_id")}, as_json)
