"""`computegov serve`: the registry server with its dashboard, and client-side ledger reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from computegov.cli.connection import DEFAULT_URL, Token, TokenFile, Url, connect
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.errors import ComputegovError, InvalidInput


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Data directory (default ./computegov-data or COMPUTEGOV_DATA_DIR; with "
            "--demo, ./computegov-demo)."
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Open the demo world (built on first start, in its own data directory and "
            "log; never a real registry's). docs/demo.md says what it holds.",
        ),
    ] = False,
) -> None:
    """Run the registry server (with --demo: the demo world): API, dashboard and ledger.

    The API is under /v1, the dashboard at /, the ledger at /checkpoint and /tile/. Uses the
    embedded SQLite database in the data directory unless COMPUTEGOV_DATABASE_URL names
    PostgreSQL.

    The first start writes the administrator's key and token into the data directory, which is
    kept 0700 with its database files 0600; a start refuses files another user owns.

    With --demo: a world of today's chips, parties, licenses, transfers and flags
    (docs/demo.md), every demo party's key and token in computegov-demo/parties/.
    """
    import uvicorn

    if demo:
        from computegov.demo.serving import serve_demo

        try:
            serve_demo(host, port, data_dir, typer.echo)
        except (ComputegovError, FileExistsError) as exc:
            if isinstance(exc, InvalidInput):
                raise
            raise InvalidInput(str(exc)) from None
        return

    from computegov.api.app import create_app
    from computegov.cli.banner import announce_serving, announce_store
    from computegov.registry.parties.bootstrap import ensure_administrator
    from computegov.registry.reporting.retention import erase_expired
    from computegov.serving import uvicorn_config
    from computegov.serving.ports import refuse_busy_port
    from computegov.store import Settings, open_store
    from computegov.store.permissions import private_umask

    # before anything is opened or written: a busy port is an error, not a half-start
    refuse_busy_port(
        host, port, commands=("make serve PORT={port}", "computegov serve --port {port}")
    )
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    private_umask()  # what the server writes from now on (WAL, checkpoint, keys) is private
    try:
        store = open_store(settings)
        admin = ensure_administrator(store)
        erased = erase_expired(store)  # records past their retention period (one indexed query)
    except (ComputegovError, FileExistsError) as exc:
        raise InvalidInput(str(exc)) from None
    said = "wrote" if admin.created else "uses"
    announce_store(store)
    if erased:
        typer.echo(f"computegov: erased {len(erased)} identity attestations past retention")
    typer.echo(f"computegov: administrator {admin.party_id}; {said} token {admin.token_path}")
    typer.echo(f"computegov: administrator key {admin.key_path}")
    announce_serving(host, port)
    try:
        config = uvicorn_config(create_app(store), host=host, port=port, settings=store.settings)
        uvicorn.Server(config).run()
    finally:
        store.close()


def opening(
    entry_id: Annotated[str, typer.Argument(help="Ledger entry id (as an action returned it).")],
    out: Annotated[Path | None, typer.Option(help="Write the opening to this file.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Fetch an entry's opening (record and salt), if you may read it; for `ledger prove`."""
    with connect(url, token, token_file) as client:
        data = client.get(f"/v1/log/openings/{entry_id}")
        status = client.get(f"/v1/log/pending/{entry_id}")
    if out is not None:
        out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if as_json:
        print_json({**data, "index": status.get("index")})
        return
    envelope = data["record"].get("envelope", {}).get("envelope", {})
    print_table(
        ["field", "value"],
        [
            ("entry id", data["id"]),
            ("type", data["type"]),
            ("log index", status.get("index")),
            (
                "signed by key",
                data["record"].get("envelope", {}).get("signature", {}).get("key_id"),
            ),
            ("time", envelope.get("time")),
            ("written to", out),
        ],
    )
