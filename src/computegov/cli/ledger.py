"""`computegov ledger`: The tamper-evident ledger: serve it, verify it, prove entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from computegov.cli.connection import verifier_key_option
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.errors import ComputegovError

app = typer.Typer(
    help="The tamper-evident ledger: serve it, verify it, prove entries.", no_args_is_help=True
)

DATA_DIR = typer.Option(
    None, "--data-dir", help="Data directory (default ./computegov-data or COMPUTEGOV_DATA_DIR)."
)
URL = typer.Option(
    ...,
    "--url",
    envvar="COMPUTEGOV_URL",
    help="Base URL of the log, e.g. http://127.0.0.1:8000.",
)
STATE = typer.Option(
    None,
    "--state",
    help="File holding the last checkpoint seen, as the signed note the log served (e.g. "
    "last-checkpoint.note): checked for consistency, then replaced by the new one.",
)
OPENING = typer.Option(
    None, "--opening", help='JSON {"id", "type", "record", "salt"} to check against the leaf.'
)


CHIP = typer.Option(
    None,
    "--chip",
    help="A chip's attestation JSON (`computegov chips attestation VENDOR SERIAL --json`): "
    "check that the opened registration entry registers this chip (its manifest's root and "
    "the chip's path in it, or, for entries written before batching, the chip it names).",
)


def _check_chip(path: Path, opening: dict[str, Any]) -> str:
    """What --chip proved, or Inconsistency when the opened entry does not register it."""
    import json

    from computegov.errors import InvalidInput
    from computegov.ledger import merkle
    from computegov.ledger.client import Inconsistency
    from computegov.registry.chips import reads

    try:
        served = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the chip attestation {path}: {exc}") from None
    chip, membership = reads.chip_and_membership(served if isinstance(served, dict) else {})
    try:
        reads.check_registration(opening["record"], chip, membership)
    except merkle.ProofError as exc:
        raise Inconsistency(
            f"the entry does not register {chip['vendor']} {chip['serial']}: {exc}"
        ) from None
    how = "manifest path" if "manifest" in opening["record"] else "per-chip entry"
    return f"{chip['vendor']} {chip['serial']} registered ({how})"


def _fail(kind: str, exc: Exception, code: int) -> typer.Exit:
    typer.echo(f"{kind}: {exc}", err=True)
    return typer.Exit(code)


def _open(data_dir: Path | None) -> Any:
    from computegov.store import Settings, open_store

    try:
        return open_store(Settings(data_dir=data_dir) if data_dir else Settings())
    except ComputegovError as exc:
        raise _fail("error", exc, 1) from None


def _show(data: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        print_json(data)
    else:
        print_table(["check", "result"], [[k, v] for k, v in data.items()], title=title)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Serve the ledger alone (tiles, checkpoint, /v1/log) and integrate in the background.

    Prints, as `computegov serve` does, the database, the log's origin and verifier key (what
    a client needs to verify it) and where it serves. A busy port is refused before anything
    is opened or written."""
    import uvicorn

    from computegov.cli.banner import announce_serving, announce_store
    from computegov.ledger.http import ledger_app
    from computegov.serving import uvicorn_config
    from computegov.serving.ports import refuse_busy_port
    from computegov.store.permissions import private_umask

    refuse_busy_port(host, port, commands=("computegov ledger serve --port {port}",))
    private_umask()  # as `computegov serve`: the log key, checkpoint and database are private
    store = _open(data_dir)
    announce_store(store)
    announce_serving(host, port, "checkpoint at /checkpoint, API docs at /docs")
    try:
        config = uvicorn_config(ledger_app(store), host=host, port=port, settings=store.settings)
        uvicorn.Server(config).run()
    finally:
        store.close()


@app.command()
def status(data_dir: Path | None = DATA_DIR, as_json: bool = JSON_OPTION) -> None:
    """The local log: origin, verifier key, size, and entries waiting to be integrated."""
    from computegov.ledger.log import log_status

    store = _open(data_dir)
    try:
        data = log_status(store)
    finally:
        store.close()
    _show(data, as_json, "Ledger")


@app.command()
def verify(
    url: str = URL,
    key: str = verifier_key_option(
        "--key", "The log's verifier key (vkey) you pinned.", required=True
    ),
    state: Path | None = STATE,
    full: bool = typer.Option(False, "--full", help="Rebuild the whole tree from every entry."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Monitor a log: its signature, its consistency with the last checkpoint seen.

    With --full, every entry is checked too. Exit 1 on a detected inconsistency."""
    import httpx

    from computegov.ledger.client import Inconsistency, verify_log

    try:
        data = verify_log(url, key, state_file=state, full=full)
    except Inconsistency as exc:
        raise _fail("inconsistency", exc, 1) from None
    except httpx.HTTPError as exc:
        raise _fail("error", exc, 2) from None
    _show(data, as_json, "Log verified")


@app.command()
def prove(
    url: str = URL,
    index: int = typer.Option(..., "--index", min=0, help="Log index of the entry."),
    opening: Path | None = OPENING,
    key: str | None = verifier_key_option("--key", "Pinned verifier key (recommended)."),
    chip: Path | None = CHIP,
    as_json: bool = JSON_OPTION,
) -> None:
    """Check that an entry is in the log, and that an opening matches its commitment.

    With --chip, check also that the opened registration entry registers that chip. Exit 1 on
    a detected inconsistency."""
    import httpx

    from computegov.ledger.client import Inconsistency, prove_entry, read_opening

    data_opening = read_opening(opening) if opening else None
    if chip is not None and data_opening is None:
        raise _fail("error", ValueError("--chip needs the entry's --opening"), 2)
    try:
        data = prove_entry(url, index, opening=data_opening, vkey=key)
        if chip is not None and data_opening is not None:
            data["chip"] = _check_chip(chip, data_opening)
    except Inconsistency as exc:
        raise _fail("inconsistency", exc, 1) from None
    except httpx.HTTPError as exc:
        raise _fail("error", exc, 2) from None
    except ComputegovError as exc:
        raise _fail("error", exc, 2) from None
    _show(data, as_json, f"Entry {index} proved")
