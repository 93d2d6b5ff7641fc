"""The three custody flags, each with its evidence, and who sees them at /v1/flags."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from custody_setup import Cast, add_chips

from computegov.registry.custody.flags import REFUSALS_THRESHOLD, UNCONFIRMED_AFTER, sweep_flags
from conftest import Actor, World


def _flags(world: World, reader: Actor, kind: str) -> list[dict[str, Any]]:
    response = world.get(reader, "/v1/flags")
    assert response.status_code == 200, response.text
    return [f for f in response.json()["items"] if f["kind"] == kind]


def test_licensed_transfer_to_a_firm_whose_parent_sits_in_china_is_flagged(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4)
    lic = cast.license(cast.us_reg, cast.maker, cast.de_sub, "DE", ["H100"], 4)
    assert lic.status_code == 201, lic.text
    declared = cast.declare(
        cast.maker, chips, cast.de_sub, "DE", license_id=lic.json()["license"]["id"]
    )
    assert declared.status_code == 201, declared.text
    [flag] = declared.json()["flags"]
    assert flag["kind"] == "hq_in_licensed_destination"
    evidence = flag["evidence"]
    assert [p["id"] for p in evidence["parent_chain"]] == [cast.de_sub.id, cast.cn_parent.id]
    assert evidence["ultimate_parent_hq"] == "CN"
    fired = {f["rule"] for f in evidence["models"]["H100 SXM"]["fired"]}
    assert fired == {"bis-2023-10", "bis-2025-04-h20"}
    assert flag["countries"] == ["CN", "DE", "US"]
    for regulator in (cast.us_reg, cast.cn_reg):
        assert [f["id"] for f in _flags(world, regulator, "hq_in_licensed_destination")] == [
            flag["id"]
        ]
    de_reg = world.create(world.admin, "regulator", "BAFA", "DE", jurisdiction=["FR"])
    assert _flags(world, de_reg, "hq_in_licensed_destination") == []


def test_transfer_to_a_domestic_parent_raises_no_flag(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    declared = cast.declare(cast.maker, chips, cast.us_cloud, "US")
    assert declared.status_code == 201 and declared.json()["flags"] == []


def test_repeated_refused_declarations_are_flagged_once_per_window(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    for _ in range(REFUSALS_THRESHOLD - 1):
        assert cast.declare(cast.maker, chips, cast.cn_cloud, "CN").status_code == 422
    assert sweep_flags(world.store) == []
    # Old refusals leave the window: one more now does not make three within 30 days.
    world.clock.advance(timedelta(days=31))
    assert cast.declare(cast.maker, chips, cast.cn_cloud, "CN").status_code == 422
    assert sweep_flags(world.store) == []
    for _ in range(REFUSALS_THRESHOLD - 1):
        assert cast.declare(cast.maker, chips, cast.cn_cloud, "CN").status_code == 422
    [flag] = sweep_flags(world.store)
    assert (flag["kind"], flag["subject_id"]) == ("repeated_refusals", cast.maker.id)
    assert flag["evidence"]["refusals"] == REFUSALS_THRESHOLD
    assert {i["reason"] for i in flag["evidence"]["items"]} == {"license_required"}
    assert sweep_flags(world.store) == []  # not again within the window
    assert [f["id"] for f in _flags(world, cast.us_reg, "repeated_refusals")] == [flag["id"]]


def test_unconfirmed_receipt_is_flagged_after_the_set_time(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    declared = cast.declare(cast.maker, chips, cast.us_cloud, "US")
    transfer_id = declared.json()["transfer"]["id"]
    other = add_chips(world, cast.maker, "H100 SXM", 1)
    done = cast.declare(cast.maker, other, cast.us_cloud, "US").json()["transfer"]["id"]
    body = {"transfer_id": done}
    confirm = cast.act(cast.us_cloud, "transfer.confirm", "/v1/transfers/confirm", body)
    assert confirm.status_code == 200
    world.clock.advance(UNCONFIRMED_AFTER - timedelta(minutes=1))
    assert sweep_flags(world.store) == []
    world.clock.advance(timedelta(minutes=2))
    [flag] = sweep_flags(world.store)
    assert (flag["kind"], flag["subject_id"]) == ("unconfirmed_receipt", transfer_id)
    assert flag["evidence"]["receiver_id"] == cast.us_cloud.id
    assert flag["evidence"]["limit_days"] == 14
    assert sweep_flags(world.store) == []
    assert len(_flags(world, cast.us_reg, "unconfirmed_receipt")) == 1
    assert _flags(world, cast.cn_reg, "unconfirmed_receipt") == []


def test_unlicensed_domestic_transfer_to_a_us_firm_with_a_chinese_parent_is_flagged(
    world: World,
) -> None:
    cast = Cast(world)
    us_sub = world.create(
        world.admin, "cloud_provider", "Palo Alto GPU LLC", "US", parent_id=cast.cn_parent.id
    )
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    # Within the US there is no export to license, so the transfer is allowed...
    declared = cast.declare(cast.maker, chips, us_sub, "US")
    assert declared.status_code == 201, declared.text
    assert declared.json()["transfer"]["license_required"] is False
    # ...and regulators are told where the buyer's parent sits.
    [flag] = declared.json()["flags"]
    assert flag["kind"] == "hq_in_licensed_destination"
    assert flag["evidence"]["license_id"] is None
    assert [p["hq_country"] for p in flag["evidence"]["parent_chain"]] == ["US", "CN"]
