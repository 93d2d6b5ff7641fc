"""The AI-accelerator catalog: public specs of each chip model and the metrics rules test.

Import from here: `get_chip`, `all_chips`, `ChipModel`, `tpp`, `performance_density`,
`h100_equivalents`; who makes the chips and where: `get_vendor`, `get_site`, `all_sites`.
"""

from computegov.catalog.chips import PRECISIONS, ChipModel, all_chips, custom_chip, get_chip
from computegov.catalog.makers import (
    SITE_KINDS,
    ManufacturingSite,
    Vendor,
    all_sites,
    all_vendors,
    find_site,
    get_site,
    get_vendor,
)
from computegov.catalog.metrics import (
    BIT_LENGTHS,
    H100_REFERENCE_MODEL,
    chip_metrics,
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
    "SITE_KINDS",
    "ChipModel",
    "ManufacturingSite",
    "Vendor",
    "all_chips",
    "all_sites",
    "all_vendors",
    "chip_metrics",
    "custom_chip",
    "find_site",
    "get_chip",
    "get_site",
    "get_vendor",
    "h100_equivalents",
    "performance_density",
    "performance_density_floor",
    "tpp",
    "tpp_of_rates",
    "tpp_terms",
]
