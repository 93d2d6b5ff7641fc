"""TPP, performance density and H100-equivalents against hand-computed numbers."""

from __future__ import annotations

import pytest

from computegov.catalog import (
    all_chips,
    get_chip,
    h100_equivalents,
    performance_density,
    performance_density_floor,
    tpp,
    tpp_of_rates,
)
from computegov.errors import InvalidInput


def test_tpp_is_dense_rate_times_bit_length_maximised_over_precisions() -> None:
    # BIS's own example: 600 INT8 TOPS or 300 FP16 TFLOPS both give TPP 4800.
    assert tpp_of_rates({"int8": 600}) == 4800
    assert tpp_of_rates({"fp16": 300}) == 4800
    # The maximum wins, not the sum: 148 x 16 = 2368 and 296 x 8 = 2368; 44 x 32 = 1408.
    assert tpp_of_rates({"fp16": 148, "fp8": 296, "fp32": 44}) == 2368
    # FP4 counts 4 bits and FP64 64.
    assert tpp_of_rates({"fp4": 1000}) == 4000
    assert tpp_of_rates({"fp64": 100}) == 6400
    # TF32 counts at 32 bits (inputs and outputs are FP32).
    assert tpp_of_rates({"tf32": 100}) == 3200
    assert tpp_of_rates({}) is None


def test_tpp_rejects_unknown_precisions_and_non_positive_rates() -> None:
    with pytest.raises(InvalidInput):
        tpp_of_rates({"fp12": 1})
    with pytest.raises(InvalidInput):
        tpp_of_rates({"fp16": 0})


def test_catalog_tpp_matches_hand_computation() -> None:
    assert tpp(get_chip("H100 SXM")) == pytest.approx(1979 * 8)  # 15,832
    assert tpp(get_chip("A100")) == pytest.approx(312 * 16)  # 4,992
    assert tpp(get_chip("H20")) == pytest.approx(148 * 16)  # 2,368
    assert tpp(get_chip("B200")) == pytest.approx(9000 * 4)  # FP4 ties FP8: 36,000
    assert tpp(get_chip("RTX 4090")) == pytest.approx(660.6 * 8)  # 5,284.8


# TPP and PD per chip as computed by hand from Epoch AI's dataset and the vendor datasheets each
# catalog row cites; PD None where no die area is public.
NOTES_TPP_PD = {
    "A100 SXM": (4992, 6.04),
    "A800": (4992, 6.04),
    "H100 SXM": (15832, 19.45),
    "H100 PCIe": (12104, 14.87),
    "H800": (15832, 19.45),
    "H20": (2368, 2.91),
    "L40S": (5864, 9.63),
    "L20": (1912, 3.14),
    "B200": (36000, 22.1),
    "GB200": (40000, 24.6),
    "RTX 4090": (5285, 8.69),
    "MI300X": (20919, 20.6),
    "Gaudi 2": (7200, 8.72),
    "Gaudi 3": (29360, None),
    "Ascend 910B": (6016, 9.03),
    "TPU v4": (4400, None),
    "TPU v5p": (7344, None),
}


@pytest.mark.parametrize(("name", "expected"), NOTES_TPP_PD.items())
def test_catalog_tpp_and_density_match_the_research_notes(
    name: str, expected: tuple[float, float | None]
) -> None:
    want_tpp, want_pd = expected
    chip = get_chip(name)
    assert tpp(chip) == pytest.approx(want_tpp, abs=1)
    if want_pd is None:
        assert performance_density(chip) is None
    else:
        assert performance_density(chip) == pytest.approx(want_pd, abs=0.05)


def test_performance_density_is_tpp_per_square_millimetre() -> None:
    assert performance_density(get_chip("H20")) == pytest.approx(2368 / 814)
    assert performance_density(get_chip("L20")) == pytest.approx(1912 / 609)


def test_density_floor_uses_the_upper_bound_on_die_area() -> None:
    # TPU v4: die "< 600 mm^2" (Jouppi et al. 2023), so PD > 4400 / 600 = 7.33.
    assert performance_density_floor(get_chip("TPU v4")) == pytest.approx(4400 / 600)
    assert performance_density_floor(get_chip("TPU v5p")) is None
    assert performance_density_floor(get_chip("H20")) == performance_density(get_chip("H20"))


def test_h100_equivalents_divides_by_the_h100_sxm() -> None:
    assert h100_equivalents(get_chip("H100")) == pytest.approx(1.0)
    assert h100_equivalents(get_chip("B200")) == pytest.approx(36000 / 15832)
    assert h100_equivalents(get_chip("A100")) == pytest.approx(4992 / 15832)


def test_every_catalog_chip_has_a_tpp() -> None:
    for chip in all_chips():
        assert tpp(chip) is not None, chip.model
