"""The semiconductor boom-bust cycle: an AR(2) model of log growth in world chip sales.

g_t = ln(S_t / S_{t-1});  g_t = c + phi1 g_{t-1} + phi2 g_{t-2} + e_t,  e_t ~ N(0, sigma^2),
fitted by ordinary least squares on the longest run of consecutive years in `data/sales.csv`.
Complex roots (phi1^2 + 4 phi2 < 0) mean a damped cycle with period 2 pi / arccos(phi1 / (2
sqrt(-phi2))). Simulated paths answer "what is the chance new capacity meets a down-cycle".
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from computegov.errors import InvalidInput
from computegov.supply.params import load_sales

Array = NDArray[np.float64]

PATHS = 10_000
"""Simulated sales paths behind every down-year probability unless a caller asks for others."""


@dataclass(frozen=True)
class CycleFit:
    """A fitted AR(2) on log growth, with the series' own moments for comparison."""

    c: float
    phi1: float
    phi2: float
    sigma: float
    n: int
    sample_mean: float
    sample_std: float
    first_year: int
    last_year: int
    last_growths: tuple[float, float]

    @property
    def mean(self) -> float:
        """The model's long-run mean log growth c / (1 - phi1 - phi2)."""
        return self.c / (1 - self.phi1 - self.phi2)

    @property
    def std(self) -> float:
        """The model's stationary standard deviation of log growth."""
        p1, p2 = self.phi1, self.phi2
        var = self.sigma**2 * (1 - p2) / ((1 + p2) * ((1 - p2) ** 2 - p1**2))
        return math.sqrt(var)

    @property
    def period_years(self) -> float | None:
        """Length of the cycle implied by complex roots; None when the roots are real."""
        if self.phi1**2 + 4 * self.phi2 >= 0:
            return None
        return 2 * math.pi / math.acos(self.phi1 / (2 * math.sqrt(-self.phi2)))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(
            model="AR(2) on log annual growth of world semiconductor sales (OLS)",
            mean=self.mean,
            std=self.std,
            period_years=self.period_years,
        )
        return d


def growth_series() -> tuple[list[int], Array]:
    """Years and log growth over the longest run of consecutive years in the sales series."""
    sales = load_sales()
    runs: list[list[int]] = [[0]]
    for i in range(1, len(sales)):
        if sales[i].year == sales[i - 1].year + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    best = max(runs, key=len)
    values = np.array([sales[i].sales_usd for i in best])
    years = [sales[i].year for i in best[1:]]
    return years, np.diff(np.log(values))


def fit_ar2(growth: Array, first_year: int = 0) -> CycleFit:
    """OLS fit of an AR(2) with intercept to a growth series."""
    g = np.asarray(growth, dtype=float)
    if g.size < 6:
        raise InvalidInput(f"need at least 6 growth values to fit an AR(2), got {g.size}")
    x = np.column_stack([np.ones(g.size - 2), g[1:-1], g[:-2]])
    y = g[2:]
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    sigma = float(np.sqrt(resid @ resid / (y.size - 3)))
    return CycleFit(
        c=float(coef[0]),
        phi1=float(coef[1]),
        phi2=float(coef[2]),
        sigma=sigma,
        n=int(g.size),
        sample_mean=float(g.mean()),
        sample_std=float(g.std(ddof=1)),
        first_year=first_year,
        last_year=first_year + g.size - 1,
        last_growths=(float(g[-2]), float(g[-1])),
    )


def fit_sales_cycle() -> CycleFit:
    """The AR(2) fitted to the packaged world sales series."""
    years, g = growth_series()
    return fit_ar2(g, first_year=years[0])


def simulate_growth(
    fit: CycleFit,
    paths: int,
    years: int,
    seed: int | None = 0,
    start: tuple[float, float] | None = None,
) -> Array:
    """Simulated log growth, shape (paths, years), from the last two observed growths or `start`.

    Shocks are drawn a year at a time, so a year's values depend on the seed and the number of
    paths only, never on how many years are simulated after it: `supply cycle --until 2035` and a
    scenario running to 2039 report the same odds for the years they share."""
    rng = np.random.default_rng(seed)
    g2, g1 = start if start is not None else fit.last_growths
    prev2 = np.full(paths, g2)
    prev1 = np.full(paths, g1)
    out = np.empty((paths, years))
    for t in range(years):
        shock = rng.normal(0.0, fit.sigma, size=paths)
        nxt = fit.c + fit.phi1 * prev1 + fit.phi2 * prev2 + shock
        out[:, t] = nxt
        prev2, prev1 = prev1, nxt
    return out


def downturn_probability(
    first_year: int, last_year: int, paths: int = PATHS, seed: int | None = 0
) -> list[dict[str, Any]]:
    """Per year, the chance world chip sales fall (the cycle a new fab would open into).

    The one computation of the down-year odds: `supply cycle` and `supply scenario` (through
    `run_scenario`) both call it, with `PATHS` paths by default, and get the same odds for one
    seed whatever years each asks for."""
    fit = fit_sales_cycle()
    ahead = last_year - fit.last_year
    if ahead < 1 or first_year <= fit.last_year:
        raise InvalidInput(f"cycle simulation starts after {fit.last_year}; got {first_year}")
    g = simulate_growth(fit, paths, ahead, seed)
    out = []
    for k in range(ahead):
        year = fit.last_year + 1 + k
        if year >= first_year:
            out.append(
                {
                    "year": year,
                    "p_down": float((g[:, k] < 0).mean()),
                    "median_growth": float(np.expm1(np.median(g[:, k]))),
                }
            )
    return out


def forecast_check(year: int = 2024) -> dict[str, Any]:
    """One-year-ahead check: the AR(2) fitted on data before `year` against the outcome and,
    where the parameter file has one, the published WSTS forecast for that year."""
    from computegov.supply.params import load_parameters

    years, g = growth_series()
    if year not in years or years.index(year) < 8:
        raise InvalidInput(f"forecast check needs a year from {years[8]} to {years[-1]}")
    k = years.index(year)
    fit = fit_ar2(g[:k], first_year=years[0])
    mean = fit.c + fit.phi1 * g[k - 1] + fit.phi2 * g[k - 2]
    wsts = load_parameters().get(f"wsts_forecast_growth_{year}")
    return {
        "year": year,
        "actual_growth": float(np.expm1(g[k])),
        "model_growth": float(np.expm1(mean)),
        "model_p5": float(np.expm1(mean - 1.645 * fit.sigma)),
        "model_p95": float(np.expm1(mean + 1.645 * fit.sigma)),
        "wsts_forecast_growth": None if wsts is None else wsts.central,
        "wsts_source": None if wsts is None else wsts.source,
    }
