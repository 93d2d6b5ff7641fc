"""The license-application commands against the live server: the consignee attests its KYC,
the maker applies from a form file and flags and sees the review policy and the registry's
evidence, the regulator reads its queue (table and CSV), approves with a rider, and the
license is shown; a foreign regulator's step is refused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from custody_setup import add_chips
from licensing_setup import H200, JAN_2026, Licensing, all_certified
from test_custody_cli import _run

from computegov.instants import utcnow
from conftest import World


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_apply_queue_decide_and_show_through_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Licensing(world)
    cast.seed_shipments(us=10, china=4)
    add_chips(world, cast.maker, H200, 6, country="US")

    attested = _run(world, tmp_path, cast.cn_cloud, "kyc", "attest", "--statement", "we check")
    assert attested.exit_code == 0, attested.output
    listed = _run(world, tmp_path, cast.cn_cloud, "kyc", "list", "--json", signed=False)
    assert json.loads(listed.output)["total"] == 1

    form = tmp_path / "form.json"
    form.write_text(
        json.dumps(
            {
                "purchaser_id": cast.cn_cloud.id,
                "ultimate_consignee_id": cast.cn_cloud.id,
                "end_user_ids": [cast.cn_cloud.id],
                "end_use": "commercial cloud",
                "letter_of_explanation": "a public cloud in Shanghai",
                "certifications": all_certified(JAN_2026),
            }
        )
    )
    args = ["licenses", "apply", "--form", str(form), "--destination", "CN"]
    args += ["--classification", "3A090.a", "--model", "H200", "--quantity", "6"]
    args += ["--value-usd", "192000", "--us-units", "10", "--china-units", "4"]
    args += ["--instrument", "bis-2023-10", "--instrument", JAN_2026]
    applied = _run(world, tmp_path, cast.maker, *args)
    assert applied.exit_code == 0, applied.output
    assert "case-by-case" in applied.output and JAN_2026 in applied.output
    assert "registry 4 CN/MO vs 10 US (share 40.0%)" in applied.output
    assert "on_file" in applied.output

    as_json = _run(world, tmp_path, cast.us_reg, "licenses", "applications", "--json", signed=False)
    [item] = json.loads(as_json.output)["items"]
    app_id = item["id"]
    table = _run(
        world, tmp_path, cast.us_reg, "licenses", "applications", "--pending", signed=False
    )
    assert table.exit_code == 0 and app_id in table.output and "consistent" in table.output
    as_csv = _run(world, tmp_path, cast.us_reg, "licenses", "applications", "--csv", signed=False)
    [row] = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert row["id"] == app_id and row["china_volume_share"] == "consistent"

    foreign = _run(world, tmp_path, cast.cn_reg, "licenses", "decide", app_id, "--step", "approve")
    assert foreign.exit_code == 1 and "404" in foreign.output  # as if it did not exist
    approved = _run(
        world,
        tmp_path,
        cast.us_reg,
        "licenses",
        "decide",
        app_id,
        "--step",
        "approve",
        "--rider",
        "no-remote-access=no access from outside China",
        "--json",
    )
    assert approved.exit_code == 0, approved.output
    license_id = json.loads(approved.output)["license"]["id"]
    shown = _run(world, tmp_path, cast.maker, "licenses", "show", app_id, signed=False)
    assert shown.exit_code == 0 and "approved" in shown.output and license_id in shown.output
    lic = _run(world, tmp_path, cast.maker, "licenses", "show", license_id, signed=False)
    assert lic.exit_code == 0 and cast.cn_cloud.id in lic.output
    bad = _run(world, tmp_path, cast.maker, "licenses", "show", "trf_1", signed=False)
    assert bad.exit_code == 2
    outsider = _run(world, tmp_path, cast.us_cloud, "licenses", "show", app_id, signed=False)
    assert outsider.exit_code == 1 and "no license application" in outsider.output
