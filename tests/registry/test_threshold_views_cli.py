"""`computegov sites cluster` and `computegov report above-thresholds` through the real CLI
against a real server (SQLite): tables for people, exact JSON, CSV, and refusals in words."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from custody_setup import Cast, add_chips
from reporting_setup import Reporting
from test_custody_cli import _run

from computegov.instants import utcnow
from conftest import World


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_sites_cluster_through_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Cast(world)
    site = cast.site(cast.us_cloud, "US", "Ashburn 1", networking={"interconnect_gbit_s": 50})
    chips = add_chips(world, cast.maker, "H100 SXM", 3, custodian=cast.us_cloud)
    body = {"site_id": site, "chips": chips}
    assert cast.act(cast.us_cloud, "site.install", "/v1/sites/install", body).status_code == 200

    shown = _run(world, tmp_path, cast.us_cloud, "sites", "cluster", site, signed=False)
    assert shown.exit_code == 0, shown.output
    for words in ("us-eo-14110-cluster", "historical", "fp8", "declared cluster figure: none"):
        assert words in shown.stdout
    as_json = _run(world, tmp_path, cast.us_reg, "sites", "cluster", site, "--json", signed=False)
    assert json.loads(as_json.stdout)["chips"] == 3
    as_csv = _run(world, tmp_path, cast.us_reg, "sites", "cluster", site, "--csv", signed=False)
    [row] = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert (row["model"], row["chips"], row["max_precision"]) == ("H100 SXM", "3", "fp8")
    refused = _run(world, tmp_path, cast.cn_reg, "sites", "cluster", site, signed=False)
    assert refused.exit_code == 1 and "no site" in refused.output


def test_report_above_thresholds_through_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())
    cast = Reporting(world)
    model = cast.made_model(name="base-405b", jurisdictions=["US"])
    cast.ran(
        model["id"],
        declared_flop=1.2e26,
        params=405e9,
        tokens=1.2e26 / (6 * 405e9),
        precision="bf16",
    )
    table = _run(world, tmp_path, cast.us_reg, "report", "above-thresholds", signed=False)
    assert table.exit_code == 0, table.output
    assert "base-405b" in table.stdout and "us-ca-sb-53" in table.stdout
    past = _run(
        world,
        tmp_path,
        cast.us_reg,
        "report",
        "above-thresholds",
        "--on",
        "2024-06-01",
        "--json",
        signed=False,
    )
    [item] = json.loads(past.stdout)["items"]
    assert item["in_force"] == ["us-eo-14110"]
    as_csv = _run(world, tmp_path, cast.us_reg, "report", "above-thresholds", "--csv", signed=False)
    [row] = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert row["id"] == model["id"] and float(row["cumulative_flop"]) == 1.2e26
    refused = _run(world, tmp_path, cast.dev, "report", "above-thresholds", signed=False)
    assert refused.exit_code == 1 and "models above thresholds" in refused.output
