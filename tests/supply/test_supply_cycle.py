"""The AR(2) cycle: recovers known coefficients and reproduces the sales series' moments."""

from __future__ import annotations

import numpy as np

from computegov.supply.cycle import (
    CycleFit,
    downturn_probability,
    fit_ar2,
    fit_sales_cycle,
    forecast_check,
    growth_series,
    simulate_growth,
)


def _synthetic(c: float, phi1: float, phi2: float, sigma: float, n: int) -> np.ndarray:
    rng = np.random.default_rng(42)
    g = np.zeros(n + 200)
    for t in range(2, g.size):
        g[t] = c + phi1 * g[t - 1] + phi2 * g[t - 2] + rng.normal(0, sigma)
    return g[200:]


def test_fit_recovers_known_ar2_coefficients() -> None:
    fit = fit_ar2(_synthetic(0.05, 0.3, -0.4, 0.1, 20_000))
    assert abs(fit.phi1 - 0.3) < 0.03
    assert abs(fit.phi2 + 0.4) < 0.03
    assert abs(fit.c - 0.05) < 0.01
    assert abs(fit.sigma - 0.1) < 0.005
    assert abs(fit.mean - 0.05 / 1.1) < 0.005


def test_series_is_the_longest_consecutive_run() -> None:
    years, g = growth_series()
    assert years == list(range(years[0], years[-1] + 1))
    assert len(g) == len(years) >= 20
    # 2001: 139 after 204 in 2000 (the worst year); 2024: +19.1%
    assert np.expm1(g[years.index(2001)]) < -0.3
    assert abs(np.expm1(g[years.index(2024)]) - 0.191) < 0.002


def test_simulated_paths_reproduce_mean_growth_and_volatility() -> None:
    fit = fit_sales_cycle()
    n = fit.n
    paths = simulate_growth(fit, 20_000, n + 50, seed=1, start=(fit.mean, fit.mean))[:, 50:]
    means = paths.mean(axis=1)
    stds = paths.std(axis=1, ddof=1)
    # The observed series' moments lie inside the model's own 2.5-97.5% sampling range.
    assert np.quantile(means, 0.025) < fit.sample_mean < np.quantile(means, 0.975)
    assert np.quantile(stds, 0.025) < fit.sample_std < np.quantile(stds, 0.975)


def test_sales_cycle_is_a_cycle_of_a_few_years() -> None:
    fit = fit_sales_cycle()
    assert isinstance(fit, CycleFit)
    assert fit.period_years is not None and 3 <= fit.period_years <= 6


def test_downturn_probabilities_are_probabilities() -> None:
    rows = downturn_probability(2026, 2035, paths=5000, seed=0)
    assert [r["year"] for r in rows] == list(range(2026, 2036))
    assert all(0 < r["p_down"] < 1 for r in rows)
    assert rows == downturn_probability(2026, 2035, paths=5000, seed=0)


def test_forecast_check_compares_the_model_with_wsts_and_the_outcome() -> None:
    check = forecast_check(2024)
    assert abs(check["actual_growth"] - 0.191) < 0.002
    assert check["wsts_forecast_growth"] == 0.16
    assert check["model_p5"] < check["model_growth"] < check["model_p95"]
