"""The AI-accelerator catalog: public specs of each chip model and the metrics rules test.

Import from here: `get_chip`, `all_chips`, `ChipModel`, `tpp`, `performance_density`,
`h100_equivalents`.
"""

from computegov.catalog.chips import PRECISIONS, ChipModel, all_chips, get_chip
from computegov.catalog.metrics import (
    BIT_LENGTHS,
    H100_REFERENCE_MODEL,
    h100_equivalents,
    performance_density,
    performance_density_floor,
    tpp,
    tpp_of_rates,
    tpp_terms,
)

__all__ = [
    "BIT_LENGTHS",
    "H100_REFERENCE_MODEL",
    "PRECISIONS",
    "ChipModel",
    "all_chips",
    "get_chip",
    "h100_equivalents",
    "performance_density",
    "performance_density_floor",
    "tpp",
    "tpp_of_rates",
    "tpp_terms",
]
