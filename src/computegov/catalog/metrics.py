"""The export-control metrics of a chip: TPP, performance density and H100-equivalents.

Definitions follow the Technical Notes to ECCN 3A090 (88 FR 73458, October 2023):
TPP = 2 x MacTOPS x bit length, where 2 x MacTOPS is the datasheet's dense TOPS/TFLOPS, taken as
the maximum over the precisions the chip supports; performance density (PD) = TPP / applicable
die area in mm^2 (all logic dies, HBM excluded).
"""

from __future__ import annotations

from collections.abc import Mapping

from computegov.catalog.chips import PRECISIONS, ChipModel, get_chip
from computegov.errors import InvalidInput

#: Bit length BIS counts per precision. TF32 counts at 32: the Technical Note takes the highest
#: bit length of any input or output of the operation, and TF32 matmuls take and give FP32.
BIT_LENGTHS: dict[str, int] = {
    "fp4": 4,
    "fp8": 8,
    "int8": 8,
    "fp16": 16,
    "bf16": 16,
    "tf32": 32,
    "fp32": 32,
    "fp64": 64,
}

#: The chip `h100_equivalents` divides by (TPP 15,832 = 1,979 dense FP8 TFLOPS x 8).
H100_REFERENCE_MODEL = "H100 SXM"


def tpp_terms(rates_tflops: Mapping[str, float]) -> dict[str, float]:
    """TOPS x bit length for each precision given (dense TFLOP/s or TOP/s by precision key)."""
    terms: dict[str, float] = {}
    for precision, rate in rates_tflops.items():
        bits = BIT_LENGTHS.get(precision)
        if bits is None:
            raise InvalidInput(
                f"unknown precision: {precision!r}; use one of {', '.join(PRECISIONS)}"
            )
        if not rate > 0:
            raise InvalidInput(f"rate for {precision} must be a positive number, got {rate!r}")
        terms[precision] = rate * bits
    return terms


def tpp_of_rates(rates_tflops: Mapping[str, float]) -> float | None:
    """TPP from dense rates in TFLOP/s by precision: the max of TOPS x bits; None if no rates."""
    terms = tpp_terms(rates_tflops)
    return max(terms.values()) if terms else None


def tpp(chip: ChipModel) -> float | None:
    """Total Processing Performance of a catalog chip (dense rates), or None with no rates."""
    return tpp_of_rates(chip.dense_tflops())


def performance_density(chip: ChipModel) -> float | None:
    """TPP per mm^2 of logic die; None where the die area (or the TPP) is not known."""
    value = tpp(chip)
    if value is None or chip.die_area_mm2 is None:
        return None
    return value / chip.die_area_mm2


def performance_density_floor(chip: ChipModel) -> float | None:
    """A lower bound on PD when only an upper bound on die area is public (e.g. TPU v4)."""
    value = tpp(chip)
    if value is None:
        return None
    if chip.die_area_mm2 is not None:
        return value / chip.die_area_mm2
    if chip.die_area_max_mm2 is not None:
        return value / chip.die_area_max_mm2
    return None


def h100_equivalents(chip: ChipModel) -> float | None:
    """How many H100 SXMs of TPP one `chip` is: TPP(chip) / TPP(H100 SXM)."""
    value = tpp(chip)
    reference = tpp(get_chip(H100_REFERENCE_MODEL))
    if value is None or reference is None:
        return None
    return value / reference
