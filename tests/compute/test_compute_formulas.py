"""Operation counting, hardware time and the amounts people type, with hand-computed figures."""

from __future__ import annotations

import pytest

from computegov.compute import (
    HardwareRun,
    OperationCount,
    default_utilization,
    hardware_flop,
    inference_flop,
    parse_amount,
    parse_count,
    peak_flop,
    training_flop,
)
from computegov.errors import InvalidInput


def test_gpt3_is_six_n_d() -> None:
    # 6 x 175e9 x 300e9 = 3.15e23; Epoch's reported figure is 3.14e23.
    assert training_flop(175e9, 300e9) == pytest.approx(3.15e23, rel=1e-12)


def test_mixture_of_experts_counts_active_parameters() -> None:
    # DeepSeek-V3: 37B of 671B active, 14.8T tokens -> 6 x 37e9 x 14.8e12 = 3.2856e24.
    assert training_flop(671e9, 14.8e12, active_params=37e9) == pytest.approx(3.2856e24)
    # Counting all 671B would give 5.96e25, 18x too high.
    assert training_flop(671e9, 14.8e12) == pytest.approx(5.95848e25)


def test_active_params_above_total_is_refused() -> None:
    with pytest.raises(InvalidInput, match="cannot exceed total params"):
        training_flop(7e9, 1e12, active_params=8e9)


def test_inference_is_two_n_per_token() -> None:
    # 70B parameters over one million tokens: 2 x 70e9 x 1e6 = 1.4e17.
    assert inference_flop(70e9, 1e6) == pytest.approx(1.4e17)


def test_hardware_time_for_bloom_at_thirty_percent() -> None:
    # BLOOM: A100 at 312 TFLOP/s, 1.08M GPU-hours (384 GPUs x 2812.5 h), at 30%:
    # 312e12 x 1.08e6 x 3600 x 0.3 = 3.639e23 (Epoch records 3.66e23).
    assert hardware_flop(312e12, 384, 2812.5, 0.3) == pytest.approx(3.639168e23)
    assert peak_flop(312e12, 384, 2812.5) == pytest.approx(1.213056e24)


def test_default_utilization_is_epochs_llm_figure() -> None:
    assert default_utilization() == 0.3
    run = HardwareRun(989e12, 1000, 10)
    assert run.flop == pytest.approx(989e12 * 1000 * 10 * 3600 * 0.3)
    assert "epoch.ai" in run.to_dict()["utilization_source"]
    assert HardwareRun(989e12, 1000, 10, utilization=0.5).to_dict()["utilization_source"] == "given"


@pytest.mark.parametrize("percent", [40.0, 72.0, 100.0])
def test_utilization_that_looks_like_a_percentage_gets_its_own_message(percent: float) -> None:
    with pytest.raises(InvalidInput, match="looks like a percentage") as caught:
        hardware_flop(989e12, 8, 1, percent)
    assert f"{percent / 100:g}" in str(caught.value)


@pytest.mark.parametrize("bad", [0.0, -0.2, 150.0])
def test_utilization_outside_a_fraction_is_refused(bad: float) -> None:
    with pytest.raises(InvalidInput, match=r"fraction in \(0, 1\]") as caught:
        hardware_flop(989e12, 8, 1, bad)
    assert "percentage" not in str(caught.value)


def test_full_utilization_is_allowed() -> None:
    assert hardware_flop(1e15, 1, 1, 1.0) == pytest.approx(3.6e18)


def test_operation_count_to_dict_names_its_formula() -> None:
    moe = OperationCount(671e9, 14.8e12, 37e9).to_dict()
    assert moe["formula"] == "6 * active_params * tokens"
    assert moe["flop"] == pytest.approx(3.2856e24)
    assert OperationCount(70e9, 15e12).to_dict()["formula"] == "6 * params * tokens"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e26", 1e26),
        ("70e9", 70e9),
        ("70B", 70e9),
        ("70b", 70e9),
        ("15T", 15e12),
        ("1.5e13", 1.5e13),
        ("1.5E+13", 1.5e13),
        ("16K", 16000.0),
        ("2.5M", 2.5e6),
        ("175000000000", 175e9),
        (" 3.8e25 ", 3.8e25),
        ("1_000", 1000.0),
        (".5", 0.5),
    ],
)
def test_amounts_in_the_forms_people_type(text: str, value: float) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    "text", ["", "abc", "1e", "-5", "70 B", "70G", "1e26e3", "nan", "inf", "1e400"]
)
def test_malformed_amounts_name_the_accepted_forms(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(text, what="--params")
    message = str(caught.value)
    assert message.startswith("--params")
    assert "70B" in message and "1e26" in message


def test_counts_must_be_whole() -> None:
    assert parse_count("16K") == 16000
    for bad in ("2.5", "0", "1.0005K"):
        with pytest.raises(InvalidInput, match="whole number"):
            parse_count(bad, what="--chips")
