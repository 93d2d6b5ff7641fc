"""What a server command says when it starts: the same lines for `computegov serve` and
`computegov ledger serve`, so an operator reads from either which database it uses, which log
it publishes (origin and verifier key, what every client needs to verify it), and where."""

from __future__ import annotations

import typer

from computegov.serving.ports import http_url
from computegov.store import Store


def database_shown(url: str) -> str:
    """The database URL as printed: with any password masked."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def announce_store(store: Store) -> None:
    """The files made private at start, the database, the log origin and its verifier key."""
    for path in store.tightened:
        typer.echo(f"computegov: made {path} private to the server's user (it was not)")
    typer.echo(f"computegov: database {database_shown(store.settings.url)}")
    typer.echo(f"computegov: log {store.origin}, verifier key {store.verifier_key}")


def announce_serving(host: str, port: int, extra: str = "API docs at /docs") -> None:
    """Where the server listens (printed just before uvicorn binds)."""
    typer.echo(f"computegov: serving on {http_url(host, port)}/ ({extra})")
