"""Where computegov keeps its state: one settings object read from the environment."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ORIGIN = "localhost/computegov"


class Settings(BaseSettings):
    """Every persistence setting, from `COMPUTEGOV_*` environment variables or arguments.

    `database_url` defaults to a SQLite file in the data directory; key and checkpoint paths
    default to files beside it, so one directory holds a whole embedded deployment.
    """

    model_config = SettingsConfigDict(env_prefix="COMPUTEGOV_", extra="ignore")

    data_dir: Path = Path("computegov-data")
    database_url: str | None = None
    log_origin: str = DEFAULT_ORIGIN
    log_key_path: Path | None = None
    checkpoint_path: Path | None = None

    @property
    def url(self) -> str:
        """The SQLAlchemy URL in force (the SQLite default when none was given)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'computegov.db').resolve()}"

    @property
    def key_file(self) -> Path:
        """The log's Ed25519 private key file (mode 0600)."""
        return self.log_key_path or self.data_dir / "log.key"

    @property
    def checkpoint_file(self) -> Path:
        """The copy of the latest signed checkpoint kept outside the database."""
        return self.checkpoint_path or self.data_dir / "checkpoint"
