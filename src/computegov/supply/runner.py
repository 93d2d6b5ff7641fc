"""Running a scenario under uncertainty: draws -> simulation -> per-year medians and 5-95% bands.

`run_scenario` returns plain data (dicts and lists) for notebooks, the CLI's JSON and the CSV;
`summary_csv` writes the per-year table behind every figure.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from computegov.csv_cells import write_csv
from computegov.supply.cycle import downturn_probability
from computegov.supply.montecarlo import Draws, central_parameters, draw_parameters, quantiles
from computegov.supply.params import load_sales
from computegov.supply.scenario import NOTHING_ONLINE, OUTPUT_UNITS, STAGES, binding_label, simulate
from computegov.supply.scenario_file import Scenario

Progress = Callable[[int, int], None]
CHUNK = 25_000


def _simulate_chunked(
    scenario: Scenario, draws: Draws, progress: Progress | None
) -> dict[str, np.ndarray]:
    n = len(next(iter(draws.values())))
    if progress is None:
        return simulate(scenario, draws)
    parts: list[dict[str, np.ndarray]] = []
    for start in range(0, n, CHUNK):
        sl = {k: v[start : start + CHUNK] for k, v in draws.items()}
        parts.append(simulate(scenario, sl))
        if progress is not None:
            progress(min(n, start + CHUNK), n)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _binding_summary(codes: np.ndarray, years: list[int]) -> list[dict[str, Any]]:
    out = []
    labels = (NOTHING_ONLINE, *range(len(STAGES)))
    n = codes.shape[0]
    counts = [
        np.bincount(codes[:, j].astype(np.int64) + 1, minlength=len(labels))
        for j in range(len(years))
    ]
    for j, year in enumerate(years):
        shares = {binding_label(c): float(counts[j][c + 1] / n) for c in labels}
        top = max(shares, key=lambda k: shares[k])
        out.append(
            {
                "year": year,
                "constraint": top,
                "share_of_draws": shares[top],
                "shares": {k: v for k, v in shares.items() if v > 0},
            }
        )
    return out


def run_scenario(
    scenario: Scenario,
    draws: int = 10_000,
    seed: int | None = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Monte Carlo run of a scenario: medians and 5-95% intervals per year, the binding constraint,
    the central-parameter path, the cycle's down-year odds and the registry's chip count."""
    sample = draw_parameters(draws, seed)
    out = _simulate_chunked(scenario, sample, progress)
    central = simulate(scenario, central_parameters(1))
    years = scenario.years
    outputs: dict[str, Any] = {}
    for name, unit in OUTPUT_UNITS.items():
        q = quantiles(out[name])
        outputs[name] = {
            "unit": unit,
            "p5": q[0].tolist(),
            "median": q[1].tolist(),
            "p95": q[2].tolist(),
            "central": central[name][0].tolist(),
        }
    binding = _binding_summary(out["binding"], years)
    production_binding = _binding_summary(out["production_binding"], years)
    first = next((b for b in binding if b["constraint"] != "nothing online yet"), None)
    last_sales_year = load_sales()[-1].year
    cycle = (
        downturn_probability(years[0], years[-1], seed=seed) if years[0] > last_sales_year else []
    )
    last = -1
    return {
        "scenario": scenario.to_dict(),
        "draws": draws,
        "seed": seed,
        "years": years,
        "outputs": outputs,
        "binding": binding,
        "binds_first": first,
        "production_binding": production_binding,
        "cycle_downturn": cycle,
        "registry": {
            "chips_installed_final_year_median": outputs["installed_units"]["median"][last],
            "chips_registered_final_year_median": outputs["registry_chips"]["median"][last],
            "chips_registered_peak_median": max(outputs["registry_chips"]["median"]),
            "chips_produced_cumulative_median": outputs["cumulative_produced"]["median"][last],
            "chips_produced_cumulative_p95": outputs["cumulative_produced"]["p95"][last],
        },
    }


def summary_rows(result: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The per-year table: year; median, p5, p95 of every output; the binding constraint."""
    cols = ["year"]
    for name in result["outputs"]:
        cols += [f"{name}_median", f"{name}_p5", f"{name}_p95"]
    cols += ["binding_constraint", "binding_share_of_draws"]
    rows: list[list[Any]] = []
    for j, year in enumerate(result["years"]):
        row: list[Any] = [year]
        for o in result["outputs"].values():
            row += [o["median"][j], o["p5"][j], o["p95"][j]]
        b = result["binding"][j]
        row += [b["constraint"], b["share_of_draws"]]
        rows.append(row)
    return cols, rows


def summary_csv(result: dict[str, Any], path: str | Path) -> Path:
    """Write the per-year table as CSV (the data behind every scenario figure)."""
    cols, rows = summary_rows(result)
    p = Path(path)
    with p.open("w", newline="", encoding="utf-8") as fh:
        write_csv(fh, cols, rows)
    return p
