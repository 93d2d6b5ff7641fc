"""`computegov export ...` through the real command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from computegov.cli import app

runner = CliRunner(env={"COLUMNS": "200"})  # wide enough that rich does not wrap cells


def check(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["export", "check", *args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_export_check_json_keys() -> None:
    data = check("--chip", "H100", "--to", "CN", "--on", "2024-01-01")
    assert data["license_required"] is True
    assert {"fired", "exceptions"} <= set(data)
    fired = data["fired"]
    assert isinstance(fired, list)
    assert [f["rule"] for f in fired] == ["bis-2023-10"]
    assert "TPP 15,832" in fired[0]["reason"]


def test_export_check_dates_and_headquarters() -> None:
    assert check("--chip", "H20", "--to", "CN", "--on", "2024-06-01")["license_required"] is False
    assert check("--chip", "H20", "--to", "CN", "--on", "2025-06-01")["license_required"] is True
    hq = check("--chip", "H100", "--to", "MY", "--on", "2024-06-01", "--end-user-hq", "cn")
    assert hq["license_required"] is True and hq["end_user_hq"] == "CN"


def test_export_check_exceptions_and_named_rule() -> None:
    aca = check("--chip", "RTX 4090", "--to", "AE", "--on", "2024-06-01")
    assert [e["name"] for e in aca["exceptions"]] == ["ACA"]  # type: ignore[union-attr,index]
    what_if = check(
        "--chip", "H100", "--to", "IN", "--rule", "bis-2025-01-diffusion", "--quantity", "100"
    )
    assert what_if["evaluated"] == ["bis-2025-01-diffusion"]
    assert [e["name"] for e in what_if["exceptions"]] == ["LPP"]  # type: ignore[union-attr,index]


def test_export_check_table_for_people() -> None:
    result = runner.invoke(app, ["export", "check", "--chip", "H100", "--to", "CN"])
    assert result.exit_code == 0
    assert "license REQUIRED" in result.stdout
    assert "88 FR 73458" in result.stdout


def test_export_rules_lists_instruments_in_force() -> None:
    result = runner.invoke(app, ["export", "rules", "--on", "2025-05-01", "--json"])
    assert result.exit_code == 0
    live = {r["id"] for r in json.loads(result.stdout) if r["in_force"]}
    assert live == {"bis-2023-10", "bis-2024-04-nac-aca", "bis-2025-04-h20"}
    assert {r["jurisdiction"] for r in json.loads(result.stdout)} == {"US"}


def test_export_check_names_each_fired_instruments_jurisdiction() -> None:
    result = runner.invoke(app, ["export", "check", "--chip", "H100", "--to", "CN", "--json"])
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["jurisdictions"] == ["US"]
    assert answer["fired"] and all(f["jurisdiction"] == "US" for f in answer["fired"])
    table = runner.invoke(app, ["export", "check", "--chip", "H100", "--to", "CN"])
    assert "Jurisdiction" in table.stdout


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--chip", "H100", "--to", "ZZ"], "alpha-2"),
        (["--chip", "H100", "--to", "CN", "--end-user-hq", "PRC"], "alpha-2"),
        (["--chip", "Z9000", "--to", "CN"], "chips list"),
        (["--chip", "H100", "--to", "CN", "--on", "2024-02-30"], "YYYY-MM-DD"),
        (["--chip", "H100", "--to", "CN", "--quantity", "ten"], "--quantity"),
        (["--chip", "H100", "--to", "CN", "--quantity", "0"], "at least 1"),
        (["--chip", "H100"], "--to CC"),
        (["--chip", "H100", "--to", "CN", "--rule", "ear-99"], "bis-2023-10"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], hint: str) -> None:
    result = runner.invoke(app, ["export", "check", *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert hint in lines[0]


def test_export_check_from_the_us_shows_the_case_by_case_policy_and_its_certifications() -> None:
    # 91 FR 1684: an H200 export from the US to China is reviewed case by case.
    data = check("--chip", "H200", "--to", "CN", "--from", "US", "--on", "2026-02-01")
    assert data["origin"] == "US"
    first = data["fired"][0]  # type: ignore[index]
    assert (first["review"], first["review_rule"]) == ("case-by-case", "bis-2026-01-review")
    assert any("consignee_kyc" in c for c in first["conditions"])
    reexport = check("--chip", "H200", "--to", "CN", "--from", "SG", "--on", "2026-02-01")
    assert reexport["fired"][0]["review"] == "presumption of denial"  # type: ignore[index]
    result = runner.invoke(
        app,
        ["export", "check", "--chip", "H200", "--to", "CN", "--from", "US", "--on", "2026-02-01"],
    )
    assert result.exit_code == 0, result.output
    assert "H200 SXM US -> CN" in result.stdout
    assert "case-by-case" in result.stdout and "bis-2026-01-review" in result.stdout
    assert "certify third_party_lab_review" in result.stdout
    b200 = runner.invoke(
        app,
        ["export", "check", "--chip", "B200", "--to", "CN", "--from", "US", "--on", "2026-02-01"],
    )
    assert "presumption of denial" in b200.stdout and "TPP 36,000 >= 21,000" in b200.stdout


def test_export_check_refuses_a_bad_origin() -> None:
    result = runner.invoke(
        app, ["export", "check", "--chip", "H200", "--to", "CN", "--from", "Mars"]
    )
    assert result.exit_code != 0
    assert "alpha-2" in result.output
