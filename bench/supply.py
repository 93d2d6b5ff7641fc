"""Benchmark: the supply scenario with 100,000 Monte Carlo draws over 15 years (goal: < 1 s).

Run by hand: `.venv/bin/python bench/supply.py`. Prints the best of several repeats for the
whole run (draws, simulation, quantiles, binding summary, cycle odds) and for its parts.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from computegov.supply.montecarlo import draw_parameters, quantiles
from computegov.supply.runner import run_scenario
from computegov.supply.scenario import simulate
from computegov.supply.scenario_file import default_scenario

DRAWS = 100_000
REPEATS = 5


def best(fn: Callable[[], Any], repeats: int = REPEATS) -> float:
    """Fastest wall time of `repeats` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    sc = default_scenario()
    assert len(sc.years) == 15
    draws = draw_parameters(DRAWS, seed=0)
    out = simulate(sc, draws)
    print(f"python {platform.python_version()}, numpy {np.__version__}")
    print(f"{DRAWS:,} draws x {len(sc.years)} years")
    print(f"draw parameters     {best(lambda: draw_parameters(DRAWS, seed=0)):.3f} s")
    print(f"simulate            {best(lambda: simulate(sc, draws)):.3f} s")
    print(f"quantiles (all out) {best(lambda: [quantiles(v) for v in out.values()]):.3f} s")
    print(f"run_scenario total  {best(lambda: run_scenario(sc, draws=DRAWS, seed=0)):.3f} s")


if __name__ == "__main__":
    main()
