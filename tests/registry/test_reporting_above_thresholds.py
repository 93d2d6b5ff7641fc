"""A regulator's list of the models above thresholds, on SQLite and PostgreSQL: the models
addressed to its jurisdictions whose cumulative lineage compute crosses an instrument's
threshold, with the instruments crossed and whether each is in force on the day asked; a
lineage through a model not addressed to it is listed with its figure withheld; developers,
providers and the unauthenticated are refused; the regulator's read is logged.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import sqlalchemy as sa
from reporting_setup import EU, Reporting

from computegov.store.models import LedgerEntry
from conftest import World

PATH = "/v1/reports/above-thresholds"


def _run(flop: float, params: float, stage_kind: str = "pre_training") -> dict[str, Any]:
    """A stage whose declared compute is its 6ND estimate (so no band misfires)."""
    return {
        "declared_flop": flop,
        "params": params,
        "tokens": flop / (6 * params),
        "precision": "bf16",
        "stage_kind": stage_kind,
    }


def _world(cast: Reporting) -> dict[str, str]:
    """Five models: a 3.8e25 base addressed to the US; its US fine-tune by the same developer
    taking the lineage to 1.28e26; a small US model under every threshold; a French
    developer's EU-only 3.8e25 model; a US model derived from that EU-only one."""
    base = cast.made_model(name="base-405b", jurisdictions=["US"])
    cast.ran(base["id"], **_run(3.8e25, 405e9))
    tuned = cast.made_model(name="tuned-405b", parent_id=base["id"], jurisdictions=["US"])
    cast.ran(tuned["id"], **_run(9e25, 405e9, "fine_tuning"))
    small = cast.made_model(name="small-1b", jurisdictions=["US"])
    cast.ran(small["id"], **_run(6e20, 1e9))
    paris = cast.made_model(cast.dev2, name="paris-large", jurisdictions=["EU"], markets=["FR"])
    cast.ran(paris["id"], cast.dev2, **_run(3.8e25, 405e9))
    derived = cast.made_model(name="derived", parent_id=paris["id"], jurisdictions=["US"])
    cast.ran(derived["id"], **_run(1e24, 8e9, "fine_tuning"))
    return {
        "base": base["id"],
        "tuned": tuned["id"],
        "small": small["id"],
        "paris": paris["id"],
        "derived": derived["id"],
    }


def _listed(world: World, reader: Any, **params: str) -> dict[str, dict[str, Any]]:
    response = world.get(reader, PATH, params=params)
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


def test_a_regulator_lists_its_models_above_thresholds_today_and_on_a_past_day(
    world: World,
) -> None:
    cast = Reporting(world)
    ids = _world(cast)
    us = _listed(world, cast.us_reg)
    assert set(us) == {ids["base"], ids["tuned"], ids["derived"]}  # not small, not paris
    tuned = us[ids["tuned"]]
    assert (tuned["name"], tuned["developer_id"]) == ("tuned-405b", cast.dev.id)
    assert tuned["developer"] == "Frontier Labs Inc"
    assert tuned["cumulative_flop"] == 3.8e25 + 9e25
    assert {"us-ca-sb-53", "eu-ai-act-art-51", "us-eo-14110"} <= set(tuned["instruments"])
    assert "us-ca-sb-53" in tuned["in_force"] and "us-eo-14110" not in tuned["in_force"]
    eo = next(t for t in tuned["crossed"] if t["id"] == "us-eo-14110")
    assert (eo["status"], eo["triggered"]) == ("revoked", False)
    assert "us-ca-sb-53" not in us[ids["base"]]["instruments"]  # 3.8e25 alone
    # On a day EO 14110 was in force and neither SB 53 nor the AI Act's GPAI rules were.
    then = _listed(world, cast.us_reg, on="2024-06-01")[ids["tuned"]]
    assert then["in_force"] == ["us-eo-14110"] and then["on"] == "2024-06-01"
    assert world.get(cast.us_reg, PATH, params={"on": "June"}).status_code == 400


def test_a_lineage_through_a_model_not_addressed_to_the_regulator_is_withheld(
    world: World,
) -> None:
    cast = Reporting(world)
    ids = _world(cast)
    derived = _listed(world, cast.us_reg)[ids["derived"]]
    assert derived["cumulative_flop"] is None and derived["withheld"]
    assert "eu-ai-act-art-51" in derived["instruments"]  # the reader's own duties stay shown
    eu = _listed(world, cast.eu_reg)
    assert list(eu) == [ids["paris"]] and eu[ids["paris"]]["cumulative_flop"] == 3.8e25
    assert _listed(world, cast.cn_reg) == {}


def test_only_regulators_read_the_list_and_their_reads_are_logged(world: World) -> None:
    cast = Reporting(world)
    _world(cast)
    for party in (cast.dev, cast.dev2, cast.cloud, world.admin):
        refused = world.get(party, PATH)
        assert refused.status_code == 403, refused.text
        assert refused.json()["action"] == "report.above_thresholds"
        assert "models above thresholds" in refused.json()["detail"]
    assert world.get(None, PATH).status_code == 401
    _listed(world, cast.us_reg)
    with world.store.transaction() as session:
        rows = session.scalars(sa.select(LedgerEntry.record).where(LedgerEntry.type == "read"))
        reads = [r for r in map(json.loads, rows) if r["reader"] == cast.us_reg.id]
    assert [r["action"] for r in reads] == ["report.above_thresholds"]


def test_the_list_as_csv_names_the_instruments_crossed(world: World) -> None:
    cast = Reporting(world)
    ids = _world(cast)
    response = world.get(cast.us_reg, PATH, params={"format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert set(rows) == {ids["base"], ids["tuned"], ids["derived"]}
    assert float(rows[ids["tuned"]]["cumulative_flop"]) == 1.28e26
    assert "us-ca-sb-53" in json.loads(rows[ids["tuned"]]["instruments"])
    assert rows[ids["derived"]]["cumulative_flop"] == ""
    assert EU  # the EU regulator's jurisdiction (reporting_setup) covers FR
