"""Scenario files (TOML): what a plan spends, on what, over which years.

Keys (all optional; the defaults are the packaged `7T` example):

    name = "7T"                 # a label
    budget = "7T"               # any form parse_budget accepts, or a number in USD
    years = "2025-2039"         # the years simulated (inclusive)
    spend_years = 10            # the budget is spent evenly over this many years from the start
    fab_region = "TW"           # TW or US: fab capex and construction time
    euv_share = 0.5             # share of the world's new EUV scanners the plan can buy
    worker_share = 0.5          # share of the world's new semiconductor workers it can hire
    yield_model = "poisson"     # poisson (exp(-A D0)) or murphy
    [shares]                    # how the budget splits; must sum to 1
    fabs = 0.35
    packaging = 0.05
    memory = 0.20
    datacentres = 0.30
    power = 0.10
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from computegov.errors import InvalidInput
from computegov.supply.budget import parse_budget
from computegov.supply.wafers import YIELD_MODELS

SHARE_KEYS = ("fabs", "packaging", "memory", "datacentres", "power")
REGIONS = ("TW", "US")
_KEYS = {
    "name",
    "budget",
    "years",
    "spend_years",
    "fab_region",
    "euv_share",
    "worker_share",
    "yield_model",
    "shares",
}


def _default_shares() -> dict[str, float]:
    return {"fabs": 0.35, "packaging": 0.05, "memory": 0.20, "datacentres": 0.30, "power": 0.10}


@dataclass(frozen=True)
class Scenario:
    """A build-out plan: a budget, its split, the years, and how much of world supply it can get."""

    name: str = "default"
    budget_usd: float = 7e12
    start_year: int = 2025
    end_year: int = 2039
    spend_years: float = 10.0
    fab_region: str = "TW"
    euv_share: float = 0.5
    worker_share: float = 0.5
    yield_model: str = "poisson"
    shares: dict[str, float] = field(default_factory=_default_shares)

    def __post_init__(self) -> None:
        if self.budget_usd < 0:
            raise InvalidInput("budget must not be negative")
        if not 1900 < self.start_year <= self.end_year < 2200:
            raise InvalidInput(
                f"years {self.start_year}-{self.end_year}: use START-END with START <= END, "
                "e.g. 2025-2040"
            )
        if self.spend_years <= 0:
            raise InvalidInput(f"spend_years must be positive, got {self.spend_years}")
        if self.fab_region not in REGIONS:
            raise InvalidInput(f"fab_region {self.fab_region!r}: use one of {', '.join(REGIONS)}")
        for key in ("euv_share", "worker_share"):
            value = getattr(self, key)
            if not 0 < value <= 1:
                raise InvalidInput(f"{key} must be in (0, 1], got {value}")
        if self.yield_model not in YIELD_MODELS:
            raise InvalidInput(
                f"yield_model {self.yield_model!r}: use one of {', '.join(YIELD_MODELS)}"
            )
        unknown = set(self.shares) - set(SHARE_KEYS)
        if unknown:
            raise InvalidInput(
                f"unknown share(s) {', '.join(sorted(unknown))}; use {', '.join(SHARE_KEYS)}"
            )
        if any(v < 0 for v in self.shares.values()):
            raise InvalidInput("shares must not be negative")
        total = sum(self.shares.values())
        if abs(total - 1.0) > 1e-6:
            raise InvalidInput(f"shares must sum to 1, got {total:g} ({self.shares})")

    @property
    def years(self) -> list[int]:
        """The simulated calendar years, inclusive."""
        return list(range(self.start_year, self.end_year + 1))

    def share(self, key: str) -> float:
        """The budget share for one item (0 when the file leaves it out)."""
        return float(self.shares.get(key, 0.0))

    def with_budget(self, budget_usd: float) -> Scenario:
        """The same plan with another budget (for --budget and monotonicity checks)."""
        return replace(self, budget_usd=budget_usd)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)


def parse_years(text: str) -> tuple[int, int]:
    """'2025-2040' -> (2025, 2040); InvalidInput shows the accepted form."""
    parts = str(text).replace("–", "-").split("-")
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = int(parts[0]), int(parts[1])
    except ValueError:
        raise InvalidInput(f"cannot read years {text!r}; use START-END, e.g. 2025-2040") from None
    if start > end:
        raise InvalidInput(f"years {text!r}: START must not be after END")
    return start, end


def scenario_from_mapping(data: dict[str, Any]) -> Scenario:
    """A Scenario from parsed TOML; unknown keys are refused so typos do not pass silently."""
    unknown = set(data) - _KEYS
    if unknown:
        raise InvalidInput(
            f"unknown scenario key(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(_KEYS))}"
        )
    kwargs: dict[str, Any] = {}
    if "name" in data:
        kwargs["name"] = str(data["name"])
    if "budget" in data:
        b = data["budget"]
        kwargs["budget_usd"] = float(b) if isinstance(b, int | float) else parse_budget(str(b))
    if "years" in data:
        kwargs["start_year"], kwargs["end_year"] = parse_years(str(data["years"]))
    for key in ("spend_years", "euv_share", "worker_share"):
        if key in data:
            kwargs[key] = float(data[key])
    if "yield_model" in data:
        kwargs["yield_model"] = str(data["yield_model"]).lower()
    if "fab_region" in data:
        kwargs["fab_region"] = str(data["fab_region"]).upper()
    if "shares" in data:
        if not isinstance(data["shares"], dict):
            raise InvalidInput("[shares] must be a table of fabs, packaging, memory, ...")
        kwargs["shares"] = {str(k): float(v) for k, v in data["shares"].items()}
    return Scenario(**kwargs)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"scenario file {str(p)!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"scenario file {str(p)!r} is not valid TOML: {exc}") from None
    return scenario_from_mapping(data)


def default_scenario() -> Scenario:
    """The packaged example `data/7T.toml` (the same text as examples/7T.toml)."""
    text = resources.files("computegov.supply").joinpath("data", "7T.toml").read_text("utf-8")
    return scenario_from_mapping(tomllib.loads(text))
