"""Backtest: the packaging stage of the chain, run on past CoWoS capacity, against shipments.

The model's production stage (packages = CoWoS wafers x 12 x packages per wafer) is fed with
TSMC's reported year-end CoWoS capacity (the year's average taken as the mean of the previous and
current year ends), scaled by the share of CoWoS the tracked designers hold, and compared with one
consistent shipment series: Epoch AI's ai-chip-counts (NVIDIA + Google TPU + AMD, calendar-year
units and H100-equivalents). The error is (predicted median - actual) / actual.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from computegov.supply.montecarlo import draw_parameters, quantiles
from computegov.supply.params import load_shipments, parameter
from computegov.supply.scenario import packaging_output


def backtest(draws: int = 10_000, seed: int | None = 0) -> dict[str, Any]:
    """Predicted against actual accelerator shipments for each year of the shipment series."""
    p = draw_parameters(draws, seed)
    rows = []
    for ship in load_shipments():
        y = ship["year"]
        cap = (p[f"cowos_capacity_wpm_{y - 1}"] + p[f"cowos_capacity_wpm_{y}"]) / 2
        units = (
            packaging_output(cap, p["cowos_packages_per_wafer"])
            * p["cowos_share_tracked_designers"]
        )
        h100e = units * p["perf_growth_per_year"] ** (y - p["perf_reference_year"])
        qu, qh = quantiles(units), quantiles(h100e)
        rows.append(
            {
                "year": y,
                "designers": ship["designers"],
                "actual_units": ship["units"],
                "predicted_units_median": float(qu[1]),
                "predicted_units_p5": float(qu[0]),
                "predicted_units_p95": float(qu[2]),
                "error_units": float(qu[1] / ship["units"] - 1),
                "actual_h100e": ship["h100e"],
                "predicted_h100e_median": float(qh[1]),
                "error_h100e": float(qh[1] / ship["h100e"] - 1),
                "actual_within_5_95": bool(qu[0] <= ship["units"] <= qu[2]),
            }
        )
    return {
        "start_year": rows[0]["year"] - 1,
        "series": load_shipments()[0]["source"],
        "capacity_source": [
            parameter(f"cowos_capacity_wpm_{y}").source for y in (2023, 2024, 2025)
        ],
        "years": rows,
        "mean_abs_error_units": float(np.mean([abs(r["error_units"]) for r in rows])),
        "mean_abs_error_h100e": float(np.mean([abs(r["error_h100e"]) for r in rows])),
        "draws": draws,
        "seed": seed,
    }
