"""Dies per wafer and yield: from a wafer to good accelerator dies.

Gross dies use the standard approximation DPW = pi (d/2)^2 / A - pi d / sqrt(2 A) (wafer area
over die area, minus the partial dies lost at the edge). Yield models take the die area A and
the defect density D0 (per cm^2): Poisson Y = exp(-A D0) (the SemiAnalysis die-yield
calculator's default) and Murphy Y = ((1 - exp(-A D0)) / (A D0))^2. All functions accept numpy
arrays, so the Monte Carlo can pass one value per draw.
"""

from __future__ import annotations

from typing import Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from computegov.errors import InvalidInput

F = TypeVar("F", float, NDArray[np.float64])
YieldModel = Literal["poisson", "murphy"]
YIELD_MODELS: tuple[str, ...] = ("poisson", "murphy")


def gross_dies_per_wafer(die_area_mm2: F, wafer_diameter_mm: float = 300.0) -> F:
    """Whole die sites on a round wafer (no scribe lines or edge exclusion)."""
    d = wafer_diameter_mm
    a = die_area_mm2
    result = np.pi * (d / 2) ** 2 / a - np.pi * d / np.sqrt(2 * a)
    return result  # type: ignore[no-any-return]


def poisson_yield(die_area_mm2: F, defects_per_cm2: F | float) -> F:
    """Share of dies without a killer defect when defects fall at random: exp(-A D0)."""
    return np.exp(-(die_area_mm2 / 100.0) * defects_per_cm2)  # type: ignore[no-any-return]


def murphy_yield(die_area_mm2: F, defects_per_cm2: F | float) -> F:
    """Murphy's model (defect density varying across wafers): ((1 - e^-AD) / AD)^2."""
    ad = (die_area_mm2 / 100.0) * defects_per_cm2
    return ((1 - np.exp(-ad)) / ad) ** 2  # type: ignore[no-any-return]


def die_yield(die_area_mm2: F, defects_per_cm2: F | float, model: str = "poisson") -> F:
    """Yield under the named model; InvalidInput names the models on offer."""
    if model == "poisson":
        return poisson_yield(die_area_mm2, defects_per_cm2)
    if model == "murphy":
        return murphy_yield(die_area_mm2, defects_per_cm2)
    raise InvalidInput(f"unknown yield model {model!r}; use one of {', '.join(YIELD_MODELS)}")


def good_dies_per_wafer(
    die_area_mm2: F,
    defects_per_cm2: F | float,
    wafer_diameter_mm: float = 300.0,
    model: str = "poisson",
) -> F:
    """Gross dies times yield: the working dies one wafer gives."""
    gross = gross_dies_per_wafer(die_area_mm2, wafer_diameter_mm)
    return gross * die_yield(die_area_mm2, defects_per_cm2, model)
