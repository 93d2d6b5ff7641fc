"""Dies per wafer and the yield models, checked against hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from computegov.errors import InvalidInput
from computegov.supply.wafers import (
    die_yield,
    good_dies_per_wafer,
    gross_dies_per_wafer,
    murphy_yield,
    poisson_yield,
)


def test_814_mm2_die_gives_about_63_gross_dies_on_300_mm() -> None:
    # pi * 150^2 / 814 - pi * 300 / sqrt(1628) = 86.83 - 23.36 = 63.47
    assert gross_dies_per_wafer(814.0) == pytest.approx(63.47, abs=0.01)
    assert round(gross_dies_per_wafer(814.0)) == 63


def test_smaller_dies_give_more_per_wafer() -> None:
    areas = np.array([100.0, 400.0, 814.0])
    dies = gross_dies_per_wafer(areas)
    assert dies[0] > dies[1] > dies[2]


def test_poisson_yield_by_hand() -> None:
    # A = 8.14 cm2, D0 = 0.1/cm2: exp(-0.814) = 0.4431
    assert poisson_yield(814.0, 0.1) == pytest.approx(0.4431, abs=1e-4)
    assert poisson_yield(814.0, 0.05) == pytest.approx(math.exp(-0.407))


def test_murphy_yield_by_hand() -> None:
    # ((1 - exp(-0.814)) / 0.814)^2 = (0.55694 / 0.814)^2 = 0.46813
    assert murphy_yield(814.0, 0.1) == pytest.approx(0.46813, abs=1e-4)
    assert murphy_yield(814.0, 0.1) > poisson_yield(814.0, 0.1)


def test_good_dies_match_the_semianalysis_figures() -> None:
    assert good_dies_per_wafer(814.0, 0.1) == pytest.approx(28, abs=0.5)
    assert good_dies_per_wafer(814.0, 0.05) == pytest.approx(42, abs=0.5)


def test_unknown_yield_model_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidInput, match="poisson, murphy"):
        die_yield(814.0, 0.1, "seeds")


def test_calculator_prices_a_good_die_from_the_n3_wafer_price() -> None:
    from computegov.supply import calculate, parameter

    fab = calculate(7e12)["purchases"][2]["derived"]
    expected = parameter("wafer_price_n3").central / good_dies_per_wafer(
        parameter("accelerator_die_area_mm2").central, parameter("defect_density_per_cm2").central
    )
    assert fab["logic_cost_per_good_die_usd"] == pytest.approx(expected)
    assert 400 < fab["logic_cost_per_good_die_usd"] < 700  # ~$19k / ~36 good dies
