"""The supply model: what a budget buys, from capital to fabs to chips, compute, power, workers.

Every figure comes from `data/parameters.csv` (central, low, high, unit, source) or
`data/sales.csv`; the functions here return plain data (dicts, lists, numpy arrays) so a
notebook can use them as the CLI does.
"""

from __future__ import annotations

from computegov.supply.budget import parse_budget
from computegov.supply.calc import calculate
from computegov.supply.params import Parameter, load_parameters, load_sales, parameter
from computegov.supply.wafers import gross_dies_per_wafer, murphy_yield, poisson_yield

__all__ = [
    "Parameter",
    "calculate",
    "gross_dies_per_wafer",
    "load_parameters",
    "load_sales",
    "murphy_yield",
    "parameter",
    "parse_budget",
    "poisson_yield",
]
