"""Who may file and read compute reports, on SQLite and PostgreSQL, and the attacks on it:
another developer, another jurisdiction's regulator and the administrator see nothing (not
even by the ledger's opening); the addressed regulator's reads are logged; hostile input is a
422 naming its field; a replayed envelope is refused; a dry run writes nothing."""

from __future__ import annotations

import base64
import json
from typing import Any

import sqlalchemy as sa
from reporting_setup import Reporting

from computegov.identity.keys import key_id
from computegov.ledger import entries
from computegov.registry.reporting.models import ReportedModel, TrainingRunReport
from computegov.store.models import LedgerEntry
from conftest import World


def _invalid(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["reason"] == "invalid_report" and problem["field"] == field, problem
    return problem


def _reads(world: World, reader_id: str) -> list[dict[str, Any]]:
    with world.store.transaction() as session:
        rows = session.scalars(sa.select(LedgerEntry.record).where(LedgerEntry.type == "read"))
        return [r for r in map(json.loads, rows) if r["reader"] == reader_id]


def test_only_the_filer_and_the_addressed_regulators_read_a_report(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(jurisdictions=["US"])
    report = cast.ran(model["id"], **cast.gpt3())["report"]
    paths = [f"/v1/reports/models/{model['id']}", f"/v1/reports/training-runs/{report['id']}"]
    for path in paths:
        assert world.get(cast.dev, path).status_code == 200
        assert world.get(cast.us_reg, path).status_code == 200
        assert world.get(cast.dev2, path).status_code == 404  # as if it did not exist
        assert world.get(cast.eu_reg, path).status_code == 404
        assert world.get(cast.cn_reg, path).status_code == 404
        refused = world.get(world.admin, path)
        assert refused.status_code == 403 and refused.json()["action"] == "report.read"
        assert world.get(cast.cloud, path).status_code == 403  # its chips, not its reports
    for other in (cast.dev2, cast.eu_reg):
        for path in ("/v1/reports/models", "/v1/reports/training-runs"):
            assert world.get(other, path).json()["total"] == 0
    assert world.get(cast.us_reg, "/v1/reports/training-runs").json()["total"] == 1
    resources = {r["resource"] for r in _reads(world, cast.us_reg.id)}
    assert {model["id"], report["id"], "reports/training-runs"} <= resources


def test_a_report_entry_opens_only_for_its_readers(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(jurisdictions=["US"])
    made = cast.ran(model["id"], **cast.gpt3())
    world.log_size()
    for entry_id in (model["entry_id"], made["entry_id"]):
        path = f"/v1/log/openings/{entry_id}"
        opened = world.get(cast.dev, path)
        assert opened.status_code == 200, opened.text
        record = opened.json()["record"]
        assert record["subjects"] == [cast.dev.id] and record["countries"] == ["US"]
        assert world.get(cast.us_reg, path).status_code == 200
        for other in (cast.dev2, world.admin, cast.cn_reg, cast.eu_reg):
            assert world.get(other, path).status_code == 403, other.role


def test_an_implausible_compute_flag_is_read_as_its_report(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(jurisdictions=["FR"])
    body = {**cast.deepseek_v3()}
    del body["active_params"]
    [flag] = cast.ran(model["id"], **body)["flags"]
    assert flag["countries"] == ["FR"]
    path = f"/v1/flags/{flag['id']}"
    assert world.get(cast.eu_reg, path).status_code == 200
    assert world.get(world.admin, path).status_code == 403
    assert world.get(cast.us_reg, path).status_code == 403
    admins = world.get(world.admin, "/v1/flags").json()["items"]
    assert [f for f in admins if f["kind"] == "implausible_compute"] == []


def test_hostile_reports_are_refused_naming_the_field(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model()
    theirs = cast.made_model(cast.dev2, jurisdictions=["FR"])
    gpt3 = cast.gpt3()
    _invalid(cast.run(model["id"], **{**gpt3, "declared_flop": -3e23}), "body")
    _invalid(cast.run(model["id"], **{**gpt3, "declared_flop": 1e40}), "body")
    _invalid(cast.run(model["id"], **{**gpt3, "tokens": 0}), "body")
    _invalid(cast.run(model["id"], **{**gpt3, "stage_kind": "pretraining"}), "body")
    _invalid(cast.run(model["id"], **{**gpt3, "ended_at": "2025-05-01T00:00:00Z"}), "ended_at")
    _invalid(cast.run(model["id"], **{**gpt3, "ended_at": None}), "ended_at")  # final
    _invalid(cast.run(model["id"], **{**gpt3, "started_at": "1999-01-01T00:00:00Z"}), "started_at")
    _invalid(cast.run(model["id"], **{**gpt3, "active_params": 200e9}), "active_params")
    _invalid(cast.run(model["id"], **{**gpt3, "params": None}), "tokens")
    line = cast.line("V100", 10_000, 355)
    unknown_chip = {**gpt3, "compute_used": [{**line, "chip_model": "Z9000"}]}
    _invalid(cast.run(model["id"], **unknown_chip), "compute_used[0].chip_model")
    no_rate = {**gpt3, "precision": "fp8"}  # a V100 has no FP8
    _invalid(cast.run(model["id"], **no_rate), "compute_used[0].chip_model")
    _invalid(
        cast.run(model["id"], **{**gpt3, "compute_used": [{**line, "site_id": "sit_nope"}]}),
        "compute_used[0].site_id",
    )
    their_site = cast.cast.site(cast.cast.cn_cloud, "CN", "Shanghai 1")
    _invalid(
        cast.run(model["id"], **{**gpt3, "compute_used": [{**line, "site_id": their_site}]}),
        "compute_used[0].site_id",
    )
    _invalid(cast.run(model["id"], **{**gpt3, "compute_used": [{**line, "hours": -1}]}), "body")
    _invalid(cast.run(theirs["id"], **gpt3), "model_id")  # another developer's model
    _invalid(cast.run("mdl_missing", **gpt3), "model_id")
    # Models.
    _invalid(cast.model(parent_id=cast.dev2.id), "parent_id")  # a party, not a model
    _invalid(cast.model(jurisdictions=["XX"]), "jurisdictions")
    _invalid(cast.model(jurisdictions=[]), "body")
    _invalid(cast.model(markets=["FR"]), "eu_representative_id")  # US provider, EU market
    _invalid(cast.model(markets=["FR"], eu_representative_id=cast.cloud.id), "eu_representative_id")
    ok = cast.model(markets=["FR", "US"], eu_representative_id=cast.eu_rep.id)
    assert ok.status_code == 201 and ok.json()["model"]["eu_representative_id"] == cast.eu_rep.id
    _invalid(
        cast.model(cast.dev2, markets=["FR"], eu_representative_id=cast.eu_rep.id),
        "eu_representative_id",
    )  # an EU provider appoints none
    _invalid(cast.model(provider_id=cast.us_reg.id), "provider_id")
    _invalid(cast.model(model_id=theirs["id"]), "model_id")
    # Cycles: a model cannot become its own ancestor.
    child = cast.made_model(name="child", parent_id=model["id"])
    grandchild = cast.made_model(name="grandchild", parent_id=child["id"])
    _invalid(cast.model(model_id=model["id"], parent_id=grandchild["id"]), "parent_id")
    _invalid(cast.model(model_id=model["id"], parent_id=model["id"]), "parent_id")
    # Roles: a cloud provider and a regulator file no models.
    assert cast.model(cast.cloud).status_code == 403
    assert cast.model(cast.us_reg).status_code == 403
    with world.store.transaction() as session:
        assert session.query(TrainingRunReport).count() == 0


def test_a_replayed_report_is_refused_and_a_dry_run_writes_nothing(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model()
    payload = {
        "model_id": model["id"],
        "stage_kind": "pre_training",
        "report_kind": "final",
        "started_at": "2025-06-01T00:00:00Z",
        "ended_at": "2025-09-01T00:00:00Z",
        "estimation_method": "operation_count",
        **cast.gpt3(),
    }
    size = world.log_size()
    dry = world.post(
        cast.dev,
        "/v1/reports/training-runs",
        world.envelope(cast.dev, "report.training_run", payload),
        params={"dry_run": "true"},
    )
    assert dry.status_code == 201 and dry.json()["dry_run"] is True
    assert dry.json()["report"]["assessment"]["stage"]["plausible"]
    with world.store.transaction() as session:
        assert session.query(TrainingRunReport).count() == 0
    assert world.log_size() == size
    wire = world.envelope(cast.dev, "report.training_run", payload)
    assert world.post(cast.dev, "/v1/reports/training-runs", wire).status_code == 201
    again = world.post(cast.dev, "/v1/reports/training-runs", wire)
    assert again.status_code == 401 and again.json()["reason"] == "replay"
    with world.store.transaction() as session:
        assert session.query(TrainingRunReport).count() == 1
        assert session.query(ReportedModel).count() == 1


def test_a_public_leaf_of_a_report_reveals_neither_filer_nor_model(world: World) -> None:
    """A report's leaf names no key (actor `sealed`); the filer's key id is inside the
    commitment, and the filer's opening shows it and opens the leaf."""
    cast = Reporting(world)
    model = cast.made_model()
    made = cast.ran(model["id"], **cast.gpt3())
    size = world.log_size()
    with world.server.client() as http:
        leaves = [
            base64.b64decode(http.get(f"/v1/log/entries/{i}").json()["leaf"]) for i in range(size)
        ]
    dev_key = key_id(cast.dev.signer.public_key_bytes())
    sealed = [entries.parse_leaf(raw) for raw in leaves]
    sealed = [leaf for leaf in sealed if leaf.type.startswith("report.")]
    assert {leaf.id for leaf in sealed} == {model["entry_id"], made["entry_id"]}
    for leaf in sealed:
        text = leaf.to_bytes().decode()
        assert leaf.actor == "sealed"
        for secret in (dev_key, cast.dev.id, model["id"], made["report"]["id"]):
            assert secret not in text
        opening = world.get(cast.dev, f"/v1/log/openings/{leaf.id}").json()
        record = opening["record"]
        assert record["envelope"]["signature"]["key_id"] == dev_key
        entries.check_opening(leaf, record, base64.b64decode(opening["salt"]))
    # Other signed actions keep their key id as actor (the format is unchanged for them).
    others = [entries.parse_leaf(raw) for raw in leaves]
    assert all(leaf.actor != "sealed" for leaf in others if not leaf.type.startswith("report."))
