"""One model, one answer: the chance that world chip sales fall in a year is the same whether
`supply cycle` or `supply scenario` reports it, for one seed, whatever horizon each simulates."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from computegov.cli import app
from computegov.supply.cycle import PATHS, downturn_probability
from computegov.supply.runner import run_scenario
from computegov.supply.scenario_file import default_scenario

runner = CliRunner()
SEEDS = (0, 1, 7, 2024)


def _odds(rows: list[dict]) -> dict[int, float]:
    return {r["year"]: r["p_down"] for r in rows}


def _shared(a: dict[int, float], b: dict[int, float]) -> list[int]:
    years = sorted(set(a) & set(b))
    assert len(years) >= 5, (a, b)
    return years


def _cli(*args: str) -> str:
    result = runner.invoke(app, ["supply", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("seed", SEEDS)
def test_library_odds_do_not_depend_on_the_horizon(seed: int) -> None:
    short = _odds(downturn_probability(2025, 2035, seed=seed))
    long = _odds(downturn_probability(2025, 2045, seed=seed))
    late = _odds(downturn_probability(2030, 2039, seed=seed))
    for year in _shared(short, long):
        assert short[year] == long[year], year
    for year in _shared(late, long):
        assert late[year] == long[year], year


@pytest.mark.parametrize("seed", SEEDS)
def test_run_scenario_reports_the_cycles_odds(seed: int) -> None:
    """The scenario (2025-2039) and the cycle's default horizon (to 2035) agree year by year."""
    scenario = _odds(run_scenario(default_scenario(), draws=50, seed=seed)["cycle_downturn"])
    cycle = _odds(downturn_probability(2025, 2035, paths=PATHS, seed=seed))
    for year in _shared(scenario, cycle):
        assert scenario[year] == cycle[year], year


@pytest.mark.parametrize("seed", SEEDS)
def test_supply_scenario_and_supply_cycle_print_the_same_odds(seed: int) -> None:
    s = str(seed)
    scenario = json.loads(_cli("scenario", "--draws", "50", "--seed", s, "--json"))
    cycle = json.loads(_cli("cycle", "--seed", s, "--json"))
    cycle_long = json.loads(_cli("cycle", "--seed", s, "--until", "2045", "--json"))
    a, b, c = (
        _odds(scenario["cycle_downturn"]),
        _odds(cycle["ahead"]),
        _odds(cycle_long["ahead"]),
    )
    for year in _shared(a, b):
        assert a[year] == b[year] == c[year], year


def test_the_printed_sentence_matches_the_cycle_table() -> None:
    """What a reader sees: the scenario's 'Chance world chip sales fall' line and the rows of
    `supply cycle` give the same percentage for each year."""
    text = _cli("scenario", "--draws", "50", "--seed", "3")
    line = next(x for x in text.splitlines() if x.startswith("Chance world chip sales fall"))
    from_scenario = dict(re.findall(r"(\d{4}): (\d+%)", line))
    table = _cli("cycle", "--seed", "3")
    from_cycle = dict(re.findall(r"│ (\d{4}) │ (\d+%)", table))
    assert from_scenario, line
    assert all(from_cycle[y] == p for y, p in from_scenario.items()), (line, from_cycle)
