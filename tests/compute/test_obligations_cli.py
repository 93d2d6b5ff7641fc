"""`computegov obligations`: exact JSON, a table for people, one-line errors with exit 2."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from computegov.cli import app

runner = CliRunner()
BASE = [
    "obligations",
    "--flop", "3e25",
    "--revenue-usd", "2e9",
    "--market", "EU",
    "--market", "US-CA",
    "--known-on", "2026-03-01",
    "--placed-on", "2026-06-01",
    "--on", "2026-04-01",
]  # fmt: skip


def _json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def _duty(data: dict[str, Any], duty_id: str) -> list[dict[str, Any]]:
    return [o for o in data["obligations"] if o["duty_id"] == duty_id]


def test_json_has_exact_keys_and_the_eu_deadlines() -> None:
    data = _json(*BASE)
    assert data["on"] == "2026-04-01"
    first = data["obligations"][0]
    assert set(first) == {
        "instrument_id", "instrument", "jurisdiction", "duty_id", "duty", "authority", "state",
        "deadline", "due", "status", "why", "citation", "source", "incident",
    }  # fmt: skip
    (notice,) = _duty(data, "eu-art52-notification")
    assert notice["deadline"] == "2026-03-15" and notice["state"] == "applies"
    (report,) = _duty(data, "eu-cop-safety-security-model-report")
    assert report["deadline"] == "2026-06-01"
    # 3e25 is below SB 53's 1e26: California owes nothing, so nothing is listed without --explain.
    assert not [o for o in data["obligations"] if o["instrument_id"] == "us-ca-sb-53"]


def test_explain_lists_what_does_not_apply_and_why() -> None:
    data = _json(*BASE, "--explain")
    (framework,) = _duty(data, "ca-frontier-ai-framework")
    assert framework["state"] == "does_not_apply"
    assert "not above 1e26" in framework["why"]


def test_flop_for_overrides_one_instrument_and_flop_counts_for_the_rest() -> None:
    data = _json(*BASE, "--flop-for", "us-ca-sb-53=2e26")
    (framework,) = _duty(data, "ca-frontier-ai-framework")
    assert framework["state"] == "applies" and "2e26 FLOP is above 1e26" in framework["why"]
    assert _duty(data, "eu-art52-notification")[0]["why"].find("3e25 FLOP") >= 0


def test_incidents_give_each_instrument_its_own_clock() -> None:
    data = _json(
        *BASE, "--flop-for", "us-ca-sb-53=2e26", "--on", "2026-07-02",
        "--incident", "2026-07-01T10:00:00Z,cybersecurity,imminent",
    )  # fmt: skip
    eu = _duty(data, "eu-serious-incident")
    assert [o["deadline"] for o in eu] == ["2026-07-06T10:00:00Z"]
    ca = sorted(o["deadline"] for o in _duty(data, "ca-critical-safety-incident"))
    assert ca == ["2026-07-02T10:00:00Z", "2026-07-16T10:00:00Z"]
    assert eu[0]["incident"] == {
        "discovered": "2026-07-01T10:00:00Z",
        "kind": "cybersecurity",
        "imminent": True,
    }


def test_table_for_people_names_duties_and_sources() -> None:
    result = runner.invoke(app, [*BASE, "--flop-for", "us-ca-sb-53=2e26"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Obligations on 2026-04-01" in result.stdout
    assert "eu-art52-notification" in result.stdout
    assert "ca-frontier-ai-framework" in result.stdout
    assert "https://rgpd.com/ai-act/" in result.stdout


def test_raise_is_upcoming_before_2027_and_bis_only_a_what_if() -> None:
    data = _json(
        "obligations", "--flop", "2e26", "--revenue-usd", "1e9", "--market", "US-NY",
        "--us-person", "--known-on", "2026-05-01", "--on", "2026-12-31",
    )  # fmt: skip
    states = {o["instrument_id"]: o["state"] for o in data["obligations"]}
    assert states == {"us-ny-raise": "upcoming", "us-bis-2024-proposed-reporting": "what_if"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--market", "EU"], "training compute"),
        (["--flop", "lots", "--market", "EU"], "--flop"),
        (["--flop", "3e25", "--market", "XX"], "unknown --market"),
        (["--flop", "3e25", "--market", "EU", "--on", "2026-02-30"], "not a date"),
        (["--flop", "3e25", "--market", "EU", "--placed-on", "2026-06-01T10:00Z"], "a day"),
        (["--flop", "3e25", "--market", "EU", "--incident", "2026-07-01"], "WHEN,KIND"),
        (["--flop", "3e25", "--market", "EU", "--incident", "2026-07-01,fire"], "incident kind"),
        (["--flop", "3e25", "--market", "EU", "--incident", "2026-07-01,death,soon"], "WHEN,KIND"),
        (["--flop-for", "us-ca-sb-53", "--market", "US-CA"], "INSTRUMENT=FLOP"),
        (["--flop-for", "x=1e26", "--market", "US-CA"], "no instrument"),
        (["--flop-for", "us-ca-sb-53=1e26", "--flop-for", "us-ca-sb-53=2e26"], "twice"),
        (["--flop-for", "us-ca-sb-53=2e26", "--market", "EU"], "eu-ai-act-gpai"),
        (["--flop", "3e25", "--market", "EU", "--role", "deployer"], "--role"),
        (["--flop", "3e25", "--market", "EU", "--role", "modifier"], "modifier"),
        (["--flop", "3e25", "--market", "EU", "--revenue-usd", "-1"], "--revenue-usd"),
    ],
)
def test_bad_input_is_one_line_with_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["obligations", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


def test_help_documents_every_option() -> None:
    result = runner.invoke(app, ["obligations", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    options = "--flop --flop-for --revenue-usd --market --us-person --role --base-flop"
    options += " --modification-flop --known-on --placed-on --deployed-on --incident --on"
    for option in (*options.split(), "--explain", "--json"):
        assert option in result.stdout
