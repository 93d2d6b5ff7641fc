"""Review policies under the January 2026 rule (91 FR 1684), by item, destination and origin.

The record: the rule's text (https://www.govinfo.gov/content/pkg/FR-2026-01-15/html/2026-00789.htm)
and its law-firm summaries: case-by-case only for exports from the United States to China and
Macau of chips below TPP 21,000 and DRAM bandwidth 6,500 GB/s, with the exporter's
certifications; "applications for reexports, exports from abroad, and transfers of these same
commodities to or within China or Macau remain subject to a presumption of denial"
(Covington, https://www.cov.com/en/news-and-insights/insights/2026/01/us-commerce-department-
revises-license-review-policy-for-exports-of-certain-advanced-computing-commodities-to-china-
and-macau).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from computegov.catalog import custom_chip, get_chip
from computegov.catalog.chips import ChipModel
from computegov.errors import InvalidInput
from computegov.rules import Fired, LicenseDecision, license_required

DENIAL, CASE, APPROVAL = "presumption of denial", "case-by-case", "presumption of approval"
JAN_2026 = "bis-2026-01-review"
AFTER = datetime(2026, 2, 1, tzinfo=UTC)
CERTIFIED = (
    "us_commercial_availability",
    "china_volume_share",
    "us_supply_sufficient",
    "no_foundry_diversion",
    "no_prohibited_end_use",
    "consignee_kyc",
    "third_party_lab_review",
)


def under_2023(chip: str | ChipModel, to: str, **kw: object) -> Fired:
    model = get_chip(chip) if isinstance(chip, str) else chip
    decision: LicenseDecision = license_required(model, to, **{"on": AFTER, **kw})  # type: ignore[arg-type]
    (fired,) = [f for f in decision.fired if f.rule == "bis-2023-10"]
    return fired


def certified_ids(fired: Fired) -> list[str]:
    return [c.split(":")[0].removeprefix("certify ") for c in fired.conditions if "certify" in c]


def test_h200_from_the_us_to_a_chinese_cloud_is_case_by_case_with_the_certifications() -> None:
    # 91 FR 1684 names the H200 (TPP 15,832; 4.8 TB/s) as the chip the policy is built on.
    fired = under_2023("H200", "CN", origin="US", end_user_hq="CN")
    assert (fired.review, fired.review_rule) == (CASE, JAN_2026)
    assert certified_ids(fired) == list(CERTIFIED)
    assert fired.to_dict()["review"] == CASE and fired.to_dict()["review_rule"] == JAN_2026


@pytest.mark.parametrize("to", ["CN", "HK", "MO"])
def test_the_mi325x_like_the_h200_to_china_hong_kong_and_macau(to: str) -> None:
    # BIS names the MI325X beside the H200 (Morgan Lewis, 2026-01-16); Hong Kong is China
    # under the EAR; Macau is named by the rule.
    for chip in ("H200", "MI325X"):
        assert under_2023(chip, to, origin="US").review == CASE, (chip, to)


def test_a_reexport_from_singapore_stays_a_presumption_of_denial() -> None:
    fired = under_2023("H200", "CN", origin="SG", end_user_hq="CN")
    assert (fired.review, fired.review_rule) == (DENIAL, "bis-2023-10")
    assert fired.conditions == ("case-by-case only for exports from the United States",)


def test_a_transfer_within_china_or_macau_stays_a_presumption_of_denial() -> None:
    for origin, to in (("CN", "CN"), ("HK", "CN"), ("MO", "MO"), ("CN", "MO")):
        fired = under_2023("H200", to, origin=origin)
        assert (fired.review, fired.conditions) == (DENIAL, ()), (origin, to)


def test_an_unknown_origin_is_denial_until_the_chips_leave_from_the_us() -> None:
    decision = license_required(get_chip("H200"), "CN", on=AFTER)
    fired = decision.fired[0]
    assert fired.review == DENIAL
    assert fired.conditions[0] == "case-by-case only for exports from the United States"
    assert certified_ids(fired) == list(CERTIFIED)
    assert any("origin not given" in note for note in decision.notes)


@pytest.mark.parametrize(
    ("chip", "why"),
    [
        ("B200", "TPP 36,000 >= 21,000"),  # Blackwell stays barred (Covington 2026-01)
        ("B300", "TPP 56,000 >= 21,000"),
        ("MI355X", "TPP 40,266 >= 21,000"),
        ("GB200", "TPP 40,000 >= 21,000"),
        # TF32 at 667 TFLOPS counted at 32 bits (AWS Neuron docs) puts it just over the line.
        ("Trainium2", "TPP 21,344 >= 21,000"),
    ],
)
def test_chips_over_the_limits_stay_a_presumption_of_denial_even_from_the_us(
    chip: str, why: str
) -> None:
    decision = license_required(get_chip(chip), "CN", on=AFTER, origin="US")
    fired = [f for f in decision.fired if f.rule == "bis-2023-10"][0]
    assert (fired.review, fired.review_rule, fired.conditions) == (DENIAL, "bis-2023-10", ())
    assert any(why in note for note in decision.notes), decision.notes


def test_the_limits_are_strict_and_a_missing_bandwidth_decides_nothing() -> None:
    # TPP 21,000 exactly (fp8 2,625 x 8) and DRAM 6,500 exactly are outside "below".
    at_tpp = custom_chip({"fp8": 2625}, memory_bandwidth_gbps=4000)
    at_dram = custom_chip({"fp8": 2000}, memory_bandwidth_gbps=6500)
    below = custom_chip({"fp8": 2624.9}, memory_bandwidth_gbps=6499)
    unknown = custom_chip({"fp8": 2000})
    assert under_2023(at_tpp, "CN", origin="US").review == DENIAL
    assert under_2023(at_dram, "CN", origin="US").review == DENIAL
    assert under_2023(below, "CN", origin="US").review == CASE
    assert under_2023(unknown, "CN", origin="US").review == DENIAL


def test_before_the_effective_date_the_h200_to_china_is_a_presumption_of_denial() -> None:
    # Effective 15 January 2026 (91 FR 1684, DATES).
    day_before = datetime(2026, 1, 14, 23, 59, tzinfo=UTC)
    fired = under_2023("H200", "CN", origin="US", on=day_before)
    assert (fired.review, fired.review_rule, fired.conditions) == (DENIAL, "bis-2023-10", ())
    on_the_day = datetime(2026, 1, 15, tzinfo=UTC)
    assert under_2023("H200", "CN", origin="US", on=on_the_day).review == CASE


def test_the_rule_leaves_other_destinations_and_headquarters_as_they_were() -> None:
    # Other D:1/D:4 destinations: presumption of approval (88 FR 73458), nothing to change it.
    uae = under_2023("H200", "AE", origin="US")
    assert (uae.review, uae.review_rule, uae.conditions) == (APPROVAL, "bis-2023-10", ())
    # A buyer headquartered in China but located elsewhere: the rule covers end users in China
    # and Macau only, so the headquarters test keeps its presumption of denial.
    assert under_2023("H200", "MY", origin="US", end_user_hq="CN").review == DENIAL


def test_the_rule_adds_no_license_requirement() -> None:
    # It changes how applications are reviewed, not whether a license is needed.
    for origin in ("US", "SG", None):
        decision = license_required(get_chip("H200"), "CN", on=AFTER, origin=origin)
        assert decision.license_required
        assert JAN_2026 not in decision.evaluated
        assert JAN_2026 not in [f.rule for f in decision.fired]
    assert not license_required(get_chip("H200"), "DE", on=AFTER, origin="US").license_required


def test_the_h20_letter_review_is_case_by_case_as_licenses_were_granted() -> None:
    # Licenses for the H20 were reported issued from August 2025 (instruments.csv cites it).
    decision = license_required(get_chip("H20"), "CN", on=AFTER, origin="US")
    (fired,) = decision.fired
    assert (fired.rule, fired.review, fired.review_rule) == ("bis-2025-04-h20", CASE, fired.rule)
    assert any("no review policy" in note for note in decision.notes)


def test_every_fired_instrument_names_a_policy_from_the_vocabulary() -> None:
    seen = set()
    for chip in ("H100", "H200", "B200", "H20", "RTX 4090"):
        for to in ("CN", "AE", "RU", "IN"):
            for origin in ("US", "SG", None):
                decision = license_required(get_chip(chip), to, on=AFTER, origin=origin)
                for f in decision.fired:
                    assert f.review in (DENIAL, CASE, APPROVAL)
                    seen.add(f.review)
    diffusion = license_required(
        get_chip("H100"), "IN", on=datetime(2025, 3, 1, tzinfo=UTC), rule="bis-2025-01-diffusion"
    )
    assert diffusion.fired[0].review == CASE and diffusion.fired[0].conditions
    assert seen == {DENIAL, CASE, APPROVAL}


def test_a_policy_outside_the_vocabulary_or_a_bad_origin_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of"):
        Fired("bis-2023-10", "88 FR 73458", "r", "license required; outcome at BIS", "US")
    with pytest.raises(InvalidInput, match="alpha-2"):
        license_required(get_chip("H200"), "CN", on=AFTER, origin="USA")
    with pytest.raises(InvalidInput, match="alpha-2"):
        license_required(get_chip("H200"), "CN", on=AFTER, origin="XX")


def test_decision_json_keeps_its_shape_and_adds_origin_and_conditions() -> None:
    data = license_required(get_chip("H200"), "CN", on=AFTER, origin="us").to_dict()
    assert data["origin"] == "US"
    first = data["fired"][0]
    assert {"rule", "jurisdiction", "citation", "reason", "review"} <= set(first)
    assert first["review_rule"] == JAN_2026
    assert isinstance(first["conditions"], list) and len(first["conditions"]) == len(CERTIFIED)
