"""Rule impact for a known set of chips: which would need a license where they are, under
the regime now, under one named rule, and under the regime of an earlier instant."""

from __future__ import annotations

from typing import Any

import pytest
from custody_setup import Cast, add_chips, set_status

from computegov.catalog import get_chip, h100_equivalents
from computegov.registry.custody.impact import impact
from conftest import World


def _fleet(world: World) -> Cast:
    cast = Cast(world)
    add_chips(world, cast.maker, "H100 SXM", 8, country="CN", custodian=cast.cn_cloud)
    add_chips(world, cast.maker, "H100 SXM", 4, country="DE", custodian=cast.de_sub)
    add_chips(world, cast.maker, "H100 SXM", 2, country="US", custodian=cast.us_cloud)
    add_chips(world, cast.maker, "H20", 5, country="CN", custodian=cast.cn_cloud)
    stolen = add_chips(world, cast.maker, "H100 SXM", 3, country="CN", custodian=cast.cn_cloud)
    set_status(world, stolen, "stolen")  # no longer held: not counted
    return cast


def _needing(result: dict[str, Any]) -> dict[tuple[str, str, str], set[str]]:
    return {
        (g["model"], g["country"], g["end_user_hq"]): {f["rule"] for f in g["fired"]}
        for g in result["groups"]
        if g["license_required"]
    }


def test_impact_of_the_regime_now_of_one_rule_and_of_an_earlier_instant(world: World) -> None:
    _fleet(world)
    with world.store.transaction() as session:
        now = impact(session, on=world.clock.now())
        rule_2022 = impact(session, rule="bis-2022-10", on=world.clock.now())
        early = impact(session, on=world.clock.now().replace(year=2023, month=1, day=1))
    assert now["chips"] == 19
    assert _needing(now) == {
        ("H100 SXM", "CN", "CN"): {"bis-2023-10", "bis-2025-04-h20"},
        ("H100 SXM", "DE", "CN"): {"bis-2023-10", "bis-2025-04-h20"},
        ("H20", "CN", "CN"): {"bis-2025-04-h20"},
    }
    assert now["chips_needing_license"] == 17
    h20 = h100_equivalents(get_chip("H20"))
    assert h20 is not None
    assert now["h100_equivalents_needing_license"] == pytest.approx(12 + 5 * h20)
    # The 2022 rule had no headquarters test and did not reach the H20.
    assert _needing(rule_2022) == {("H100 SXM", "CN", "CN"): {"bis-2022-10"}}
    assert _needing(early) == _needing(rule_2022)
    assert early["chips_needing_license"] == 8


def test_impact_over_the_api_is_scoped_to_the_regulators_jurisdiction(world: World) -> None:
    cast = _fleet(world)
    us = world.get(cast.us_reg, "/v1/impact").json()
    assert (us["chips"], us["chips_needing_license"], us["countries"]) == (2, 0, ["US"])
    cn = world.get(cast.cn_reg, "/v1/impact", params={"rule": "bis-2022-10"}).json()
    assert (cn["chips"], cn["chips_needing_license"]) == (13, 8)
    everything = world.get(world.admin, "/v1/impact", params={"on": "2023-01-01"}).json()
    assert (everything["chips"], everything["chips_needing_license"]) == (19, 8)
    assert world.get(cast.maker, "/v1/impact").status_code == 403
    assert world.get(world.admin, "/v1/impact", params={"rule": "nope"}).status_code == 404


def test_impact_shows_each_groups_review_policy_as_a_transfer_within_its_country(
    world: World,
) -> None:
    # 91 FR 1684 (effective 2026-01-15): case-by-case only for exports from the US; transfers
    # within China stay a presumption of denial; a Chinese parent abroad keeps the HQ test's.
    cast = Cast(world)
    add_chips(world, cast.maker, "H200", 6, country="CN", custodian=cast.cn_cloud)
    add_chips(world, cast.maker, "H200", 2, country="DE", custodian=cast.de_sub)
    add_chips(world, cast.maker, "H200", 3, country="US", custodian=cast.us_cloud)
    after = world.clock.now().replace(year=2026, month=2, day=1)
    with world.store.transaction() as session:
        result = impact(session, on=after)
    groups = {(g["model"], g["country"]): g for g in result["groups"]}
    in_china = groups[("H200 SXM", "CN")]
    first = in_china["fired"][0]
    assert (first["rule"], first["review"], first["review_rule"]) == (
        "bis-2023-10",
        "presumption of denial",
        "bis-2023-10",
    )
    assert first["conditions"] == []
    assert "bis-2023-10: presumption of denial" in in_china["reviews"]
    abroad = groups[("H200 SXM", "DE")]["fired"][0]
    assert (abroad["review"], abroad["conditions"]) == ("presumption of denial", [])
    assert groups[("H200 SXM", "US")]["license_required"] is False
    over_api = world.get(world.admin, "/v1/impact", params={"on": "2026-02-01"}).json()
    api_groups = {(g["model"], g["country"]): g for g in over_api["groups"]}
    assert api_groups[("H200 SXM", "CN")]["fired"][0]["review"] == "presumption of denial"
