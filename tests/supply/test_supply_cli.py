"""The `computegov supply` commands: JSON keys, CSV and plot files, exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from computegov.cli import app

runner = CliRunner()


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["supply", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_calc_json_keys_and_headline() -> None:
    data = _json("calc", "--budget", "7万亿")
    assert set(data) == {"budget_usd", "purchases", "yardsticks"}
    assert data["budget_usd"] == 7e12
    assert round(data["purchases"][0]["central"] / 1e6) == 200


def test_scenario_json_keys() -> None:
    data = _json("scenario", "--budget", "7T", "--draws", "300", "--years", "2025-2032")
    assert {
        "scenario",
        "draws",
        "seed",
        "years",
        "outputs",
        "binding",
        "binds_first",
        "production_binding",
        "cycle_downturn",
        "registry",
    } <= set(data)
    assert data["years"] == list(range(2025, 2033))
    assert set(data["outputs"]["installed_h100e"]) == {"unit", "p5", "median", "p95", "central"}


def test_scenario_writes_csv_png_and_svg(tmp_path: Path) -> None:
    png, svg, csv_path = tmp_path / "out.png", tmp_path / "out.svg", tmp_path / "out.csv"
    result = runner.invoke(
        app, ["supply", "scenario", "--draws", "200", "--plot", str(png), "--csv", str(csv_path)]
    )
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert csv_path.read_text().startswith("year,accelerators_produced_median,")
    assert (
        runner.invoke(app, ["supply", "scenario", "--draws", "200", "--plot", str(svg)]).exit_code
        == 0
    )
    text = svg.read_text()
    assert "<svg" in text and text.rstrip().endswith("</svg>")


def test_compare_and_sensitivity_and_params(tmp_path: Path) -> None:
    root = Path(__file__).parents[2] / "examples"
    data = _json("compare", str(root / "7T.toml"), str(root / "7T-us-fabs.toml"), "--draws", "300")
    assert {r["output"] for r in data["rows"]} >= {"installed_h100e", "allin_power_gw"}
    tor = _json("sensitivity", "--output", "allin_power_gw", "--top", "5")
    assert len(tor["bars"]) == 5
    params = _json("params")
    assert all(p["source"] for p in params)
    out = tmp_path / "p.csv"
    assert runner.invoke(app, ["supply", "params", "--csv", str(out)]).exit_code == 0
    assert out.read_text().splitlines()[0] == "name,central,low,high,unit,source,note"


def test_cycle_and_backtest_json() -> None:
    cyc = _json("cycle", "--paths", "500", "--until", "2030")
    assert {"fit", "ahead"} <= set(cyc) and cyc["fit"]["model"].startswith("AR(2)")
    bt = _json("backtest", "--draws", "500")
    assert "mean_abs_error_units" in bt


def test_bad_input_exits_2_with_one_line() -> None:
    for args in (
        ["calc", "--budget", "7 zillion"],
        ["scenario", "--plot", "out.jpg"],
        ["scenario", "--years", "2040-2025"],
        ["scenario", "--draws", "0"],
        ["sensitivity", "--output", "happiness"],
    ):
        result = runner.invoke(app, ["supply", *args])
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("error: ")


def test_long_runs_keep_stdout_clean() -> None:
    args = ["supply", "scenario", "--draws", "60000", "--years", "2025-2027", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["draws"] == 60000


def test_calc_and_cycle_write_their_csv(tmp_path: Path) -> None:
    calc_csv, cycle_csv = tmp_path / "calc.csv", tmp_path / "cycle.csv"
    assert runner.invoke(app, ["supply", "calc", "--csv", str(calc_csv)]).exit_code == 0
    lines = calc_csv.read_text().splitlines()
    assert lines[0].startswith("kind,item,central,low,high")
    assert lines[1].startswith("purchase,accelerators,200000000.0,")
    args = ["supply", "cycle", "--paths", "200", "--until", "2028", "--csv", str(cycle_csv)]
    assert runner.invoke(app, args).exit_code == 0
    assert cycle_csv.read_text().splitlines()[0] == "year,p_down,median_growth"
