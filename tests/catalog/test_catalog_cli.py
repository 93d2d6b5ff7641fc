"""`computegov chips ...` through the real command line: tables, exact JSON, one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from computegov.catalog import all_chips
from computegov.cli import app

runner = CliRunner(env={"COLUMNS": "200"})  # wide enough that rich does not wrap cells


def run_json(*args: str) -> object:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_chips_list_json_has_every_chip_with_metrics() -> None:
    data = run_json("chips", "list")
    assert isinstance(data, list)
    assert [row["model"] for row in data] == [c.model for c in all_chips()]
    h100 = next(row for row in data if row["model"] == "H100 SXM")
    assert h100["tpp"] == 15832
    assert h100["h100_equivalents"] == 1
    assert h100["source"]


def test_chips_list_table_for_people() -> None:
    result = runner.invoke(app, ["chips", "list"])
    assert result.exit_code == 0
    assert "H100 SXM" in result.stdout and "15,832" in result.stdout


def test_chips_show_finds_aliases() -> None:
    data = run_json("chips", "show", "instinct mi300x")
    assert isinstance(data, dict)
    assert data["model"] == "MI300X" and data["vendor"] == "AMD"
    assert data["fp8_tflops"] == 2614.9


def test_chips_classify_json_keys_and_dates() -> None:
    before = run_json("chips", "classify", "H800", "--on", "2023-01-01")
    after = run_json("chips", "classify", "H800", "--on", "2024-01-01")
    assert isinstance(before, dict) and isinstance(after, dict)
    assert {"tpp", "performance_density", "eccn", "rule", "reasons"} <= set(before)
    assert (before["rule"], before["eccn"]) == ("bis-2022-10", None)
    assert (after["rule"], after["eccn"]) == ("bis-2023-10", "3A090.a")
    assert after["tpp"] == 15832


def test_chips_classify_a_chip_not_in_the_catalog() -> None:
    data = run_json(
        "chips", "classify", "--rate", "fp16=148", "--rate", "fp8=296", "--die-area", "814"
    )
    assert isinstance(data, dict)
    assert data["tpp"] == 2368
    assert data["performance_density"] == pytest.approx(2368 / 814)
    assert data["eccn"] is None
    consumer = run_json("chips", "classify", "--rate", "int8=700", "--consumer")
    assert isinstance(consumer, dict)
    assert consumer["eccn"] == "3A090.a" and consumer["datacenter"] is False


def test_chips_classify_with_a_named_rule() -> None:
    data = run_json("chips", "classify", "H20", "--rule", "bis-2025-04-h20")
    assert isinstance(data, dict)
    assert data["rule"] == "bis-2025-04-h20" and data["controlled"] is True


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["chips", "show", "H1000"], "chips list"),
        (["chips", "classify", "H100", "--on", "17/11/2023"], "YYYY-MM-DD"),
        (["chips", "classify", "--rate", "fp16=lots"], "fp16=148"),
        (["chips", "classify", "--rate", "fp16"], "PRECISION=TFLOPS"),
        (["chips", "classify", "--rate", "fp12=3"], "fp8"),
        (["chips", "classify", "--rate", "fp16=100", "--die-area", "big"], "814"),
        (["chips", "classify", "H100", "--rule", "bis-1999"], "bis-2023-10"),
        (["chips", "classify"], "--rate"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], hint: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert hint in lines[0]
    assert "Traceback" not in result.output
