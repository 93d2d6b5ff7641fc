"""The packaged parameter file and sales series: each figure with a central value, range, source."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from computegov.errors import NotFound

_COLUMNS = ["name", "central", "low", "high", "unit", "source", "note"]


@dataclass(frozen=True)
class Parameter:
    """One model input: central value, low and high bounds (the Monte Carlo range), unit, source."""

    name: str
    central: float
    low: float
    high: float
    unit: str
    source: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SalesYear:
    """World semiconductor sales in one calendar year (SIA/WSTS), with where the figure was read."""

    year: int
    sales_usd: float
    source: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("computegov.supply").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def load_parameters() -> dict[str, Parameter]:
    """All parameters by name, read from `data/parameters.csv`; checks low <= central <= high."""
    out: dict[str, Parameter] = {}
    for row in _read("parameters.csv"):
        p = Parameter(
            name=row["name"],
            central=float(row["central"]),
            low=float(row["low"]),
            high=float(row["high"]),
            unit=row["unit"],
            source=row["source"],
            note=row["note"] or "",
        )
        if not p.low <= p.central <= p.high:
            raise ValueError(f"parameter {p.name}: need low <= central <= high")
        if not p.source:
            raise ValueError(f"parameter {p.name} has no source")
        out[p.name] = p
    return out


def parameter(name: str) -> Parameter:
    """One parameter by name; NotFound lists the known names."""
    params = load_parameters()
    try:
        return params[name]
    except KeyError:
        raise NotFound(
            f"unknown supply parameter {name!r}; known: {', '.join(sorted(params))}"
        ) from None


def central(name: str) -> float:
    """The central value of a parameter."""
    return parameter(name).central


@lru_cache(maxsize=1)
def load_sales() -> tuple[SalesYear, ...]:
    """The annual world semiconductor sales series, in year order."""
    rows = [
        SalesYear(int(r["year"]), float(r["sales_usd"]), r["source"], r["note"] or "")
        for r in _read("sales.csv")
    ]
    return tuple(sorted(rows, key=lambda s: s.year))


def sales_in(year: int) -> SalesYear:
    """World chip sales in one year; NotFound names the years the series holds."""
    for s in load_sales():
        if s.year == year:
            return s
    years = ", ".join(str(s.year) for s in load_sales())
    raise NotFound(f"no world semiconductor sales figure for {year}; the series has {years}")


def load_shipments() -> list[dict[str, Any]]:
    """Epoch AI's accelerator shipments (one consistent series) used by the backtest."""
    return [
        {
            "year": int(r["year"]),
            "designers": r["designers"],
            "units": float(r["units"]),
            "h100e": float(r["h100e"]),
            "source": r["source"],
            "note": r["note"],
        }
        for r in _read("shipments.csv")
    ]


def parameter_table() -> list[dict[str, Any]]:
    """Every parameter as a plain dict, in file order: what `computegov supply params` prints."""
    return [p.to_dict() for p in load_parameters().values()]


def columns() -> list[str]:
    """The parameter file's columns, in order."""
    return list(_COLUMNS)
