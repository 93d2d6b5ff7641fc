"""Attacks on compute reporting by the parties it constrains, on SQLite and PostgreSQL: a
developer dodging a threshold by superseding a final report with a smaller planned one, a
developer amending a model's jurisdictions so that a regulator loses sight of it, a report
addressed to fewer regulators than its model (whose figures the model's regulators would see
all the same), and a date with no time zone."""

from __future__ import annotations

from typing import Any

from reporting_setup import EU, Reporting
from typer.testing import CliRunner

from computegov.cli import app
from computegov.registry.reporting.lineage import MAX_DEPTH
from conftest import World


def _invalid(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["reason"] == "invalid_report" and problem["field"] == field, problem
    return problem


def test_a_final_report_is_not_superseded_by_a_planned_or_interim_one(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(jurisdictions=["EU"])
    cast.ran(model["id"], **cast.llama31())
    for kind in ("planned", "interim"):
        dodge = cast.run(
            model["id"], report_kind=kind, declared_flop=1e20, ended_at=None, compute_used=[]
        )
        _invalid(dodge, "report_kind")
    shown = world.get(cast.eu_reg, f"/v1/reports/models/{model['id']}").json()
    assert shown["lineage"]["cumulative_flop"] == 3.8e25
    # A corrected final report still supersedes the final one (and stays on record).
    corrected = cast.ran(model["id"], **{**cast.llama31(), "declared_flop": 3.9e25})["report"]
    assert corrected["supersedes_id"] is not None


def test_an_amendment_does_not_take_a_model_away_from_its_regulators(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(jurisdictions=["US", "EU"])
    cast.ran(model["id"], **cast.llama31())
    path = f"/v1/reports/models/{model['id']}"
    assert world.get(cast.eu_reg, path).status_code == 200
    amended = cast.model(model_id=model["id"], jurisdictions=["US"])
    assert amended.status_code == 200, amended.text
    assert sorted(amended.json()["model"]["jurisdictions"]) == sorted({"US", *EU})
    assert world.get(cast.eu_reg, path).status_code == 200
    # Later reports of the model go to the EU too.
    later = cast.ran(model["id"], stage_kind="fine_tuning", declared_flop=1e24)["report"]
    assert "FR" in later["jurisdictions"]


def test_a_report_goes_to_every_regulator_its_model_is_addressed_to(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(jurisdictions=["US", "EU"])
    # Addressed to the US only, its figure would still show in the model the EU reads.
    narrow = cast.run(model["id"], jurisdictions=["US"], **cast.llama31())
    _invalid(narrow, "jurisdictions")
    wider = cast.ran(model["id"], jurisdictions=["US", "EU", "GB"], **cast.llama31())["report"]
    assert "GB" in wider["jurisdictions"]


def test_a_date_without_a_time_zone_is_a_422(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model()
    response = cast.run(
        model["id"],
        started_at="2025-06-01T00:00:00",
        ended_at="2025-09-01T00:00:00",
        **cast.gpt3(),
    )
    assert response.status_code == 422, response.text


def test_the_log_verifies_in_full_with_sealed_report_leaves(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(jurisdictions=["US"])
    cast.ran(model["id"], **cast.gpt3())
    world.log_size()
    url, key = world.server.url, world.store.verifier_key
    result = CliRunner().invoke(app, ["ledger", "verify", "--url", url, "--key", key, "--full"])
    assert result.exit_code == 0, result.output


def test_an_amended_parent_cannot_push_a_base_model_out_of_a_deep_lineage(world: World) -> None:
    cast = Reporting(world)
    base = cast.made_model(name="base")
    cast.ran(base["id"], **cast.llama31())
    # A chain of MAX_DEPTH of the developer's own models, each refused deeper on report...
    top = cast.made_model(name="d0")
    last = top
    for depth in range(1, MAX_DEPTH):
        last = cast.made_model(name=f"d{depth}", parent_id=last["id"])
    assert cast.model(name="deeper", parent_id=last["id"]).status_code == 422
    # ...then its top re-parented onto the base: the bottom's lineage would run past
    # MAX_DEPTH and silently drop the base's 3.8e25 FLOP.
    _invalid(cast.model(model_id=top["id"], name="d0", parent_id=base["id"]), "parent_id")
    shown = world.get(cast.dev, f"/v1/reports/models/{last['id']}").json()
    assert len(shown["lineage"]["chain"]) == MAX_DEPTH
