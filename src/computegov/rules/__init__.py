"""US export-control rules for AI chips, as dated instruments with their citations.

`classify(chip, rule=None, on=...)` gives the ECCN (3A090.a, 3A090.b or none) with TPP,
performance density and reasons; `license_required(chip, destination, on=..., end_user_hq=...,
quantity=..., rule=None)` evaluates every instrument in force (or one named rule) and names
each that fired with the jurisdiction that administers it. Instruments, thresholds and
country groups are packaged data with sources.
"""

from computegov.rules.classification import Classification, classify
from computegov.rules.destinations import diffusion_tier, groups_of, members
from computegov.rules.instruments import (
    RULE_IDS,
    Instrument,
    administering_jurisdictions,
    all_instruments,
    eccn_text_in_force,
    get_instrument,
    instruments_of,
    regime,
    threshold,
)
from computegov.rules.licensing import LicenseDecision, license_required
from computegov.rules.outcomes import Fired, LicenseException

__all__ = [
    "RULE_IDS",
    "Classification",
    "Fired",
    "Instrument",
    "LicenseDecision",
    "LicenseException",
    "administering_jurisdictions",
    "all_instruments",
    "classify",
    "diffusion_tier",
    "eccn_text_in_force",
    "get_instrument",
    "groups_of",
    "instruments_of",
    "license_required",
    "members",
    "regime",
    "threshold",
]
