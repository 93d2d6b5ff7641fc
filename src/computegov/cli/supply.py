"""`computegov supply`: The supply model: what a budget buys, from capital to compute.

Each command is a thin layer over one function in `computegov.supply`; `--json` prints its
plain data, `--csv FILE` writes the table behind the figure.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.errors import InvalidInput
from computegov.supply.budget import format_usd, parse_budget
from computegov.supply.params import columns, parameter_table
from computegov.supply.scenario_file import Scenario, default_scenario, load_scenario, parse_years

app = typer.Typer(
    help="The supply model: what a budget buys, from capital to compute.", no_args_is_help=True
)

BUDGET_HELP = "Budget: 7e12, 7T, $7,000B, 7 trillion, 7万亿 (= 7e12 USD), €500B."
CSV_OPTION = typer.Option(None, "--csv", help="Also write the data behind the output as CSV.")
FILE_OPTION = typer.Option(None, "--file", help="Scenario TOML (default: the 7T example).")
PLOT_OPTION = typer.Option(None, "--plot", help="Write a chart: FILE.png or FILE.svg.")
A_ARGUMENT = typer.Argument(..., help="First scenario TOML.")
B_ARGUMENT = typer.Argument(..., help="Second scenario TOML.")
PROGRESS_FROM = 50_000


def _num(value: float) -> str:
    """A compact number for tables: 3 significant figures with k/M/B/T."""
    if value is None:
        return ""
    if abs(value) >= 1e15:
        return f"{value:.3g}"
    for size, mark in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{mark}"
    return f"{value:.3g}"


def _write_csv(path: Path, cols: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        writer.writerows(rows)


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
    rows = [
        [
            p["item"],
            _num(p["central"]),
            _num(p["low"]),
            _num(p["high"]),
            p["unit"],
            format_usd(p["unit_cost_usd"]),
            ", ".join(p["parameters"]),
        ]
        for p in result["purchases"]
    ]
    yard = [
        [y["yardstick"], format_usd(y["value_usd"]), f"{y['multiple']:.3g}x", y["source"]]
        for y in result["yardsticks"]
    ]
    if csv_file is not None:
        _write_csv(
            csv_file,
            [
                "kind",
                "item",
                "central",
                "low",
                "high",
                "unit",
                "unit_cost_usd",
                "parameters",
                "source",
            ],
            [
                [
                    "purchase",
                    p["item"],
                    p["central"],
                    p["low"],
                    p["high"],
                    p["unit"],
                    p["unit_cost_usd"],
                    " ".join(p["parameters"]),
                    p["source"],
                ]
                for p in result["purchases"]
            ]
            + [
                [
                    "yardstick",
                    y["yardstick"],
                    y["multiple"],
                    "",
                    "",
                    "x",
                    y["value_usd"],
                    "",
                    y["source"],
                ]
                for y in result["yardsticks"]
            ],
        )
    if as_json:
        print_json(result)
        return
    print_table(
        ["spent wholly on", "central", "low", "high", "unit", "unit cost", "parameters"],
        rows,
        title=f"What {format_usd(result['budget_usd'])} buys",
    )
    acc, fab = result["purchases"][0]["derived"], result["purchases"][1]["derived"]
    print_table(
        ["derived", "value", "parameters"],
        [
            ["accelerators: chip-level power", f"{acc['chip_power_gw']:.3g} GW", "chip_power_w"],
            ["accelerators: all-in power", f"{acc['allin_power_gw']:.3g} GW", "allin_power_w"],
            [
                "accelerators: electricity",
                format_usd(acc["electricity_usd_per_year"]) + "/yr",
                "electricity_usd_per_kwh",
            ],
            [
                "accelerators: FLOP/s per dollar (H100)",
                f"{acc['flops_per_dollar']:.3g}",
                "h100_dense_bf16_flops, accelerator_price_usd",
            ],
            [
                "accelerators: 1e25 / 1e26 FLOP runs a year",
                f"{_num(acc['runs_1e25_per_year'])} / {_num(acc['runs_1e26_per_year'])}",
                "mfu (whole fleet, one year)",
            ],
            [
                "accelerators: peak dense BF16",
                f"{acc['peak_flops']:.3g} FLOP/s",
                "h100_dense_bf16_flops",
            ],
            ["fabs: wafer starts/month", _num(fab["wafer_starts_per_month"]), "fab_module_wspm"],
            ["fabs: x TSMC N3 capacity", f"{fab['tsmc_n3_multiple']:.3g}x", "tsmc_n3_wspm"],
            ["fabs: operators needed", _num(fab["operators_needed"]), "fab_wspm_per_worker"],
            ["fabs: EUV scanners needed", _num(fab["euv_scanners_needed"]), "wspm_per_euv_scanner"],
            [
                "fabs: years of world EUV output",
                f"{fab['years_of_world_euv_output']:.3g}",
                "euv_tools_per_year",
            ],
            [
                "fabs: gross / good dies per 814 mm2 wafer",
                f"{fab['gross_dies_per_wafer']:.1f} / {fab['good_dies_per_wafer']:.1f}",
                "accelerator_die_area_mm2, defect_density_per_cm2 (Poisson)",
            ],
        ],
        title="Behind the lines",
    )
    print_table(["yardstick", "value", "budget is", "source"], yard, title="Scale")


def _progress_run(sc: Scenario, draws: int, seed: int, show: bool) -> dict[str, Any]:
    from computegov.supply.runner import run_scenario

    if not show:
        return run_scenario(sc, draws=draws, seed=seed)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"{draws:,} draws", total=draws)
        return run_scenario(
            sc,
            draws=draws,
            seed=seed,
            progress=lambda done, total: bar.update(task, completed=done),
        )


_SHOWN = (
    ("accelerators_produced", "produced/yr", True),
    ("installed_units", "installed", False),
    ("installed_h100e", "installed H100e", True),
    ("peak_flops", "peak FLOP/s", False),
    ("chip_power_gw", "chip GW", False),
    ("allin_power_gw", "all-in GW", True),
    ("electricity_usd", "electricity $/yr", False),
    ("workers_needed", "workers", False),
    ("runs_1e26_per_year", "1e26 runs/yr", False),
)


def _cell(o: dict[str, Any], j: int, interval: bool) -> str:
    if not interval:
        return _num(o["median"][j])
    return f"{_num(o['median'][j])} ({_num(o['p5'][j])}-{_num(o['p95'][j])})"


@app.command("scenario")
def scenario_command(
    budget: str | None = typer.Option(None, "--budget", help=BUDGET_HELP),
    years: str | None = typer.Option(None, "--years", help="START-END, e.g. 2025-2040."),
    draws: int = typer.Option(10_000, "--draws", help="Monte Carlo draws."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same result)."),
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
    result = _progress_run(sc, draws, seed, show=not as_json and draws >= PROGRESS_FROM)
    if csv_file is not None:
        summary_csv(result, csv_file)
    if plot is not None:
        plot_scenario(result, plot)
    if as_json:
        print_json(result)
        return
    outs = result["outputs"]
    rows = []
    for j, year in enumerate(result["years"]):
        rows.append(
            [str(year)]
            + [_cell(outs[k], j, iv) for k, _, iv in _SHOWN]
            + [result["binding"][j]["constraint"], result["production_binding"][j]["constraint"]]
        )
    print_table(
        ["year"] + [label for _, label, _ in _SHOWN] + ["binds (installs)", "binds (chips)"],
        rows,
        title=f"Scenario {sc.name}: {format_usd(sc.budget_usd)}, median (5-95%), "
        f"{draws:,} draws, seed {seed}",
    )
    first = result["binds_first"]
    if first is not None:
        typer.echo(
            f"Binds first: {first['constraint']} in {first['year']} "
            f"({first['share_of_draws']:.0%} of draws)."
        )
    reg = result["registry"]
    typer.echo(
        f"Registry: {_num(reg['chips_produced_cumulative_median'])} chips produced by "
        f"{result['years'][-1]} (p95 {_num(reg['chips_produced_cumulative_p95'])}), "
        f"{_num(reg['chips_installed_final_year_median'])} installed at the end."
    )
    if result["cycle_downturn"]:
        downs = ", ".join(f"{c['year']}: {c['p_down']:.0%}" for c in result["cycle_downturn"][:6])
        typer.echo(f"Chance world chip sales fall (AR(2) cycle): {downs}")
    for path in (csv_file, plot):
        if path is not None:
            typer.echo(f"wrote {path}")


@app.command("compare")
def compare_command(
    a: Path = A_ARGUMENT,
    b: Path = B_ARGUMENT,
    draws: int = typer.Option(10_000, "--draws"),
    seed: int = typer.Option(0, "--seed"),
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
) -> None:
    """Two scenarios side by side (same draws and seed): final-year medians and their ratio."""
    from computegov.supply.runner import run_scenario

    sa, sb = load_scenario(a), load_scenario(b)
    ra, rb = run_scenario(sa, draws, seed), run_scenario(sb, draws, seed)
    rows = []
    for key, o in ra["outputs"].items():
        va, vb = o["median"][-1], rb["outputs"][key]["median"][-1]
        rows.append([key, o["unit"], va, vb, (vb / va) if va else None])
    data = {
        "a": sa.to_dict(),
        "b": sb.to_dict(),
        "year_a": ra["years"][-1],
        "year_b": rb["years"][-1],
        "draws": draws,
        "seed": seed,
        "binds_first_a": ra["binds_first"],
        "binds_first_b": rb["binds_first"],
        "rows": [
            dict(zip(["output", "unit", "a_median", "b_median", "b_over_a"], r, strict=True))
            for r in rows
        ],
    }
    if csv_file is not None:
        _write_csv(csv_file, ["output", "unit", "a_median", "b_median", "b_over_a"], rows)
    if as_json:
        print_json(data)
        return
    print_table(
        ["output (final year)", "unit", sa.name, sb.name, "b/a"],
        [[r[0], r[1], _num(r[2]), _num(r[3]), "" if r[4] is None else f"{r[4]:.3g}"] for r in rows],
        title=f"{sa.name} vs {sb.name}, median, seed {seed}",
    )


@app.command("sensitivity")
def sensitivity_command(
    output: str = typer.Option("installed_h100e", "--output", help="Which output to explain."),
    year: int | None = typer.Option(None, "--year", help="Year (default: the last)."),
    top: int = typer.Option(12, "--top", help="How many parameters to show."),
    budget: str | None = typer.Option(None, "--budget", help=BUDGET_HELP),
    years: str | None = typer.Option(None, "--years"),
    file: Path | None = FILE_OPTION,
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
) -> None:
    """Tornado: which parameters move an output most (each from low to high, others central)."""
    from computegov.supply.sensitivity import tornado

    result = tornado(_scenario(file, budget, years), output=output, year=year, top=top)
    cols = [
        "parameter",
        "low_value",
        "high_value",
        "unit",
        "output_at_low",
        "output_at_high",
        "swing",
        "source",
    ]
    if csv_file is not None:
        _write_csv(csv_file, cols, [[b[c] for c in cols] for b in result["bars"]])
    if as_json:
        print_json(result)
        return
    print_table(
        ["parameter", "range", f"{output} at low", "at high", "swing"],
        [
            [
                b["parameter"],
                f"{_num(b['low_value'])}-{_num(b['high_value'])}",
                _num(b["output_at_low"]),
                _num(b["output_at_high"]),
                _num(b["swing"]),
            ]
            for b in result["bars"]
        ],
        title=f"{output} in {result['year']} ({result['unit']}); central {_num(result['base'])}",
    )


@app.command("params")
def params_command(as_json: bool = JSON_OPTION, csv_file: Path | None = CSV_OPTION) -> None:
    """Every parameter with its range, unit and source."""
    table = parameter_table()
    if csv_file is not None:
        _write_csv(csv_file, columns(), [[r[c] for c in columns()] for r in table])
    if as_json:
        print_json(table)
        return
    print_table(
        ["name", "central", "low", "high", "unit", "source"],
        [
            [
                r["name"],
                f"{r['central']:.4g}",
                f"{r['low']:.4g}",
                f"{r['high']:.4g}",
                r["unit"],
                r["source"],
            ]
            for r in table
        ],
        title="Supply parameters",
    )


@app.command("cycle")
def cycle_command(
    paths: int = typer.Option(10_000, "--paths", help="Simulated revenue paths."),
    until: int = typer.Option(2035, "--until", help="Last simulated year."),
    seed: int = typer.Option(0, "--seed"),
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
) -> None:
    """The boom-bust cycle: AR(2) fit to world chip sales and the odds of a down year ahead."""
    from computegov.supply.cycle import downturn_probability, fit_sales_cycle

    if paths < 1:
        raise InvalidInput(f"paths must be at least 1, got {paths}")
    fit = fit_sales_cycle()
    ahead = downturn_probability(fit.last_year + 1, until, paths=paths, seed=seed)
    if csv_file is not None:
        _write_csv(
            csv_file,
            ["year", "p_down", "median_growth"],
            [[r["year"], r["p_down"], r["median_growth"]] for r in ahead],
        )
    if as_json:
        print_json({"fit": fit.to_dict(), "ahead": ahead, "paths": paths, "seed": seed})
        return
    d = fit.to_dict()
    print_table(
        ["term", "value"],
        [
            [k, f"{d[k]:.4g}" if isinstance(d[k], float) else str(d[k])]
            for k in (
                "c",
                "phi1",
                "phi2",
                "sigma",
                "mean",
                "std",
                "sample_mean",
                "sample_std",
                "period_years",
                "n",
                "first_year",
                "last_year",
            )
        ],
        title=d["model"],
    )
    print_table(
        ["year", "P(sales fall)", "median growth"],
        [[r["year"], f"{r['p_down']:.0%}", f"{r['median_growth']:+.1%}"] for r in ahead],
        title=f"{paths:,} simulated paths, seed {seed}",
    )


@app.command("backtest")
def backtest_command(
    draws: int = typer.Option(10_000, "--draws"),
    seed: int = typer.Option(0, "--seed"),
    as_json: bool = JSON_OPTION,
    csv_file: Path | None = CSV_OPTION,
) -> None:
    """Run the packaging stage on past CoWoS capacity and compare with Epoch AI's shipments."""
    from computegov.supply.backtest import backtest

    result = backtest(draws, seed)
    cols = list(result["years"][0])
    if csv_file is not None:
        _write_csv(csv_file, cols, [[r[c] for c in cols] for r in result["years"]])
    if as_json:
        print_json(result)
        return
    print_table(
        [
            "year",
            "actual units",
            "predicted (5-95%)",
            "error",
            "actual H100e",
            "predicted H100e",
            "error",
        ],
        [
            [
                r["year"],
                _num(r["actual_units"]),
                f"{_num(r['predicted_units_median'])} ({_num(r['predicted_units_p5'])}-"
                f"{_num(r['predicted_units_p95'])})",
                f"{r['error_units']:+.0%}",
                _num(r["actual_h100e"]),
                _num(r["predicted_h100e_median"]),
                f"{r['error_h100e']:+.0%}",
            ]
            for r in result["years"]
        ],
        title=f"Backtest from {result['start_year']} against {result['years'][0]['designers']}"
        " (Epoch AI ai-chip-counts)",
    )
    typer.echo(
        f"Mean absolute error: units {result['mean_abs_error_units']:.0%}, "
        f"H100e {result['mean_abs_error_h100e']:.0%}."
    )
