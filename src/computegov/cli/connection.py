"""Options every command that talks to a registry server shares, and the client they make."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from computegov.client import RegistryClient
from computegov.errors import InvalidInput
from computegov.store.signer import Ed25519FileSigner, KeyFileError

DEFAULT_URL = "http://127.0.0.1:8000"

Url = Annotated[str, typer.Option("--url", envvar="COMPUTEGOV_URL", help="The registry server.")]
Token = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="COMPUTEGOV_TOKEN", help="API token (bearer).", show_default=False
    ),
]
TokenFile = Annotated[
    Path | None,
    typer.Option(
        "--token-file", envvar="COMPUTEGOV_TOKEN_FILE", help="File holding the API token."
    ),
]
KeyFile = Annotated[
    Path | None,
    typer.Option("--key", envvar="COMPUTEGOV_KEY", help="The acting party's Ed25519 key file."),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Run every check on the server, write nothing.")
]
IdempotencyKey = Annotated[
    str | None,
    typer.Option("--idempotency-key", help="A retry with the same key returns the first result."),
]


VERIFIER_KEY_ENV = "COMPUTEGOV_VERIFIER_KEY"


def verifier_key_option(name: str, help: str, *, required: bool = False) -> Any:
    """An option taking the log's verifier key (vkey), read from COMPUTEGOV_VERIFIER_KEY when
    not given."""
    return typer.Option(
        ... if required else None, name, envvar=VERIFIER_KEY_ENV, help=help, show_default=False
    )


def connect(
    url: str, token: str | None, token_file: Path | None, key: Path | None = None
) -> RegistryClient:
    """A client for `url` with the token (given or read from a file) and the key file."""
    if token is None and token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InvalidInput(f"cannot read the token file {token_file}: {exc.strerror}") from None
    signer = None
    if key is not None:
        try:
            signer = Ed25519FileSigner.load(key)
        except KeyFileError as exc:
            raise InvalidInput(str(exc)) from None
    return RegistryClient(url, token=token, signer=signer)
