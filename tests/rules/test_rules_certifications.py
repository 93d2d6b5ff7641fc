"""What the January 2026 rule asks the exporter to certify, as data with its sources.

The conditions as the rule states them (91 FR 1684, SUMMARY) and as Sandler, Travis & Rosenberg
list them (https://www.strtrade.com/trade-news-resources/str-trade-report/trade-report/january/
bis-eases-rules-on-exports-of-chips-to-china): below the limits; sufficient US supply; no
diversion of foundry capacity; China and Macau no more than 50% of US shipments; no end-use or
end-user prohibition; the consignee's know-your-customer procedures against unauthorised
remote access; a qualified third-party lab in the US reviews every shipment before export.
"""

from __future__ import annotations

import pytest

from computegov.errors import NotFound
from computegov.rules import Certification, certifications, threshold
from computegov.rules.certifications import REGISTRY_CHECKS, certification

RULE = "bis-2026-01-review"


def test_the_rule_asks_for_each_condition_under_its_stable_id() -> None:
    listed = {c.id: c for c in certifications(RULE)}
    assert set(listed) == {
        "below_performance_thresholds",
        "us_commercial_availability",
        "china_volume_share",
        "us_supply_sufficient",
        "no_foundry_diversion",
        "no_prohibited_end_use",
        "consignee_kyc",
        "third_party_lab_review",
        "export_from_us",
    }
    assert "50%" in listed["china_volume_share"].text
    assert "United States" in listed["third_party_lab_review"].text
    assert "remote access" in listed["consignee_kyc"].text
    for item in listed.values():
        assert item.rule == RULE and item.citation == "91 FR 1684"
        assert item.source.startswith("https://"), item.id


def test_registry_checks_are_the_evidence_the_registry_can_hold() -> None:
    checks = {c.id: c.registry_check for c in certifications(RULE)}
    assert checks["china_volume_share"] == "china_volume_share"
    assert checks["export_from_us"] == "origin_us"
    assert checks["consignee_kyc"] == "consignee_kyc"
    assert checks["no_prohibited_end_use"] == "screening"
    assert checks["third_party_lab_review"] == "lab_report"
    # The exporter's word alone: supply, foundry capacity, availability on the day.
    for unchecked in ("us_supply_sufficient", "no_foundry_diversion", "us_commercial_availability"):
        assert checks[unchecked] == "", unchecked
    assert set(checks.values()) <= set(REGISTRY_CHECKS)


def test_to_dict_and_lookup() -> None:
    kyc = certification(RULE, "consignee_kyc")
    assert isinstance(kyc, Certification)
    assert kyc.to_dict()["registry_check"] == "consignee_kyc"
    assert certification(RULE, "us_supply_sufficient").to_dict()["registry_check"] is None
    with pytest.raises(NotFound, match="consignee_kyc"):
        certification(RULE, "forged_condition")


def test_other_instruments_ask_for_none_and_unknown_rules_are_refused() -> None:
    assert certifications("bis-2023-10") == ()
    assert certifications("BIS-2026-01-REVIEW") == certifications(RULE)
    with pytest.raises(NotFound):
        certifications("bis-2027-99-imaginary")


def test_the_thresholds_as_published() -> None:
    assert threshold(RULE, "tpp_max") == 21000
    assert threshold(RULE, "dram_bandwidth_max_gbps") == 6500
    assert threshold(RULE, "china_share_max") == 0.5
