"""`computegov compute`: exact JSON keys, tables for people, one-line errors with exit 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from computegov.cli import app
from computegov.compute import thresholds
from computegov.instants import utcnow

runner = CliRunner()


def _json(*args: str) -> object:
    result = runner.invoke(app, ["compute", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_estimate_from_params_and_tokens() -> None:
    data = _json("estimate", "--params", "175B", "--tokens", "300B")
    assert isinstance(data, dict)
    assert data["flop"] == pytest.approx(3.15e23)
    assert data["method"] == "operation_count"
    assert data["hardware"] is None
    assert data["checks"] == []


def test_estimate_mixture_of_experts() -> None:
    data = _json("estimate", "--params", "671B", "--active-params", "37B", "--tokens", "14.8T")
    assert isinstance(data, dict)
    assert data["flop"] == pytest.approx(3.2856e24)
    assert data["operation_count"]["active_params"] == 37e9


def test_estimate_both_ways_with_a_reported_figure() -> None:
    data = _json(
        "estimate",
        "--params", "70B", "--tokens", "15T",
        "--peak-flops", "989e12", "--chips", "1", "--hours", "6.4e6",
        "--reported", "7.86e24",
    )  # fmt: skip
    assert isinstance(data, dict)
    assert set(data) >= {"flop", "method", "operation_count", "hardware", "reported", "checks"}
    assert data["operation_count"]["flop"] == pytest.approx(6.3e24)
    assert data["hardware"]["flop"] == pytest.approx(989e12 * 6.4e6 * 3600 * 0.3)
    assert data["hardware"]["utilization"] == 0.3
    assert [(c["subject"], c["check"], c["verdict"]) for c in data["checks"]] == [
        ("operation_count", "implied_utilization", "plausible"),
        ("reported", "ratio_to_operation_count", "plausible"),
        ("reported", "implied_utilization", "plausible"),
    ]
    assert all(c["reason"] for c in data["checks"])


def test_estimate_table_for_people() -> None:
    result = runner.invoke(
        app, ["compute", "estimate", "--params", "175B", "--tokens", "300B", "--reported", "9e23"]
    )
    assert result.exit_code == 0
    assert "3.15e23" in result.stdout
    assert "flag" in result.stdout  # 9e23 / 3.15e23 = 2.86


def test_thresholds_json() -> None:
    data = _json("thresholds", "3.8e25", "--on", "2025-09-01")
    assert isinstance(data, list)
    assert all(
        {"instrument", "threshold", "crossed", "status", "obligation"} <= set(row) for row in data
    )
    by_id = {row["id"]: row for row in data}
    assert by_id["eu-ai-act-art-51"]["crossed"] is True
    assert by_id["eu-ai-act-art-51"]["status"] == "in_force"
    assert by_id["us-eo-14110"]["status"] == "revoked"
    assert by_id["us-ca-sb-53"]["status"] == "not_yet"


def test_thresholds_bio_flag() -> None:
    data = _json("thresholds", "5e23", "--on", "2024-06-01", "--bio")
    assert isinstance(data, list)
    bio = next(row for row in data if row["id"] == "us-eo-14110-bio")
    assert (bio["threshold"], bio["crossed"], bio["status"]) == (1e23, True, "in_force")


def test_thresholds_on_defaults_to_now() -> None:
    data = _json("thresholds", "2e26")
    expected = [r.to_dict() for r in thresholds(2e26, utcnow())]
    assert data == json.loads(json.dumps(expected))


def test_thresholds_table_lists_obligations_of_crossed_instruments() -> None:
    result = runner.invoke(app, ["compute", "thresholds", "2e25", "--on", "2025-09-01"])
    assert result.exit_code == 0
    assert "in_force" in result.stdout
    assert "within two weeks" in result.stdout
    assert "quarterly" not in result.stdout  # the BIS proposal (1e26) is not crossed


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["thresholds", "lots"], "70B"),
        (["thresholds", "1e26", "--on", "02/08/2025"], "YYYY-MM-DD"),
        (["estimate", "--params", "70 billion", "--tokens", "15T"], "--params"),
        (["estimate", "--params", "70B"], "--tokens"),
        (["estimate", "--chips", "8", "--hours", "10"], "--chip"),
        (
            [
                "estimate",
                "--peak-flops",
                "989e12",
                "--chips",
                "8",
                "--hours",
                "1",
                "--utilization",
                "40",
            ],
            "looks like a percentage",
        ),
        (["estimate", "--peak-flops", "989e12", "--chips", "2.5", "--hours", "1"], "whole number"),
        (["estimate", "--reported", "1e24"], "params and tokens"),
        (["estimate", "--params", "7B", "--active-params", "8B", "--tokens", "1T"], "exceed"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["compute", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.output


def test_estimate_from_a_catalog_chip_at_bf16() -> None:
    # Llama 3.1-405B: 16,384 H100 for ~1,882 h (30.84M GPU-hours); 6ND = 3.79e25, reported 3.8e25.
    data = _json(
        "estimate",
        "--chip", "h100", "--chips", "16384", "--hours", "1882",
        "--params", "405B", "--tokens", "15.6T", "--reported", "3.8e25",
    )  # fmt: skip
    assert isinstance(data, dict)
    hardware = data["hardware"]
    assert (hardware["chip"], hardware["precision"]) == ("NVIDIA H100 SXM", "bf16")
    assert hardware["peak_flops_per_chip"] == pytest.approx(989.4e12)
    assert hardware["flop"] == pytest.approx(989.4e12 * 16384 * 1882 * 3600 * 0.3)
    assert data["flop"] == pytest.approx(6 * 405e9 * 15.6e12)
    implied = data["checks"][-1]
    assert implied["check"] == "implied_utilization"
    assert implied["value"] == pytest.approx(0.346, abs=1e-3)  # the notes' U = 34.6%
    assert data["notes"] == []


def test_precision_picks_the_catalog_rate() -> None:
    data = _json("estimate", "--chip", "H100", "--precision", "fp8", "--chips", "1", "--hours", "1")
    assert isinstance(data, dict)
    assert data["hardware"]["peak_flops_per_chip"] == pytest.approx(1979e12)


def test_a_chip_without_bf16_falls_back_and_says_so() -> None:
    # GPT-3: 10,000 V100 for 355 h (3.55M GPU-hours); the V100 publishes fp16, not bf16.
    data = _json(
        "estimate", "--chip", "V100", "--chips", "10000", "--hours", "355", "--reported", "3.14e23"
    )
    assert isinstance(data, dict)
    assert data["hardware"]["precision"] == "fp16"
    assert data["hardware"]["peak_flops_per_chip"] == pytest.approx(125e12)
    (note,) = data["notes"]
    assert "no published bf16 rate; using fp16" in note and "fp16, fp32, fp64" in note
    (implied,) = data["checks"]
    assert implied["value"] == pytest.approx(3.14e23 / (125e12 * 3.55e6 * 3600))
    table = runner.invoke(
        app, ["compute", "estimate", "--chip", "V100", "--chips", "8", "--hours", "1"]
    )
    assert table.exit_code == 0
    assert "note: NVIDIA V100 SXM2 has no published bf16 rate" in table.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--chip", "H200x", "--chips", "8", "--hours", "1"], "unknown chip: 'H200x'"),
        (["--chip", "V100", "--precision", "bf16", "--chips", "8", "--hours", "1"], "it has: fp16"),
        (["--chip", "H100", "--precision", "fp2", "--chips", "8", "--hours", "1"], "fp4, fp8"),
        (["--chip", "H100", "--peak-flops", "1e15", "--chips", "8", "--hours", "1"], "not both"),
        (["--precision", "fp8", "--params", "7B", "--tokens", "1T"], "needs --chip"),
        (["--chip", "H100", "--chips", "8"], "--hours"),
    ],
)
def test_bad_chip_input_is_one_line_and_exit_2(args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["compute", "estimate", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert expected in lines[0]
