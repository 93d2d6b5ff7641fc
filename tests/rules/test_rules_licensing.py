"""License decisions: every instrument in force, each that fired, and the exceptions open."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from computegov.catalog import get_chip
from computegov.errors import InvalidInput
from computegov.rules import LicenseDecision, license_required


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def check(name: str, to: str, on: datetime, **kw: object) -> LicenseDecision:
    return license_required(get_chip(name), to, on=on, **kw)  # type: ignore[arg-type]


def fired(decision: LicenseDecision) -> list[str]:
    return [f.rule for f in decision.fired]


def exceptions(decision: LicenseDecision) -> list[str]:
    return [e.name for e in decision.exceptions]


def test_h100_to_china_under_each_regime() -> None:
    assert fired(check("H100", "CN", at(2022, 11, 1))) == ["bis-2022-10"]
    assert fired(check("H100", "CN", at(2023, 12, 1))) == ["bis-2023-10"]
    # After April 2025 both the 2023 rule and the H20 letter (H100's I/O >= H20's) fire.
    both = check("H100", "CN", at(2025, 5, 1))
    assert fired(both) == ["bis-2023-10", "bis-2025-04-h20"]
    assert both.license_required
    assert both.fired[0].review == "presumption of denial"


def test_china_skus_free_in_2022_caught_in_2023() -> None:
    for name in ("A800", "H800"):
        assert not check(name, "CN", at(2023, 1, 1)).license_required, name
        assert fired(check(name, "CN", at(2024, 1, 1))) == ["bis-2023-10"], name


def test_h20_needs_a_license_only_from_the_april_2025_letter() -> None:
    assert not check("H20", "CN", at(2024, 6, 1)).license_required
    assert fired(check("H20", "CN", at(2025, 4, 10))) == ["bis-2025-04-h20"]
    assert fired(check("H20", "MO", at(2025, 4, 10))) == ["bis-2025-04-h20"]
    assert fired(check("H20", "RU", at(2025, 4, 10))) == ["bis-2025-04-h20"]  # D:5
    # Saudi Arabia is D:4 but not D:5: the letter does not reach it.
    assert not check("H20", "SA", at(2025, 4, 10)).license_required
    # ... unless the buyer's parent sits in China.
    assert fired(check("H20", "SA", at(2025, 4, 10), end_user_hq="CN")) == ["bis-2025-04-h20"]


def test_l20_and_v100_never_need_a_3a090_license() -> None:
    for name in ("L20", "V100"):
        for when in (at(2022, 11, 1), at(2024, 1, 1), at(2025, 6, 1)):
            assert not check(name, "CN", when).license_required, (name, when)


def test_headquarters_test_reaches_any_destination() -> None:
    plain = check("H100", "SG", at(2024, 6, 1))
    assert not plain.license_required
    parent_in_china = check("H100", "SG", at(2024, 6, 1), end_user_hq="CN")
    assert fired(parent_in_china) == ["bis-2023-10"]
    assert "headquartered in CN" in parent_in_china.fired[0].reason
    assert parent_in_china.fired[0].review == "presumption of denial"
    # A parent in Saudi Arabia (D:4, not D:5) does not trigger the headquarters test.
    assert not check("H100", "SG", at(2024, 6, 1), end_user_hq="SA").license_required


def test_presumption_of_approval_outside_d5() -> None:
    decision = check("H100", "AE", at(2024, 6, 1))
    assert decision.fired[0].review == "presumption of approval"
    assert exceptions(decision) == []  # a datacenter 3A090.a chip has no exception


def test_consumer_chip_gets_nac_then_aca_after_april_2024() -> None:
    # RTX 4090 (not marketed for datacenters, 3A090.a) to Saudi Arabia (D:4).
    assert exceptions(check("RTX 4090", "SA", at(2024, 1, 1))) == ["NAC"]
    assert exceptions(check("RTX 4090", "SA", at(2024, 4, 4))) == ["ACA"]
    # To China (D:5) notification is still required: NAC.
    china = check("RTX 4090", "CN", at(2024, 6, 1))
    assert china.license_required and exceptions(china) == ["NAC"]
    # Germany is A:5: no requirement at all.
    assert not check("RTX 4090", "DE", at(2024, 6, 1)).license_required


def test_3a090b_design_gets_nac_aca() -> None:
    from computegov.catalog import custom_chip

    chip = custom_chip({"fp16": 150}, die_area_mm2=1000)  # TPP 2,400, PD 2.4: 3A090.b.1
    decision = license_required(chip, "VN", on=at(2024, 6, 1))
    assert decision.classifications[0].eccn == "3A090.b"
    assert exceptions(decision) == ["ACA"]


def test_macau_before_and_after_its_date_under_the_2022_rule() -> None:
    assert not check("A100", "MO", at(2023, 1, 16)).license_required
    assert fired(check("A100", "MO", at(2023, 1, 17))) == ["bis-2022-10"]


def test_diffusion_is_only_a_named_what_if() -> None:
    while_on_paper = check("H100", "IN", at(2025, 3, 1))
    assert "bis-2025-01-diffusion" not in while_on_paper.evaluated
    assert not while_on_paper.license_required
    what_if = check("H100", "IN", at(2025, 3, 1), rule="bis-2025-01-diffusion")
    assert what_if.evaluated == ("bis-2025-01-diffusion",)
    assert what_if.license_required
    assert any("what-if" in n for n in what_if.notes)


def test_diffusion_tiers_lpp_and_country_cap() -> None:
    rule = "bis-2025-01-diffusion"
    # Tier 1: AIA.
    assert exceptions(check("H100", "FR", at(2025, 3, 1), rule=rule)) == ["AIA"]
    # Tier 2: LPP up to 26,900,000 TPP a year = 1,699 H100s (1,699 x 15,832 = 26,898,568).
    assert exceptions(check("H100", "IN", at(2025, 3, 1), rule=rule, quantity=1699)) == ["LPP"]
    over = check("H100", "IN", at(2025, 3, 1), rule=rule, quantity=1700)
    assert exceptions(over) == []
    # 1,700 H100s of a 49,901-H100e allocation: 3.41%.
    assert "3.41%" in over.fired[0].reason
    # Tier 3: presumption of denial, no exception for a datacenter chip.
    china = check("H100", "CN", at(2025, 3, 1), rule=rule)
    assert china.fired[0].review == "presumption of denial" and exceptions(china) == []
    # 3A090.b-free chips are outside it: the L20 is not 3A090 at all.
    assert not check("L20", "IN", at(2025, 3, 1), rule=rule).license_required


def test_a_shipment_within_the_us_is_not_an_export() -> None:
    decision = check("H100", "US", at(2024, 6, 1), end_user_hq="CN")
    assert not decision.license_required
    assert any("not an export" in n for n in decision.notes)


def test_bad_inputs_say_what_is_accepted() -> None:
    with pytest.raises(InvalidInput, match="alpha-2"):
        check("H100", "China", at(2024, 1, 1))
    with pytest.raises(InvalidInput, match="alpha-2"):
        check("H100", "CN", at(2024, 1, 1), end_user_hq="XX")
    with pytest.raises(InvalidInput, match=">= 1"):
        check("H100", "CN", at(2024, 1, 1), quantity=0)
    with pytest.raises(InvalidInput, match="bis-2023-10"):
        check("H100", "CN", at(2024, 1, 1), rule="bis-2024-04-nac-aca")


def test_decision_json_shape() -> None:
    data = check("H100", "CN", at(2025, 5, 1)).to_dict()
    assert data["license_required"] is True
    assert [f["rule"] for f in data["fired"]] == ["bis-2023-10", "bis-2025-04-h20"]
    assert data["exceptions"] == []
    assert {"reason", "citation", "review"} <= set(data["fired"][0])
