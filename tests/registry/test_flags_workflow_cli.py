"""`computegov flags` through the real CLI against a real server (SQLite): a regulator assigns
a flag on a compute report, the developer disputes it with an evidence file, the regulator
resolves it; the list as CSV and the flag with its history; a third party's dispute fails."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from reporting_setup import Reporting
from test_custody_cli import _run

from computegov.instants import utcnow
from conftest import World


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_assign_dispute_and_resolve_a_flag_through_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Reporting(world)
    official = world.create(world.admin, "regulator", "CNIL", "FR", jurisdiction=["FR"])
    model = cast.made_model(jurisdictions=["FR"])
    body = {**cast.deepseek_v3()}
    del body["active_params"]
    [flag] = cast.ran(model["id"], **body)["flags"]
    fid = flag["id"]
    assigned = _run(world, tmp_path, cast.eu_reg, "flags", "assign", fid, "--to", official.id)
    assert assigned.exit_code == 0, assigned.output
    evidence = tmp_path / "evidence.json"
    items = [{"kind": "paper", "reference": "https://arxiv.org/abs/2412.19437", "note": "MoE"}]
    evidence.write_text(json.dumps(items))
    args = ("flags", "dispute", fid, "--reason", "37e9 active parameters")
    hostile = _run(world, tmp_path, cast.dev2, *args, "--evidence", str(evidence))
    assert hostile.exit_code != 0 and "404" in hostile.output, hostile.output
    disputed = _run(world, tmp_path, cast.dev, *args, "--evidence", str(evidence), "--json")
    assert disputed.exit_code == 0, disputed.output
    assert json.loads(disputed.stdout)["flag"]["status"] == "disputed"
    resolved = _run(
        world, tmp_path, official, "flags", "resolve", fid, "--reason", "confirmed", "--json"
    )
    assert resolved.exit_code == 0, resolved.output
    listed = _run(world, tmp_path, cast.dev, "flags", "list", "--mine", "--csv", signed=False)
    assert listed.exit_code == 0, listed.output
    [row] = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert (row["id"], row["status"], row["party_id"]) == (fid, "resolved", cast.dev.id)
    shown = _run(world, tmp_path, cast.dev, "flags", "show", fid, signed=False)
    assert shown.exit_code == 0, shown.output
    for action in ("flag.assign", "flag.dispute", "flag.resolve"):
        assert action in shown.stdout
