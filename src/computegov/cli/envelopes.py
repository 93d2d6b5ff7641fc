"""`computegov envelope`: sign an action to a file, and send a signed envelope as it is.

For people who want to see what is signed, to sign offline, or to check that a tampered
envelope is refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from computegov import ijson
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
from computegov.cli.output import print_json
from computegov.errors import InvalidInput

app = typer.Typer(help="Signed envelopes: sign an action, send one as it is.", no_args_is_help=True)


def _load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{what} is not JSON: {exc.msg} at line {exc.lineno}") from None


@app.command()
def sign(
    type: Annotated[str, typer.Argument(help="Envelope type, e.g. party.create.")],
    body: Annotated[str, typer.Option(help="The body as a JSON object.")],
    url: Url = DEFAULT_URL,
    key: KeyFile = None,
) -> None:
    """Print a signed envelope for this server (its origin and the local clock)."""
    try:
        data = ijson.loads(body)  # what is signed must have an RFC 8785 form
    except InvalidInput as exc:
        raise InvalidInput(f"--body: {exc.detail}") from None
    if not isinstance(data, dict):
        raise InvalidInput("--body must be a JSON object")
    with connect(url, None, None, key) as client:
        print_json(client.signed(type, data))


@app.command()
def send(
    path: Annotated[str, typer.Argument(help="API path, e.g. /v1/parties.")],
    envelope: Annotated[Path, typer.Argument(help="Signed envelope file, or - for stdin.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """POST a signed envelope unchanged and print the server's answer."""
    text = sys.stdin.read() if str(envelope) == "-" else envelope.read_text(encoding="utf-8")
    wire = _load_json(text, str(envelope))
    with connect(url, token, token_file) as client:
        print_json(client.send_signed(path, wire, dry_run=dry_run, idempotency_key=idempotency_key))
