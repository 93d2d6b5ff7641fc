"""Every catalog chip's class under each rule, against the public record.

Sources: the rule texts cited in rules/data/instruments.csv and the public rulings each row
names. "computed" marks chips with no public ruling (not sold, or
launched after the rule); their rows pin our arithmetic so that a changed figure is noticed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from computegov.catalog import all_chips, custom_chip, get_chip
from computegov.errors import NotFound
from computegov.rules import classify

A, B, NONE = "3A090.a", "3A090.b", None

# (chip, eccn under bis-2022-10, eccn under bis-2023-10, source for both)
RECORD: list[tuple[str, str | None, str | None, str]] = [
    # V100: not in NVIDIA's 8-Ks of Aug 2022 or Oct 2023 [R11]; 332 GB/s I/O, TPP 2,000.
    ("V100 SXM2", NONE, NONE, "R11: not named by NVIDIA in 2022 or 2023"),
    ("A100 SXM", A, A, "R1 target of the 2022 rule; R11 NVIDIA 8-K Oct 2023"),
    ("A800", NONE, A, "R17/R18: 400 GB/s NVLink freed it in 2022; R11 caught in 2023"),
    ("H100 SXM", A, A, "R11 NVIDIA 8-K Oct 2023; controlled since 2022"),
    ("H100 PCIe", A, A, "R11; 600 GB/s bridge + PCIe 5 meets the 2022 test"),
    ("H800", NONE, A, "R17: China SKU free in 2022; R11 caught in 2023"),
    ("H20", NONE, NONE, "R19 built to pass the 2023 tests ('white zone'); licensed only by R10"),
    ("L40S", NONE, A, "R11/R11b in the 8-K, covered immediately Oct 2023; PCIe-only in 2022"),
    ("L20", NONE, NONE, "R16 China-compliant SKU (PD 3.14 < 3.2)"),
    ("B200", A, A, "R28 controlled"),
    ("GB200", A, A, "R28 controlled"),
    ("RTX 4090", NONE, A, "R11 named in the Oct 2023 8-K; R27 China SKU 4090D cut ~11%"),
    ("MI250X", A, A, "R26 AMD license requirement 2022"),
    ("MI300X", A, A, "R26b China MI309 still needed a license"),
    ("Gaudi 2", A, A, "R22 China HL-225B cut ports 24->21 to pass the 2022 test"),
    ("Gaudi 3", A, A, "R21b China HL-328/388 variants"),
    ("Ascend 910B", NONE, A, "R9b BIS: a 'PRC 3A090 IC' (May 2025); 2022: computed (392 GB/s)"),
    ("TPU v4", NONE, A, "computed: not sold; 2023 via a.2 (PD > 4,400/600 = 7.33)"),
    ("TPU v5p", A, A, "computed: not sold; TPP 7,344 >= 4,800"),
    # Chips of the January 2026 regime (91 FR 1684, which names the H200 and MI325X as 3A090.a
    # items it reviews: https://www.govinfo.gov/content/pkg/FR-2026-01-15/html/2026-00789.htm).
    ("H200 SXM", A, A, "91 FR 1684 names it; 2022: computed (1,028 GB/s, TPP 15,832)"),
    ("MI325X", A, A, "91 FR 1684 names it; 2022: computed (896 GB/s, TPP 20,919)"),
    ("B300", A, A, "computed: TPP 56,000; Blackwell stays barred for China (Covington 2026-01)"),
    # The 2022 test needs the I/O rate, which is not taken for these: undecided, so no ECCN.
    ("MI355X", NONE, A, "computed: TPP 40,266; 2022 undecided (I/O not published)"),
    ("Ascend 910C", NONE, A, "computed: TPP 12,800 >= 4,800; 2022 undecided (I/O unknown)"),
    ("Trainium2", NONE, A, "computed: not sold; TPP 21,344; 2022 undecided (I/O not taken)"),
    ("TPU v6e", NONE, A, "computed: not sold; TPP 14,688; ICI 448 GB/s < 600 in 2022"),
]


def test_the_record_covers_every_catalog_chip() -> None:
    assert {get_chip(name) for name, *_ in RECORD} == set(all_chips())


@pytest.mark.parametrize(("name", "eccn_2022", "eccn_2023", "source"), RECORD)
def test_classification_matches_the_public_record(
    name: str, eccn_2022: str | None, eccn_2023: str | None, source: str
) -> None:
    chip = get_chip(name)
    assert classify(chip, rule="bis-2022-10").eccn == eccn_2022, source
    assert classify(chip, rule="bis-2023-10").eccn == eccn_2023, source
    # The Diffusion rule reused the 2023 ECCN text.
    assert classify(chip, rule="bis-2025-01-diffusion").eccn == eccn_2023, source
    assert classify(chip, rule="bis-2023-10").determinate


# H20-class under the April 2025 letter: the H20, or the H20's memory (4.0 TB/s) or I/O.
H20_CLASS = [
    ("H20", True, "R10 NVIDIA 8-K: the H20 is named"),
    ("MI300X", True, "R10b AMD's MI308 treated alike; MI300X has 5.3 TB/s"),
    ("H800", False, "computed: 3.35 TB/s and 528 GB/s, both below the H20's"),
    ("L20", False, "computed: 864 GB/s GDDR6 and PCIe only"),
    ("A100", False, "computed: 2.0 TB/s and 664 GB/s"),
    ("H200 SXM", True, "computed: 4.8 TB/s >= the H20's 4.0 TB/s"),
    ("MI325X", True, "computed: 6 TB/s"),
    ("Trainium2", False, "computed: 2.9 TB/s; NeuronLink rate not taken"),
    ("TPU v6e", False, "computed: 1.64 TB/s and 448 GB/s"),
]


@pytest.mark.parametrize(("name", "caught", "source"), H20_CLASS)
def test_h20_letter_catches_h20_class_chips(name: str, caught: bool, source: str) -> None:
    result = classify(get_chip(name), rule="bis-2025-04-h20")
    assert result.controlled is caught, source
    assert result.eccn is None  # the letter defines no ECCN


def test_reasons_name_the_test_and_its_numbers() -> None:
    h800_2022 = classify(get_chip("H800"), rule="bis-2022-10")
    assert "528 GB/s < 600 GB/s" in h800_2022.reasons[0]
    h100 = classify(get_chip("H100"), rule="bis-2023-10")
    assert h100.reasons == ("3A090.a.1: TPP 15,832 >= 4,800 (datacenter)",)
    h20 = classify(get_chip("H20"), rule="bis-2023-10")
    assert "a.1: TPP 2,368 < 4,800" in h20.reasons
    assert any("PD 2.91 < 5.92" in r for r in h20.reasons)


def test_without_a_rule_the_text_in_force_decides() -> None:
    h800 = get_chip("H800")
    before = classify(h800, on=datetime(2023, 1, 1, tzinfo=UTC))
    after = classify(h800, on=datetime(2024, 1, 1, tzinfo=UTC))
    assert (before.rule, before.eccn) == ("bis-2022-10", None)
    assert (after.rule, after.eccn) == ("bis-2023-10", A)
    earlier = classify(get_chip("H100"), on=datetime(2021, 6, 1, tzinfo=UTC))
    assert earlier.rule is None and earlier.eccn is None


# Custom designs around each 2023 threshold, by hand: TPP = rate x bits, PD = TPP / area.
@pytest.mark.parametrize(
    ("rates", "area", "datacenter", "eccn"),
    [
        ({"fp16": 300}, 800.0, True, A),  # TPP 4,800: a.1 exactly at the line
        ({"fp16": 299}, 800.0, True, A),  # TPP 4,784 < 4,800 but PD 5.98 >= 5.92: a.2
        ({"fp16": 299}, 1000.0, True, B),  # TPP 4,784, PD 4.78: b.1 (and b.2)
        ({"fp16": 150}, 1000.0, True, B),  # TPP 2,400, PD 2.4: b.1 only (PD < 3.2)
        ({"fp16": 149}, 1000.0, True, NONE),  # TPP 2,384 < 2,400 and PD 2.38 < 3.2
        ({"fp16": 100}, 250.0, True, A),  # TPP 1,600, PD 6.4: a.2
        ({"fp16": 100}, 400.0, True, B),  # TPP 1,600, PD 4.0: b.2
        ({"fp16": 99}, 250.0, True, NONE),  # TPP 1,584 < 1,600: nothing
        ({"fp8": 700}, 600.0, False, A),  # consumer, TPP 5,600 >= 4,800: a.1
        ({"fp8": 590}, 300.0, False, NONE),  # consumer, TPP 4,720 < 4,800: Note 2
    ],
)
def test_custom_chips_at_the_2023_thresholds(
    rates: dict[str, float], area: float, datacenter: bool, eccn: str | None
) -> None:
    chip = custom_chip(rates, die_area_mm2=area, datacenter=datacenter)
    assert classify(chip, rule="bis-2023-10").eccn == eccn


def test_unknown_rule_lists_the_rule_ids() -> None:
    with pytest.raises(NotFound) as info:
        classify(get_chip("H100"), rule="bis-2099")
    assert "bis-2023-10" in str(info.value)
