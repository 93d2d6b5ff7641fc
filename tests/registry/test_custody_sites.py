"""Sites: declared with validated coordinates and networking; chips installed at one's own
sites and moved between them within a country; a move abroad is a transfer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from custody_setup import Cast, add_chips, chip_rows

from computegov.registry.custody.models import CustodyEvent
from conftest import World


def test_site_is_validated_and_listed_for_its_operator_and_regulators(world: World) -> None:
    cast = Cast(world)
    good = {
        "name": "Ashburn 1",
        "country": "us",
        "latitude": 39.04,
        "longitude": -77.49,
        "networking": {"interconnect_gbit_s": 3200, "cluster_ops_per_s": 4e19},
    }
    created = cast.act(cast.us_cloud, "site.create", "/v1/sites", good)
    assert created.status_code == 201, created.text
    site = created.json()["site"]
    assert (site["country"], site["operator_id"]) == ("US", cast.us_cloud.id)
    assert site["networking"]["interconnect_gbit_s"] == 3200
    for bad, words in (
        ({"latitude": 91}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"networking": {"bandwidth": 1}}, "unknown networking key"),
        ({"networking": {"interconnect_gbit_s": -5}}, ">= 0"),
        ({"country": "XX"}, "country"),
    ):
        response = cast.act(cast.us_cloud, "site.create", "/v1/sites", {**good, **bad})
        assert response.status_code == 400 and words in response.json()["detail"], response.text
    assert cast.act(cast.us_reg, "site.create", "/v1/sites", good).status_code == 403
    assert [s["id"] for s in world.get(cast.us_cloud, "/v1/sites").json()["items"]] == [site["id"]]
    assert world.get(cast.us_reg, "/v1/sites").json()["total"] == 1
    assert world.get(cast.cn_reg, "/v1/sites").json()["total"] == 0
    assert world.get(cast.cn_cloud, "/v1/sites").json()["total"] == 0


def test_install_then_move_between_own_sites_records_custody_events(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4, custodian=cast.us_cloud)
    one = cast.site(cast.us_cloud, "US", "Ashburn 1")
    two = cast.site(cast.us_cloud, "US", "Dallas 2")

    def install(site: str, ids: list[str]) -> Any:
        body = {"site_id": site, "chips": ids}
        return cast.act(cast.us_cloud, "site.install", "/v1/sites/install", body)

    first = install(one, chips)
    assert first.status_code == 200, first.text
    assert sorted(first.json()["installed"]) == sorted(chips)
    moved = install(two, chips[:2])
    assert sorted(moved.json()["moved"]) == sorted(chips[:2]) and moved.json()["installed"] == []
    rows = chip_rows(world, chips)
    assert [rows[c]["site"] for c in chips] == [two, two, one, one]
    assert {r["status"] for r in rows.values()} == {"installed"}
    with world.store.transaction() as session:
        events = session.execute(
            sa.select(CustodyEvent.kind, CustodyEvent.details)
            .where(CustodyEvent.chip_id == chips[0])
            .order_by(CustodyEvent.id)
        ).all()
    assert [e[0] for e in events] == ["installed", "moved"]
    assert events[1][1] == {"site_id": two, "from_site_id": one}
    listed = {s["id"]: s["chips"] for s in world.get(cast.us_cloud, "/v1/sites").json()["items"]}
    assert listed == {one: 2, two: 2}


def test_install_refusals(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2, custodian=cast.us_cloud)
    theirs = add_chips(world, cast.maker, "H100 SXM", 1)
    us_site = cast.site(cast.us_cloud, "US")
    de_site = cast.site(cast.us_cloud, "DE", "Frankfurt")
    other_site = cast.site(cast.maker, "US")

    def install(site: str, ids: list[str]) -> Any:
        body = {"site_id": site, "chips": ids}
        return cast.act(cast.us_cloud, "site.install", "/v1/sites/install", body)

    abroad = install(de_site, chips)
    assert abroad.json()["reason"] == "other_country"
    assert "transfer" in abroad.json()["detail"]
    assert install(us_site, theirs).json()["reason"] == "not_custodian"
    assert install(other_site, chips).status_code == 403
    assert install("sit_nope", chips).status_code == 404
    assert install(us_site, chips).status_code == 200
    assert install(us_site, chips).json()["reason"] == "already_there"
