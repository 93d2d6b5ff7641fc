"""Attacks on the registry's own count behind the 50% condition of the January 2026 rule,
over the real server on SQLite and PostgreSQL: chips bounced through the maker's own US
subsidiary and back, and chips received in the US and then exported, are no shipments to US
customers for end use in the US."""

from __future__ import annotations

from typing import Any

from custody_setup import add_chips
from licensing_setup import H200, Licensing, certification
from test_license_terms import issue, issued

from conftest import World


def _registry(world: World, cast: Licensing, **override: Any) -> dict[str, Any]:
    """The registry's count of H200s, as the licensing officer sees it beside an application."""
    made = cast.applied(**override)
    shown = world.get(cast.us_reg, f"/v1/license-applications/{made['application']['id']}")
    [evidence] = certification(shown.json(), "china_volume_share")["evidence"]
    registry: dict[str, Any] = evidence["registry"]
    return registry


def test_chips_bounced_through_the_makers_own_subsidiary_are_no_us_customers(
    world: World,
) -> None:
    cast = Licensing(world)
    cast.seed_shipments(us=100, china=50)
    assert _registry(world, cast)["us"] == 100
    # The maker moves 100 of its own US stock to its US subsidiary, and 100 more there and
    # back again: cheap, and each would double the denominator of the 50% condition.
    subsidiary = world.create(
        world.admin, "cloud_provider", "NVIDIA Cloud LLC", "US", parent_id=cast.maker.id
    )
    kept = add_chips(world, cast.maker, H200, 100, country="US")
    cast.ship(cast.maker, kept, subsidiary, "US")
    bounced = add_chips(world, cast.maker, H200, 100, country="US")
    cast.ship(cast.maker, bounced, cast.us_cloud, "US")
    cast.ship(cast.us_cloud, bounced, cast.maker, "US")
    registry = _registry(world, cast)
    assert registry["us"] == 100, registry
    assert registry["share"] == 0.5


def test_chips_exported_after_reaching_the_us_count_once_on_the_china_side(
    world: World,
) -> None:
    cast = Licensing(world)
    cast.seed_shipments(us=100, china=0)
    # The second US customer exports 10 of the H200s it received to China under a license.
    held = world.get(cast.us_cloud2, "/v1/chips", params={"limit": 10}).json()["items"]
    chips = [c["id"] for c in held]
    assert len(chips) == 10
    lic = issued(issue(cast, cast.cn_cloud, "CN", [H200], 10, licensee=cast.us_cloud2))
    cast.ship(cast.us_cloud2, chips, cast.cn_cloud, "CN", license_id=lic["id"])
    registry = _registry(world, cast, us_units_shipped={"us": 90, "china_macau": 10})
    assert (registry["us"], registry["shipped_china_macau"]) == (90, 10), registry
