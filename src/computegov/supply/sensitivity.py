"""Tornado analysis: which parameters move an output most.

One parameter at a time goes to its low and then its high bound with every other parameter at
its central value; the swing is the difference in the output. All runs go through `simulate` in
one vectorised call (one row per setting).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from computegov.errors import InvalidInput
from computegov.supply.params import load_parameters
from computegov.supply.scenario import OUTPUT_UNITS, simulate
from computegov.supply.scenario_file import Scenario


def tornado(
    scenario: Scenario,
    output: str = "installed_h100e",
    year: int | None = None,
    top: int | None = None,
) -> dict[str, Any]:
    """Swing of `output` in `year` (default: the last) as each parameter spans its range."""
    if output not in OUTPUT_UNITS:
        raise InvalidInput(f"unknown output {output!r}; use one of {', '.join(OUTPUT_UNITS)}")
    years = scenario.years
    if year is None:
        year = years[-1]
    if year not in years:
        raise InvalidInput(f"year {year} is outside the scenario's years {years[0]}-{years[-1]}")
    j = years.index(year)
    params = load_parameters()
    varied = [name for name, p in params.items() if p.high > p.low]
    rows = 1 + 2 * len(varied)
    draws = {name: np.full(rows, p.central) for name, p in params.items()}
    for i, name in enumerate(varied):
        draws[name][1 + 2 * i] = params[name].low
        draws[name][2 + 2 * i] = params[name].high
    values = simulate(scenario, draws)[output][:, j]
    base = float(values[0])
    bars: list[dict[str, Any]] = []
    for i, name in enumerate(varied):
        lo, hi = float(values[1 + 2 * i]), float(values[2 + 2 * i])
        bars.append(
            {
                "parameter": name,
                "low_value": params[name].low,
                "high_value": params[name].high,
                "unit": params[name].unit,
                "output_at_low": lo,
                "output_at_high": hi,
                "swing": abs(hi - lo),
                "source": params[name].source,
            }
        )
    bars.sort(key=lambda b: b["swing"], reverse=True)
    if top is not None:
        bars = bars[:top]
    return {
        "output": output,
        "unit": OUTPUT_UNITS[output],
        "year": year,
        "base": base,
        "bars": bars,
    }
