"""The tables people read: each result turned into (title, columns, rows) of short strings, plus
the CSV rows behind it. The CLI prints these; a notebook can render them too.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from computegov.supply.budget import format_usd


class Table(NamedTuple):
    """A titled table of display strings."""

    title: str
    columns: list[str]
    rows: list[list[str]]


def num(value: float | None) -> str:
    """A compact number: 3 significant figures with k/M/B/T, scientific from 1e15."""
    if value is None:
        return ""
    if abs(value) >= 1e15:
        return f"{value:.3g}"
    for size, mark in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{mark}"
    return f"{value:.3g}"


def calc_tables(result: dict[str, Any]) -> list[Table]:
    """What a budget buys, the derived figures behind each line, and its scale."""
    buys = Table(
        f"What {format_usd(result['budget_usd'])} buys",
        ["spent wholly on", "central", "low", "high", "unit", "unit cost", "parameters"],
        [
            [
                p["item"],
                num(p["central"]),
                num(p["low"]),
                num(p["high"]),
                p["unit"],
                format_usd(p["unit_cost_usd"]),
                ", ".join(p["parameters"]),
            ]
            for p in result["purchases"]
        ],
    )
    acc, cost = result["purchases"][0]["derived"], result["purchases"][1]["derived"]
    fab = result["purchases"][2]["derived"]
    derived = [
        ("accelerators: chip-level power", f"{acc['chip_power_gw']:.3g} GW", "chip_power_w"),
        ("accelerators: all-in power", f"{acc['allin_power_gw']:.3g} GW", "allin_power_w"),
        (
            "accelerators: electricity",
            format_usd(acc["electricity_usd_per_year"]) + "/yr",
            "electricity_usd_per_kwh",
        ),
        (
            "accelerators: FLOP/s per dollar (H100)",
            f"{acc['flops_per_dollar']:.3g}",
            "h100_dense_bf16_flops, accelerator_price_usd",
        ),
        (
            "accelerators: 1e25 / 1e26 FLOP runs a year",
            f"{num(acc['runs_1e25_per_year'])} / {num(acc['runs_1e26_per_year'])}",
            "mfu (whole fleet, one year)",
        ),
        (
            "accelerators: peak dense BF16",
            f"{acc['peak_flops']:.3g} FLOP/s",
            "h100_dense_bf16_flops",
        ),
        (
            "at cost: HBM part of the spend / vendor margin avoided",
            f"{format_usd(cost['hbm_spend_usd'])} / {cost['vendor_margin_avoided_share']:.0%}",
            "hbm_share_of_component_cost, accelerator_manufacturing_cost_usd",
        ),
        ("fabs: wafer starts/month", num(fab["wafer_starts_per_month"]), "fab_module_wspm"),
        ("fabs: operators per 50k wspm fab", num(fab["operators_per_fab"]), "fab_wspm_per_worker"),
        (
            "fabs: their share of world leading edge",
            f"{fab['leading_edge_share_if_all_in_one_country']:.1%}",
            "tsmc_n3_wspm, tsmc_n5_wspm, leading_edge_share_tw",
        ),
        ("fabs: x TSMC N3 capacity", f"{fab['tsmc_n3_multiple']:.3g}x", "tsmc_n3_wspm"),
        ("fabs: operators needed", num(fab["operators_needed"]), "fab_wspm_per_worker"),
        ("fabs: EUV scanners needed", num(fab["euv_scanners_needed"]), "wspm_per_euv_scanner"),
        (
            "fabs: years of world EUV output",
            f"{fab['years_of_world_euv_output']:.3g}",
            "euv_tools_per_year",
        ),
        (
            "fabs: gross / good dies per 814 mm2 wafer",
            f"{fab['gross_dies_per_wafer']:.1f} / {fab['good_dies_per_wafer']:.1f}",
            "accelerator_die_area_mm2, defect_density_per_cm2 (Poisson)",
        ),
        (
            "EUV: GW of accelerators per scanner-year, model / SemiAnalysis",
            f"{fab['model_gw_per_euv_tool_year']:.2g} / "
            f"{fab['published_gw_per_euv_tool_year']:.2g}",
            "wspm_per_euv_scanner, allin_power_w, gw_per_euv_tool_year",
        ),
        (
            "fabs: logic cost per good die (N3 wafer)",
            format_usd(fab["logic_cost_per_good_die_usd"]),
            "wafer_price_n3",
        ),
    ]
    behind = Table(
        "Behind the lines", ["derived", "value", "parameters"], [list(r) for r in derived]
    )
    scale = Table(
        "Scale",
        ["yardstick", "value", "budget is", "source"],
        [
            [y["yardstick"], format_usd(y["value_usd"]), f"{y['multiple']:.3g}x", y["source"]]
            for y in result["yardsticks"]
        ],
    )
    return [buys, behind, scale]


CALC_CSV_COLUMNS = [
    "kind",
    "item",
    "central",
    "low",
    "high",
    "unit",
    "unit_cost_usd",
    "parameters",
    "source",
]


def calc_csv_rows(result: dict[str, Any]) -> list[list[Any]]:
    """The calculator's lines and yardsticks as CSV rows (CALC_CSV_COLUMNS)."""
    rows: list[list[Any]] = [
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
    rows += [
        ["yardstick", y["yardstick"], y["multiple"], "", "", "x", y["value_usd"], "", y["source"]]
        for y in result["yardsticks"]
    ]
    return rows


# (output, column label, show the 5-95% interval)
SCENARIO_COLUMNS = (
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
        return num(o["median"][j])
    return f"{num(o['median'][j])} ({num(o['p5'][j])}-{num(o['p95'][j])})"


def scenario_table(result: dict[str, Any]) -> Table:
    """Per year: medians (with 5-95% for the key outputs) and what binds installs and chips."""
    outs = result["outputs"]
    rows = [
        [str(year)]
        + [_cell(outs[k], j, iv) for k, _, iv in SCENARIO_COLUMNS]
        + [result["binding"][j]["constraint"], result["production_binding"][j]["constraint"]]
        for j, year in enumerate(result["years"])
    ]
    sc = result["scenario"]
    return Table(
        f"Scenario {sc['name']}: {format_usd(sc['budget_usd'])}, median (5-95%), "
        f"{result['draws']:,} draws, seed {result['seed']}",
        ["year"]
        + [label for _, label, _ in SCENARIO_COLUMNS]
        + ["binds (installs)", "binds (chips)"],
        rows,
    )


def scenario_notes(result: dict[str, Any]) -> list[str]:
    """The sentences under the scenario table: what binds first, registry size, cycle odds."""
    lines = []
    first = result["binds_first"]
    if first is not None:
        lines.append(
            f"Binds first: {first['constraint']} in {first['year']} "
            f"({first['share_of_draws']:.0%} of draws)."
        )
    reg = result["registry"]
    lines.append(
        f"Registry: {num(reg['chips_produced_cumulative_median'])} chips produced by "
        f"{result['years'][-1]} (p95 {num(reg['chips_produced_cumulative_p95'])}), "
        f"{num(reg['chips_installed_final_year_median'])} installed at the end; a registry would "
        f"hold {num(reg['chips_registered_final_year_median'])} chips by then (made, not yet "
        "retired, existing fleet included)."
    )
    if result["cycle_downturn"]:
        downs = ", ".join(f"{c['year']}: {c['p_down']:.0%}" for c in result["cycle_downturn"][:6])
        lines.append(f"Chance world chip sales fall (AR(2) cycle): {downs}")
    return lines


COMPARE_COLUMNS = ["output", "unit", "a_median", "b_median", "b_over_a"]


def compare(ra: dict[str, Any], rb: dict[str, Any]) -> dict[str, Any]:
    """Two scenario results side by side: final-year medians and their ratio."""
    rows = []
    for key, o in ra["outputs"].items():
        va, vb = o["median"][-1], rb["outputs"][key]["median"][-1]
        rows.append(
            dict(
                zip(
                    COMPARE_COLUMNS,
                    [key, o["unit"], va, vb, (vb / va) if va else None],
                    strict=True,
                )
            )
        )
    return {
        "a": ra["scenario"],
        "b": rb["scenario"],
        "year_a": ra["years"][-1],
        "year_b": rb["years"][-1],
        "draws": ra["draws"],
        "seed": ra["seed"],
        "binds_first_a": ra["binds_first"],
        "binds_first_b": rb["binds_first"],
        "rows": rows,
    }


def compare_table(data: dict[str, Any]) -> Table:
    """The comparison as a table: final-year medians and their ratio."""
    a, b = data["a"]["name"], data["b"]["name"]
    return Table(
        f"{a} vs {b}, median, seed {data['seed']}",
        ["output (final year)", "unit", a, b, "b/a"],
        [
            [
                r["output"],
                r["unit"],
                num(r["a_median"]),
                num(r["b_median"]),
                "" if r["b_over_a"] is None else f"{r['b_over_a']:.3g}",
            ]
            for r in data["rows"]
        ],
    )


SENSITIVITY_CSV_COLUMNS = [
    "parameter",
    "low_value",
    "high_value",
    "unit",
    "output_at_low",
    "output_at_high",
    "swing",
    "source",
]


def sensitivity_table(result: dict[str, Any]) -> Table:
    """The tornado as a table, largest swing first."""
    out = result["output"]
    return Table(
        f"{out} in {result['year']} ({result['unit']}); central {num(result['base'])}",
        ["parameter", "range", f"{out} at low", "at high", "swing"],
        [
            [
                b["parameter"],
                f"{num(b['low_value'])}-{num(b['high_value'])}",
                num(b["output_at_low"]),
                num(b["output_at_high"]),
                num(b["swing"]),
            ]
            for b in result["bars"]
        ],
    )


def params_table(table: list[dict[str, Any]]) -> Table:
    """The parameter file as a table with sources."""
    return Table(
        "Supply parameters",
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
    )


def cycle_tables(
    fit: dict[str, Any], ahead: list[dict[str, Any]], paths: int, seed: int
) -> list[Table]:
    """The AR(2) fit and the simulated odds of a down year."""
    terms = (
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
    return [
        Table(
            fit["model"],
            ["term", "value"],
            [[k, f"{fit[k]:.4g}" if isinstance(fit[k], float) else str(fit[k])] for k in terms],
        ),
        Table(
            f"{paths:,} simulated paths, seed {seed}",
            ["year", "P(sales fall)", "median growth"],
            [[str(r["year"]), f"{r['p_down']:.0%}", f"{r['median_growth']:+.1%}"] for r in ahead],
        ),
    ]


def backtest_table(result: dict[str, Any]) -> Table:
    """Predicted against actual shipments, year by year."""
    return Table(
        f"Backtest from {result['start_year']} against {result['years'][0]['designers']}"
        " (Epoch AI ai-chip-counts)",
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
                str(r["year"]),
                num(r["actual_units"]),
                f"{num(r['predicted_units_median'])} ({num(r['predicted_units_p5'])}-"
                f"{num(r['predicted_units_p95'])})",
                f"{r['error_units']:+.0%}",
                num(r["actual_h100e"]),
                num(r["predicted_h100e_median"]),
                f"{r['error_h100e']:+.0%}",
            ]
            for r in result["years"]
        ],
    )
