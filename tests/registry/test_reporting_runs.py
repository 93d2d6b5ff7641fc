"""Published training runs reported to the registry, on SQLite and PostgreSQL, with the
verdicts the registry gives on receipt: GPT-3, Llama 3.1 405B and DeepSeek-V3 (honest FP8, a
mixture of experts) reconcile on both estimates; DeepSeek-V3 without its active parameters,
or a figure beyond what the chips could do, is flagged with both figures and the rule, and
recorded all the same; an RL stage is not judged by 6ND of its tokens."""

from __future__ import annotations

import pytest
from reporting_setup import Reporting, check, threshold

from computegov.registry.flags.models import Flag
from conftest import World


def _flags(world: World) -> list[Flag]:
    with world.store.transaction() as session:
        return [f for f in session.query(Flag).all() if f.kind == "implausible_compute"]


@pytest.mark.parametrize(
    ("run", "ratio", "utilization"),
    [("gpt3", 0.997, 0.197), ("llama31", 1.003, 0.346), ("deepseek_v3", 1.038, 0.172)],
)
def test_published_runs_reconcile_on_both_estimates(
    world: World, run: str, ratio: float, utilization: float
) -> None:
    cast = Reporting(world)
    model = cast.made_model()
    made = cast.ran(model["id"], **getattr(cast, run)())
    report = made["report"]
    stage = report["assessment"]["stage"]
    assert stage["plausible"] and made["flags"] == [] and _flags(world) == []
    declared_ratio = check(report, "declared", "ratio_to_operation_count")
    assert declared_ratio["verdict"] == "plausible"
    assert declared_ratio["value"] == pytest.approx(ratio, abs=0.002)
    implied = check(report, "declared", "implied_utilization")
    assert implied["verdict"] == "plausible"
    assert implied["value"] == pytest.approx(utilization, abs=0.002)
    assert check(report, "operation_count", "implied_utilization")["verdict"] == "plausible"
    assert stage["hardware"]["utilization"] == 0.3
    assert report["counts"] and report["entry_id"]


def test_llama_31_crosses_the_eu_threshold_and_not_californias(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model()
    report = cast.ran(model["id"], **cast.llama31())["report"]
    lineage = report["assessment"]["lineage"]
    assert lineage["cumulative_flop"] == 3.8e25 and lineage["on"] == "2026-03-02"
    eu = threshold(lineage, "eu-ai-act-art-51")
    assert eu["crossed"] and eu["status"] == "in_force" and eu["triggered"]
    ca = threshold(lineage, "us-ca-sb-53")
    assert not ca["crossed"] and not ca["triggered"]
    eo = threshold(lineage, "us-eo-14110")
    assert eo["status"] == "revoked" and not eo["triggered"]


def test_deepseek_v3_at_bf16_is_plausible_too(world: World) -> None:
    """An FP8 run stated as BF16 is measured against the BF16 peak: twice the utilization,
    still inside the band (0.34)."""
    cast = Reporting(world)
    model = cast.made_model()
    report = cast.ran(model["id"], **{**cast.deepseek_v3(), "precision": "bf16"})["report"]
    implied = check(report, "declared", "implied_utilization")
    assert implied["verdict"] == "plausible"
    assert implied["value"] == pytest.approx(0.343, abs=0.002)


def test_deepseek_v3_without_active_parameters_is_flagged_and_recorded(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model()
    body = cast.deepseek_v3()
    del body["active_params"]  # 6 x 671e9 x 14.8e12 = 5.96e25: 17x the figure
    made = cast.ran(model["id"], **body)
    report = made["report"]
    ratio = check(report, "declared", "ratio_to_operation_count")
    assert ratio["verdict"] == "implausible" and ratio["raises_flag"]
    assert "active parameters" in ratio["reason"]
    [flag] = made["flags"]
    assert flag["kind"] == "implausible_compute" and flag["subject_id"] == report["id"]
    evidence = flag["evidence"]
    assert evidence["declared_flop"] == 3.41e24
    assert evidence["operation_count_flop"] == pytest.approx(5.959e25, rel=1e-3)
    assert evidence["bands"]["ratio_to_operation_count"]["plausible"] == [0.5, 2.0]
    assert flag["countries"] == ["US"]
    # Recorded all the same, and it counts.
    shown = world.get(cast.dev, f"/v1/reports/training-runs/{report['id']}").json()
    assert shown["counts"] and not shown["assessment"]["stage"]["plausible"]


def test_a_figure_beyond_what_the_chips_could_do_is_flagged(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model()
    body = {**cast.gpt3(), "compute_used": [cast.line("V100", 1000, 355)]}  # a tenth of it
    made = cast.ran(model["id"], **body)
    implied = check(made["report"], "declared", "implied_utilization")
    assert implied["verdict"] == "implausible" and implied["value"] > 1
    assert "impossible" in implied["reason"]
    [flag] = made["flags"]
    assert flag["evidence"]["hardware_peak_flop"] == pytest.approx(1.5975e23)


def test_an_rl_stage_is_not_judged_by_6nd_of_its_tokens(world: World) -> None:
    """An RL stage's compute is mostly generation: 6ND is a lower bound, not a verdict, and a
    low implied utilization is a note; one above the band still flags."""
    cast = Reporting(world)
    model = cast.made_model()
    rl = {
        "stage_kind": "rl",
        "declared_flop": 2e24,  # 6ND of the tokens trained on would be 2.43e23: 8x less
        "params": 405e9,
        "tokens": 1e11,
        "precision": "bf16",
        "compute_used": [cast.line("H100", 16_000, 2000)],  # implied utilization 0.018
    }
    made = cast.ran(model["id"], **rl)
    stage = made["report"]["assessment"]["stage"]
    assert stage["plausible"] and made["flags"] == []
    assert stage["operation_count"]["lower_bound_only"]
    assert [c["check"] for c in stage["checks"]] == ["implied_utilization"]
    [low] = stage["checks"]
    assert low["verdict"] == "implausible" and not low["raises_flag"]
    assert "memory-bound" in low["note"]
    # The same figure as pre-training would be flagged on both checks.
    again = cast.ran(model["id"], **{**rl, "stage_kind": "pre_training"})
    assert {c["check"] for c in again["flags"][0]["evidence"]["checks"]} == {
        "ratio_to_operation_count",
        "implied_utilization",
    }
    # Above the band flags for RL too.
    over = cast.ran(model["id"], **{**rl, "stage": "rl-2", "declared_flop": 1e27})
    assert [f["kind"] for f in over["flags"]] == ["implausible_compute"]
