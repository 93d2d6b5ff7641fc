"""The headline arithmetic, read from the parameter file, against published magnitudes."""

from __future__ import annotations

import math

import pytest

from computegov.supply import calculate, parameter
from computegov.supply.params import load_parameters, sales_in

SEVEN_T = 7e12


def _purchase(result: dict, unit: str) -> dict:
    return next(p for p in result["purchases"] if p["unit"] == unit)


def test_accelerators_are_budget_over_price_about_200_million() -> None:
    price = parameter("accelerator_price_usd")
    acc = _purchase(calculate(SEVEN_T), "accelerators")
    assert acc["central"] == pytest.approx(SEVEN_T / price.central)
    assert acc["low"] == pytest.approx(SEVEN_T / price.high)
    assert acc["high"] == pytest.approx(SEVEN_T / price.low)
    assert acc["central"] == pytest.approx(200e6, rel=0.01)  # the published "200 million"


def test_fabs_are_budget_over_20_billion_about_350() -> None:
    per_10k = parameter("fab_capex_per_10k_wspm_tw").central
    module = parameter("fab_module_wspm").central
    fabs = _purchase(calculate(SEVEN_T), "fabs")
    assert fabs["central"] == pytest.approx(SEVEN_T / (per_10k * module / 1e4))
    assert fabs["central"] == pytest.approx(350, rel=0.01)
    assert fabs["derived"]["wafer_starts_per_month"] == pytest.approx(fabs["central"] * module)


def test_budget_is_about_13_times_2023_world_chip_sales() -> None:
    yard = {y["yardstick"]: y for y in calculate(SEVEN_T)["yardsticks"]}
    row = yard["world semiconductor sales 2023"]
    assert row["multiple"] == pytest.approx(SEVEN_T / sales_in(2023).sales_usd)
    assert row["multiple"] == pytest.approx(13.3, abs=0.1)


def test_power_of_200_million_accelerators_matches_the_research_note() -> None:
    derived = _purchase(calculate(SEVEN_T), "accelerators")["derived"]
    n = SEVEN_T / parameter("accelerator_price_usd").central
    assert derived["chip_power_gw"] == pytest.approx(n * parameter("chip_power_w").central / 1e9)
    assert derived["chip_power_gw"] == pytest.approx(140, rel=0.01)  # 200M x 700 W
    assert derived["allin_power_gw"] == pytest.approx(340, rel=0.01)  # 200M x 1.7 kW


def test_data_centre_gigawatts_use_capex_per_gw() -> None:
    dc = _purchase(calculate(SEVEN_T), "GW")
    assert dc["central"] == pytest.approx(SEVEN_T / parameter("dc_capex_per_gw_it").central)
    assert 180 < dc["central"] < 200  # $7T at $35-38B per GW of IT capacity


def test_every_line_names_parameters_that_exist_and_have_sources() -> None:
    params = load_parameters()
    result = calculate(SEVEN_T)
    for line in result["purchases"]:
        assert line["parameters"]
        for name in line["parameters"]:
            assert params[name].source
    for line in result["yardsticks"]:
        assert line["source"]


def test_calculator_is_monotone_in_budget() -> None:
    budgets = [1e9, 1e11, 1e12, 7e12, 2e13]
    values = [[p["central"] for p in calculate(b)["purchases"]] for b in budgets]
    for earlier, later in zip(values, values[1:], strict=False):
        assert all(b > a for a, b in zip(earlier, later, strict=True))


def test_parameter_file_rows_are_complete() -> None:
    for p in load_parameters().values():
        assert p.low <= p.central <= p.high
        assert p.unit and p.source
        assert math.isfinite(p.central)


def test_owning_the_chain_buys_accelerators_at_manufacturing_cost() -> None:
    cost = parameter("accelerator_manufacturing_cost_usd")
    line = calculate(SEVEN_T)["purchases"][1]
    assert line["parameters"] == ["accelerator_manufacturing_cost_usd"]
    assert line["central"] == pytest.approx(SEVEN_T / cost.central)
    assert line["central"] == pytest.approx(2.1e9, rel=0.02)  # $7T / ~$3,320


def test_sales_series_has_a_source_for_every_year_and_the_published_totals() -> None:
    from computegov.supply.params import load_sales

    sales = load_sales()
    assert all(s.source for s in sales)
    assert [s.year for s in sales] == sorted({s.year for s in sales})
    assert sales_in(2023).sales_usd == 526.8e9 and sales_in(2024).sales_usd == 627.6e9
