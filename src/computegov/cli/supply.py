"""`computegov supply`: The supply model: what a budget buys, from capital to compute.

Each command is a thin layer over one function in `computegov.supply`; `--json` prints its
plain data, `--csv FILE` writes the table behind the figure, and the tables people read come
from `computegov.supply.report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.csv_cells import write_csv
from computegov.errors import InvalidInput
from computegov.supply import report
from computegov.supply.budget import parse_budget
from computegov.supply.cycle import PATHS as CYCLE_PATHS
from computegov.supply.params import columns, parameter_table
from computegov.supply.scenario_file import Scenario, default_scenario, load_scenario, parse_years

app = typer.Typer(
    help="The supply model: what a budget buys, from capital to compute.", no_args_is_help=True
)

BUDGET_HELP = "Budget: 7e12, 7T, $7,000B, 7 trillion, 7万亿 (= 7e12 USD), €500B."
BUDGET_OPTION = typer.Option(None, "--budget", help=BUDGET_HELP + " Default: the file's.")
YEARS_OPTION = typer.Option(None, "--years", help="START-END, e.g. 2025-2040.")
DRAWS_OPTION = typer.Option(10_000, "--draws", help="Monte Carlo draws.")
SEED_OPTION = typer.Option(0, "--seed", help="Random seed (same seed, same result).")
CSV_OPTION = typer.Option(None, "--csv", help="Also write the data behind the output as CSV.")
FILE_OPTION = typer.Option(None, "--file", help="Scenario TOML (default: the 7T example).")
PLOT_OPTION = typer.Option(None, "--plot", help="Write a chart: FILE.png or FILE.svg.")
A_ARGUMENT = typer.Argument(..., help="First scenario TOML.")
B_ARGUMENT = typer.Argument(..., help="Second scenario TOML.")
PROGRESS_FROM = 50_000


def _write_csv(path: Path, cols: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        write_csv(fh, cols, rows)


def _print(*tables: report.Table) -> None:
    for t in tables:
        print_table(t.columns, t.rows, title=t.title)


def _scenario(file: Path | None, budget: str | None, years: str | None) -> Scenario:
    sc = load_scenario(file) if file is not None else default_scenario()
    if budget is not None:
        sc = sc.with_budget(parse_budget(budget))
    if years is not None:
        start, end = parse_years(years)
        sc = Scenario(**{**sc.to_dict(), "start_year": start, "end_year": end})
    return sc


@app.command("calc")
def calc_command(
    budget: str = typer.Option("7T", "--budget", help=BUDGET_HELP),
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
) -> None:
    """What a budget buys spent on one thing, and its scale against world chip sales."""
    from computegov.supply.calc import calculate

    result = calculate(parse_budget(budget))
    if csv_file is not None:
        _write_csv(csv_file, report.CALC_CSV_COLUMNS, report.calc_csv_rows(result))
    if as_json:
        print_json(result)
        return
    _print(*report.calc_tables(result))


def _run(sc: Scenario, draws: int, seed: int, show_progress: bool) -> dict[str, Any]:
    """run_scenario, with a rich progress bar on stderr for long runs."""
    from computegov.supply.runner import run_scenario

    if not show_progress:
        return run_scenario(sc, draws=draws, seed=seed)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"{draws:,} draws", total=draws)
        return run_scenario(
            sc, draws=draws, seed=seed, progress=lambda done, _: bar.update(task, completed=done)
        )


@app.command("scenario")
def scenario_command(
    budget: str | None = BUDGET_OPTION,
    years: str | None = YEARS_OPTION,
    draws: int = DRAWS_OPTION,
    seed: int = SEED_OPTION,
    file: Path | None = FILE_OPTION,
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
    plot: Path | None = PLOT_OPTION,
) -> None:
    """Simulate a build-out year by year: chips, compute, power, workers and what binds."""
    from computegov.supply.plot import check_plot_path, plot_scenario
    from computegov.supply.runner import summary_csv

    if plot is not None:
        check_plot_path(plot)
    sc = _scenario(file, budget, years)
    result = _run(sc, draws, seed, show_progress=not as_json and draws >= PROGRESS_FROM)
    if csv_file is not None:
        summary_csv(result, csv_file)
    if plot is not None:
        plot_scenario(result, plot)
    if as_json:
        print_json(result)
        return
    _print(report.scenario_table(result))
    for line in report.scenario_notes(result):
        typer.echo(line)
    for path in (csv_file, plot):
        if path is not None:
            typer.echo(f"wrote {path}")


@app.command("compare")
def compare_command(
    a: Path = A_ARGUMENT,
    b: Path = B_ARGUMENT,
    draws: int = DRAWS_OPTION,
    seed: int = SEED_OPTION,
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
) -> None:
    """Two scenarios side by side (same draws and seed): final-year medians and their ratio."""
    sa, sb = load_scenario(a), load_scenario(b)
    data = report.compare(_run(sa, draws, seed, False), _run(sb, draws, seed, False))
    if csv_file is not None:
        cols = report.COMPARE_COLUMNS
        _write_csv(csv_file, cols, [[r[c] for c in cols] for r in data["rows"]])
    if as_json:
        print_json(data)
        return
    _print(report.compare_table(data))


@app.command("sensitivity")
def sensitivity_command(
    output: str = typer.Option("installed_h100e", "--output", help="Which output to explain."),
    year: int | None = typer.Option(None, "--year", help="Year (default: the last)."),
    top: int = typer.Option(12, "--top", help="How many parameters to show."),
    budget: str | None = BUDGET_OPTION,
    years: str | None = YEARS_OPTION,
    file: Path | None = FILE_OPTION,
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
) -> None:
    """Tornado: which parameters move an output most (each from low to high, others central)."""
    from computegov.supply.sensitivity import tornado

    result = tornado(_scenario(file, budget, years), output=output, year=year, top=top)
    if csv_file is not None:
        cols = report.SENSITIVITY_CSV_COLUMNS
        _write_csv(csv_file, cols, [[bar[c] for c in cols] for bar in result["bars"]])
    if as_json:
        print_json(result)
        return
    _print(report.sensitivity_table(result))


@app.command("params")
def params_command(as_json: bool = JSON_OPTION, csv_file: Path | None = CSV_OPTION) -> None:
    """Every parameter with its range, unit and source."""
    table = parameter_table()
    if csv_file is not None:
        _write_csv(csv_file, columns(), [[r[c] for c in columns()] for r in table])
    if as_json:
        print_json(table)
        return
    _print(report.params_table(table))


@app.command("cycle")
def cycle_command(
    paths: int = typer.Option(CYCLE_PATHS, "--paths", help="Simulated revenue paths."),
    until: int = typer.Option(2035, "--until", help="Last simulated year."),
    seed: int = SEED_OPTION,
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
) -> None:
    """The boom-bust cycle: AR(2) fit to world chip sales and the odds of a down year ahead."""
    from computegov.supply.cycle import downturn_probability, fit_sales_cycle, forecast_check

    if paths < 1:
        raise InvalidInput(f"paths must be at least 1, got {paths}")
    fit = fit_sales_cycle()
    ahead = downturn_probability(fit.last_year + 1, until, paths=paths, seed=seed)
    if csv_file is not None:
        cols = ["year", "p_down", "median_growth"]
        _write_csv(csv_file, cols, [[r[c] for c in cols] for r in ahead])
    check = forecast_check(2024)
    if as_json:
        print_json(
            {
                "fit": fit.to_dict(),
                "ahead": ahead,
                "forecast_check": check,
                "paths": paths,
                "seed": seed,
            }
        )
        return
    _print(*report.cycle_tables(fit.to_dict(), ahead, paths, seed))
    wsts = check["wsts_forecast_growth"]
    typer.echo(
        f"{check['year']} one year ahead: AR(2) fitted to the years before said "
        f"{check['model_growth']:+.1%} (90%: {check['model_p5']:+.1%} to {check['model_p95']:+.1%})"
        + ("" if wsts is None else f", WSTS forecast {wsts:+.1%}")
        + f"; actual {check['actual_growth']:+.1%}."
    )


@app.command("backtest")
def backtest_command(
    draws: int = DRAWS_OPTION,
    seed: int = SEED_OPTION,
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
) -> None:
    """Run the packaging stage on past CoWoS capacity and compare with Epoch AI's shipments."""
    from computegov.supply.backtest import backtest

    result = backtest(draws, seed)
    if csv_file is not None:
        cols = list(result["years"][0])
        _write_csv(csv_file, cols, [[r[c] for c in cols] for r in result["years"]])
    if as_json:
        print_json(result)
        return
    _print(report.backtest_table(result))
    typer.echo(
        f"Mean absolute error: units {result['mean_abs_error_units']:.0%}, "
        f"H100e {result['mean_abs_error_h100e']:.0%}."
    )
