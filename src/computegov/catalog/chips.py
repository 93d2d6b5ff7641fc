"""AI accelerators as catalog rows: the `ChipModel` record, the packaged CSV, and lookup by name.

The figures live in `data/accelerators.csv`, each row with its `source`; this module only reads
them. Rates in the file are dense (not sparse) peaks in TFLOP/s (TOP/s for INT8); a
`ChipModel` hands them out in FLOP/s so that callers never juggle prefixes.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from computegov.errors import InvalidInput, NotFound

#: Precision keys a caller may ask `peak_flops` for, narrowest first.
PRECISIONS: tuple[str, ...] = ("fp4", "fp8", "int8", "fp16", "bf16", "tf32", "fp32", "fp64")

_RATE_COLUMNS: dict[str, str] = {
    "fp4": "fp4_tflops",
    "fp8": "fp8_tflops",
    "int8": "int8_tops",
    "fp16": "fp16_tflops",
    "bf16": "bf16_tflops",
    "tf32": "tf32_tflops",
    "fp32": "fp32_tflops",
    "fp64": "fp64_tflops",
}
_TERA = 1e12


@dataclass(frozen=True)
class ChipModel:
    """One accelerator model with its public specs; unknown figures are None, never 0.

    `io_bandwidth_gbps` is the aggregate bidirectional I/O to ICs other than memory (NVLink or
    similar plus PCIe): the quantity the October 2022 rule tests. `die_area_mm2` sums all logic
    dies (HBM excluded); where only an upper bound is public it is in `die_area_max_mm2`.
    """

    vendor: str
    model: str
    aliases: tuple[str, ...]
    launch_year: int | None
    fp4_tflops: float | None
    fp8_tflops: float | None
    int8_tops: float | None
    fp16_tflops: float | None
    bf16_tflops: float | None
    tf32_tflops: float | None
    fp32_tflops: float | None
    fp64_tflops: float | None
    die_area_mm2: float | None
    die_area_max_mm2: float | None
    memory_gb: float | None
    memory_bandwidth_gbps: float | None
    io_bandwidth_gbps: float | None
    tdp_w: float | None
    price_usd: float | None
    datacenter: bool
    source: str
    notes: str = ""

    def peak_flops(self, precision: str) -> float | None:
        """Dense peak in FLOP/s (OP/s for int8) at `precision`, or None where unpublished."""
        column = _RATE_COLUMNS.get(precision.strip().lower())
        if column is None:
            raise InvalidInput(
                f"unknown precision: {precision!r}; use one of {', '.join(PRECISIONS)}"
            )
        tera: float | None = getattr(self, column)
        return None if tera is None else tera * _TERA

    def dense_tflops(self) -> dict[str, float]:
        """The published dense rates in TFLOP/s (TOP/s), keyed by precision, unknowns left out."""
        rates: dict[str, float] = {}
        for precision, column in _RATE_COLUMNS.items():
            value = getattr(self, column)
            if value is not None:
                rates[precision] = value
        return rates

    @property
    def name(self) -> str:
        """Vendor and model, as people say it: "NVIDIA H100 SXM"."""
        return f"{self.vendor} {self.model}"

    def to_dict(self) -> dict[str, Any]:
        """Every field, plus the precision rates by key, ready for JSON."""
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        return data


def _number(text: str, column: str, model: str) -> float | None:
    raw = text.strip()
    if not raw:
        return None
    value = float(raw)
    if value <= 0:
        # The data rule is "unknown stays empty, never 0": a zero is a data bug, not a spec.
        raise ValueError(f"accelerators.csv: {model} has {column}={raw}; leave unknowns empty")
    return value


def _row_to_chip(row: dict[str, str]) -> ChipModel:
    model = row["model"].strip()
    numbers = {
        column: _number(row[column], column, model)
        for column in (
            *_RATE_COLUMNS.values(),
            "die_area_mm2",
            "die_area_max_mm2",
            "memory_gb",
            "memory_bandwidth_gbps",
            "io_bandwidth_gbps",
            "tdp_w",
            "price_usd",
        )
    }
    datacenter = row["datacenter"].strip().lower()
    if datacenter not in ("yes", "no"):
        raise ValueError(f"accelerators.csv: {model} has datacenter={datacenter!r}; use yes/no")
    if not row["source"].strip():
        raise ValueError(f"accelerators.csv: {model} has no source")
    year = row["launch_year"].strip()
    return ChipModel(
        vendor=row["vendor"].strip(),
        model=model,
        aliases=tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
        launch_year=int(year) if year else None,
        datacenter=datacenter == "yes",
        source=row["source"].strip(),
        notes=row["notes"].strip(),
        **numbers,
    )


@lru_cache(maxsize=1)
def all_chips() -> list[ChipModel]:
    """Every accelerator in the packaged catalog, in file order (by vendor, then launch)."""
    text = resources.files("computegov.catalog").joinpath("data/accelerators.csv").read_text()
    return [_row_to_chip(row) for row in csv.DictReader(io.StringIO(text))]


def _key(name: str) -> str:
    """Names compare without case, spaces, hyphens or underscores: "h100-sxm" == "H100 SXM"."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@lru_cache(maxsize=1)
def _index() -> dict[str, ChipModel]:
    index: dict[str, ChipModel] = {}
    for chip in all_chips():
        for name in (chip.model, chip.name, *chip.aliases):
            key = _key(name)
            other = index.get(key)
            if other is not None and other is not chip:
                raise ValueError(
                    f"accelerators.csv: {name!r} names both {other.model} and {chip.model}"
                )
            index[key] = chip
    return index


def get_chip(name: str) -> ChipModel:
    """The catalog chip called `name` (its model or an alias, any case); NotFound otherwise."""
    chip = _index().get(_key(name))
    if chip is not None:
        return chip
    names = [c.model for c in all_chips()]
    close = difflib.get_close_matches(name.strip(), names, n=3, cutoff=0.4)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise NotFound(
        f"unknown chip: {name!r}; {hint}known models: {', '.join(names)} "
        "(aliases too; `computegov chips list` shows them)"
    )
