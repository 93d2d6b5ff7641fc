"""The backtest reports an error against Epoch's shipments; the tornado ranks parameters."""

from __future__ import annotations

import math

from computegov.supply.backtest import backtest
from computegov.supply.params import load_shipments
from computegov.supply.scenario_file import default_scenario
from computegov.supply.sensitivity import tornado


def test_backtest_runs_and_reports_an_error() -> None:
    result = backtest(draws=2000, seed=0)
    assert [r["year"] for r in result["years"]] == [s["year"] for s in load_shipments()]
    for row in result["years"]:
        expected = row["predicted_units_median"] / row["actual_units"] - 1
        assert math.isclose(row["error_units"], expected)
        assert (
            row["predicted_units_p5"] <= row["predicted_units_median"] <= row["predicted_units_p95"]
        )
    errors = [abs(r["error_units"]) for r in result["years"]]
    assert math.isclose(result["mean_abs_error_units"], sum(errors) / len(errors))
    assert "ai-chip-counts" in result["series"]


def test_tornado_is_sorted_and_ignores_irrelevant_parameters() -> None:
    result = tornado(default_scenario(), output="installed_h100e")
    swings = [b["swing"] for b in result["bars"]]
    assert swings == sorted(swings, reverse=True)
    by_name = {b["parameter"]: b for b in result["bars"]}
    assert by_name["eur_usd"]["swing"] == 0  # euros play no part in the simulation
    assert (
        by_name["perf_growth_per_year"]["output_at_high"]
        > by_name["perf_growth_per_year"]["output_at_low"]
    )
    assert swings[0] > 0
