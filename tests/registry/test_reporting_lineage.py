"""Compute over a model's lineage, on SQLite and PostgreSQL: a fine-tune that pushes a
lineage over 1e25 crosses the EU threshold on the lineage; a modification above one third of
the original's compute makes the modifier a provider (EU guidelines), one below does not; a
superseded report stays readable and no longer counts; the parent's figures stay withheld
from another developer's modifier while the addressed regulator sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reporting_setup import Reporting, threshold

from conftest import World


def _fine_tune(flop: float) -> dict[str, float | str]:
    """A fine-tuning stage of a 70B model whose 6ND is the declared figure."""
    return {
        "stage_kind": "fine_tuning",
        "declared_flop": flop,
        "params": 70e9,
        "tokens": flop / (6 * 70e9),
    }


def _base(cast: Reporting, flop: float) -> str:
    base = cast.made_model(name="base-70b", jurisdictions=["US", "EU"])
    cast.ran(base["id"], declared_flop=flop, params=70e9, tokens=flop / (6 * 70e9))
    return str(base["id"])


def test_a_fine_tune_pushes_the_lineage_over_the_eu_threshold(world: World) -> None:
    cast = Reporting(world)
    base = _base(cast, 9e24)
    child = cast.made_model(name="base-70b-instruct", parent_id=base, jurisdictions=["US", "EU"])
    before = child["lineage"]
    assert before["cumulative_flop"] == 9e24
    assert not threshold(before, "eu-ai-act-art-51")["crossed"]
    report = cast.ran(child["id"], **_fine_tune(1.5e24))["report"]
    lineage = report["assessment"]["lineage"]
    assert lineage["cumulative_flop"] == pytest.approx(1.05e25)
    assert [s["model_id"] for s in lineage["chain"]] == [child["id"], base]
    eu = threshold(lineage, "eu-ai-act-art-51")
    assert eu["crossed"] and eu["triggered"]
    assert lineage["modifier"]["becomes_provider"] is False  # 1/6 of the original
    assert lineage["modifier"]["share"] == pytest.approx(1 / 6)
    # The base model alone stays under it.
    shown = world.get(cast.dev, f"/v1/reports/models/{base}").json()
    assert not threshold(shown["lineage"], "eu-ai-act-art-51")["crossed"]


def test_more_than_a_third_of_the_original_makes_the_modifier_a_provider(world: World) -> None:
    cast = Reporting(world)
    base = _base(cast, 3e24)
    over = cast.made_model(cast.dev2, name="tuned-over", parent_id=base, jurisdictions=["FR"])
    under = cast.made_model(cast.dev2, name="tuned-under", parent_id=base, jurisdictions=["FR"])
    at = cast.made_model(cast.dev2, name="tuned-at", parent_id=base, jurisdictions=["FR"])
    a = cast.ran(over["id"], cast.dev2, **_fine_tune(1.1e24))["report"]["assessment"]["lineage"]
    b = cast.ran(under["id"], cast.dev2, **_fine_tune(0.9e24))["report"]["assessment"]["lineage"]
    c = cast.ran(at["id"], cast.dev2, **_fine_tune(1e24))["report"]["assessment"]["lineage"]
    assert a["modifier"]["becomes_provider"] is True
    assert b["modifier"]["becomes_provider"] is False
    assert c["modifier"]["becomes_provider"] is False  # "more than" a third: exactly is not
    assert a["modifier"]["threshold_share"] == pytest.approx(1 / 3)
    assert "digital-strategy.ec.europa.eu" in a["modifier"]["source"]
    # The modifier sees its duty, not the original developer's figures.
    assert a["cumulative_flop"] is None and a["modifier"]["original_flop"] is None
    assert a["chain"][1]["own_flop"] is None and a["chain"][0]["own_flop"] == 1.1e24
    # A regulator the child is addressed to (EU, for France) sees all of them: the base
    # model is addressed to the EU too.
    seen = world.get(cast.eu_reg, f"/v1/reports/models/{over['id']}").json()["lineage"]
    assert seen["cumulative_flop"] == pytest.approx(4.1e24)
    assert seen["modifier"]["share"] == pytest.approx(1.1 / 3)


def test_a_superseded_report_stays_readable_and_no_longer_counts(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model()
    planned = cast.ran(
        model["id"],
        report_kind="planned",
        started_at="2026-04-01T00:00:00Z",
        ended_at=None,
        declared_flop=2e25,
    )["report"]
    # A planned run over 1e25 counts until superseded: the notification runs from when it
    # becomes known that the threshold will be met.
    planned_eu = threshold(planned["assessment"]["lineage"], "eu-ai-act-art-51")
    assert planned_eu["triggered"]
    world.clock.advance(timedelta(days=1))
    final = cast.ran(model["id"], declared_flop=8e24, params=70e9, tokens=8e24 / 420e9)["report"]
    assert final["supersedes_id"] == planned["id"]
    assert final["assessment"]["lineage"]["cumulative_flop"] == 8e24
    old = world.get(cast.dev, f"/v1/reports/training-runs/{planned['id']}").json()
    assert old["superseded_by_id"] == final["id"] and old["counts"] is False
    assert old["declared_flop"] == 2e25
    shown = world.get(cast.dev, f"/v1/reports/models/{model['id']}").json()
    assert [r["id"] for r in shown["reports"]] == [final["id"]]
    assert shown["lineage"]["cumulative_flop"] == 8e24
    # Another stage adds to it; a second fine-tuning stage by name too.
    cast.ran(model["id"], **_fine_tune(1e23))
    cast.ran(model["id"], stage="fine_tuning-2", **_fine_tune(2e23))
    shown = world.get(cast.dev, f"/v1/reports/models/{model['id']}").json()
    assert shown["lineage"]["cumulative_flop"] == pytest.approx(8.3e24)
    listed = world.get(cast.dev, "/v1/reports/training-runs", params={"model_id": model["id"]})
    assert listed.json()["total"] == 4
