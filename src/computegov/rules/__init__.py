"""US export-control rules for AI chips, as dated instruments with their citations.

`classify(chip, rule=None, on=...)` gives the ECCN (3A090.a, 3A090.b or none) with TPP,
performance density and reasons; `license_required(chip, destination, on=..., end_user_hq=...,
quantity=..., rule=None, origin=None)` evaluates every instrument in force (or one named
rule) and names each that fired with the jurisdiction that administers it and its review
policy for that item, destination and origin; `certifications(rule_id)` lists what a review
policy asks the exporter to certify. Instruments, thresholds, certifications and country
groups are packaged data with sources.
"""

from computegov.rules.certifications import Certification, certifications
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
from computegov.rules.outcomes import REVIEW_POLICIES, Fired, LicenseException

__all__ = [
    "REVIEW_POLICIES",
    "RULE_IDS",
    "Certification",
    "Classification",
    "Fired",
    "Instrument",
    "LicenseDecision",
    "LicenseException",
    "administering_jurisdictions",
    "all_instruments",
    "certifications",
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
