"""Where computegov keeps its state, and the limits its servers enforce: one settings object
read from the environment."""

from __future__ import annotations

from pathlib import Path

from limits import parse_many
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ORIGIN = "localhost/computegov"
KIB = 1024
MIB = 1024 * KIB
TOKENLESS_BODY_MAX = 4 * KIB  # a route that takes no token never takes more than this


class Settings(BaseSettings):
    """Every persistence setting and every HTTP limit, from `COMPUTEGOV_*` environment
    variables or arguments.

    `database_url` defaults to a SQLite file in the data directory; key and checkpoint paths
    default to files beside it, so one directory holds a whole embedded deployment. The limits
    (body sizes, deadlines, request rates) hold per server process; rates are `limits` strings
    such as `"1200/minute"` or `"20/second;1000/hour"`.
    """

    model_config = SettingsConfigDict(env_prefix="COMPUTEGOV_", extra="ignore")

    data_dir: Path = Path("computegov-data")
    database_url: str | None = None
    log_origin: str = DEFAULT_ORIGIN
    log_key_path: Path | None = None
    checkpoint_path: Path | None = None

    # HTTP limits (docs/security.md says why each exists)
    body_limit_bytes: int = Field(default=1 * MIB, gt=0)
    manifest_body_limit_bytes: int = Field(default=128 * MIB, gt=0)
    tokenless_body_limit_bytes: int = Field(default=TOKENLESS_BODY_MAX, gt=0, le=TOKENLESS_BODY_MAX)
    header_timeout_s: float = Field(default=10.0, gt=0)
    body_timeout_s: float = Field(default=30.0, gt=0)
    manifest_body_timeout_s: float = Field(default=300.0, gt=0)
    rate_limit_token: str = "1200/minute"
    rate_limit_address: str = "3000/minute"
    rate_limit_tokenless: str = "60/minute"
    rate_limit_device: str = "10/minute"

    @field_validator(
        "rate_limit_token", "rate_limit_address", "rate_limit_tokenless", "rate_limit_device"
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate; give COUNT/PERIOD such as '1200/minute' or "
                "'20/second;1000/hour' (periods: second, minute, hour, day)"
            ) from None
        return value

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
