"""`computegov db`: The database: migrations."""

from __future__ import annotations

from pathlib import Path

import typer

from computegov.cli.output import JSON_OPTION, print_json, print_table

app = typer.Typer(help="The database: migrations.", no_args_is_help=True)

DATA_DIR = typer.Option(
    None, "--data-dir", help="Data directory (default ./computegov-data or COMPUTEGOV_DATA_DIR)."
)


def _settings(data_dir: Path | None) -> object:
    from computegov.store import Settings

    return Settings(data_dir=data_dir) if data_dir else Settings()


def _safe_url(url: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(url).render_as_string(hide_password=True)


@app.command()
def upgrade(data_dir: Path | None = DATA_DIR, as_json: bool = JSON_OPTION) -> None:
    """Apply the database migrations (COMPUTEGOV_DATABASE_URL, default SQLite in the data dir)."""
    from computegov.store import Settings
    from computegov.store.db import make_engine
    from computegov.store.migrate import current_revision
    from computegov.store.migrate import upgrade as run_upgrade
    from computegov.store.permissions import secure_data_files

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    secure_data_files(settings)
    engine = make_engine(settings.url)
    try:
        before = current_revision(engine)
        run_upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    data = {"database": _safe_url(settings.url), "from": before, "to": after}
    if as_json:
        print_json(data)
    else:
        print_table(
            ["database", "from", "to"],
            [[data["database"], before, after]],
            title="Migrations applied",
        )


@app.command()
def current(data_dir: Path | None = DATA_DIR, as_json: bool = JSON_OPTION) -> None:
    """Show the revision the database is at and the newest one this package ships."""
    from computegov.store import Settings
    from computegov.store.db import make_engine
    from computegov.store.migrate import current_revision, head_revision

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    engine = make_engine(settings.url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    data = {
        "database": _safe_url(settings.url),
        "current": revision,
        "head": head,
        "up_to_date": revision == head,
    }
    if as_json:
        print_json(data)
    else:
        print_table(
            ["database", "current", "head", "up to date"],
            [[data["database"], revision, head, "yes" if revision == head else "no"]],
        )
