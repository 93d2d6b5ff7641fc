"""Consistency verdicts at every band edge, on both sides, each with its reason."""

from __future__ import annotations

import pytest

from computegov.compute import (
    HardwareRun,
    OperationCount,
    band,
    check_reported,
    estimate_run,
)
from computegov.errors import InvalidInput

PEAK = 1e25  # peak FLOP/s x chips x seconds of an imaginary run
SIX_ND = 1e24


@pytest.mark.parametrize(
    ("utilization", "verdict"),
    [
        (0.0499, "implausible"),
        (0.05, "flag"),
        (0.0999, "flag"),
        (0.10, "plausible"),
        (0.38, "plausible"),
        (0.70, "plausible"),
        (0.7001, "flag"),
        (0.85, "flag"),
        (0.8501, "implausible"),
        (1.2, "implausible"),
    ],
)
def test_implied_utilization_bands(utilization: float, verdict: str) -> None:
    (result,) = check_reported(utilization * PEAK, hardware=PEAK)
    assert result.check == "implied_utilization"
    assert result.value == pytest.approx(utilization)
    assert result.verdict == verdict
    assert f"{utilization:.3g}" in result.reason


@pytest.mark.parametrize(
    ("ratio", "verdict"),
    [
        (0.3332, "implausible"),
        (1 / 3, "flag"),
        (0.4999, "flag"),
        (0.5, "plausible"),
        (1.37, "plausible"),
        (2.0, "plausible"),
        (2.0001, "flag"),
        (3.0, "flag"),
        (3.0001, "implausible"),
    ],
)
def test_ratio_to_six_n_d_bands(ratio: float, verdict: str) -> None:
    (result,) = check_reported(ratio * SIX_ND, operation_count=SIX_ND)
    assert result.check == "ratio_to_operation_count"
    assert result.value == pytest.approx(ratio)
    assert result.verdict == verdict


def test_a_third_lands_on_the_edge_despite_rounding() -> None:
    (result,) = check_reported(1e23, operation_count=3e23)
    assert result.verdict == "flag"


def test_reasons_say_which_side_and_what_to_check() -> None:
    low, high = (check_reported(u * PEAK, hardware=PEAK)[0] for u in (0.07, 0.78))
    assert "below 0.1" in low.reason and "idle" in low.reason
    assert "above 0.7" in high.reason and "FP8" in high.reason
    (impossible,) = check_reported(1.2 * PEAK, hardware=PEAK)
    assert "above 1" in impossible.reason and "impossible" in impossible.reason
    (moe,) = check_reported(18 * SIX_ND, operation_count=SIX_ND)
    assert "active parameters" in moe.reason
    (fine,) = check_reported(SIX_ND, operation_count=SIX_ND)
    assert "within the plausible band 0.5-2" in fine.reason


def test_real_runs_reconcile() -> None:
    # PaLM: 2.53e24 FLOP on 8.40M TPUv4 chip-hours at 275 TFLOP/s -> U = 0.304.
    (palm,) = check_reported(2.53e24, hardware=275e12 * 8.40e6 * 3600)
    assert palm.value == pytest.approx(0.304, abs=5e-4)
    assert palm.verdict == "plausible"
    # OPT-175B reported 4.3e23 against 6ND = 3.15e23: ratio 1.37.
    (opt,) = check_reported(4.3e23, operation_count=6 * 175e9 * 300e9)
    assert opt.value == pytest.approx(1.365, abs=1e-3)
    assert opt.verdict == "plausible"


def test_both_checks_when_both_estimates_given() -> None:
    verdicts = check_reported(3e24, operation_count=SIX_ND, hardware=PEAK)
    assert [v.check for v in verdicts] == ["ratio_to_operation_count", "implied_utilization"]
    assert [v.verdict for v in verdicts] == ["flag", "plausible"]
    assert set(verdicts[0].to_dict()) == {
        "subject",
        "check",
        "value",
        "against_flop",
        "verdict",
        "reason",
    }


def test_nothing_to_check_against_is_an_error() -> None:
    with pytest.raises(InvalidInput, match="nothing to check"):
        check_reported(1e24)
    with pytest.raises(InvalidInput, match="positive"):
        check_reported(0.0, operation_count=SIX_ND)


def test_bands_are_packaged_with_their_source() -> None:
    utilization = band("implied_utilization")
    assert utilization.plausible == (0.1, 0.7)
    assert utilization.flag == (0.05, 0.85)
    assert "epoch" in utilization.source.lower()
    assert band("ratio_to_operation_count").flag == pytest.approx((1 / 3, 3.0))


def test_estimate_checks_six_n_d_against_the_hardware() -> None:
    # Llama 3-70B: 6 x 70e9 x 15e12 = 6.3e24 on 6.4M H100-hours at 989 TFLOP/s -> U = 0.276.
    result = estimate_run(
        operation_count=OperationCount(70e9, 15e12),
        hardware=HardwareRun(989e12, 1, 6.4e6),
        reported=7.86e24,
    )
    assert result.method == "operation_count"
    assert result.flop == pytest.approx(6.3e24)
    consistency, ratio, implied = result.checks
    assert consistency.subject == "operation_count"
    assert consistency.value == pytest.approx(0.2765, abs=1e-4)
    assert "6ND figure" in consistency.reason
    assert (ratio.subject, ratio.check) == ("reported", "ratio_to_operation_count")
    assert ratio.value == pytest.approx(7.86e24 / 6.3e24)
    assert implied.value == pytest.approx(0.345, abs=1e-3)


def test_estimate_from_hardware_alone_uses_it_as_the_headline() -> None:
    result = estimate_run(hardware=HardwareRun(312e12, 384, 2812.5, 0.3))
    assert result.method == "hardware"
    assert result.flop == pytest.approx(3.639168e23)
    assert result.checks == []
    data = result.to_dict()
    assert data["operation_count"] is None
    assert data["hardware"]["peak_flop"] == pytest.approx(1.213056e24)


def test_estimate_needs_a_description() -> None:
    with pytest.raises(InvalidInput, match="params and tokens"):
        estimate_run(reported=1e24)
