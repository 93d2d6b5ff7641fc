"""A license's own terms over the real server on SQLite and PostgreSQL: value drawn down with
chips (and given back), validity, riders the registry checks, named parties and the
instruments a license is granted under; each attacked with the input that should fail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from custody_setup import Cast, add_chips, chip_rows

from computegov.instants import to_wire
from computegov.registry.licensing.models import ExportLicense
from conftest import Actor, World


def _refused(response: Any, reason: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["reason"] == reason, problem
    return problem


def issue(
    cast: Cast,
    consignee: Actor,
    destination: str,
    models: list[str],
    quantity: int,
    regulator: Actor | None = None,
    licensee: Actor | None = None,
    **terms: Any,
) -> Any:
    body = {
        "licensee_id": (licensee or cast.maker).id,
        "consignee_id": consignee.id,
        "destination": destination,
        "models": models,
        "quantity": quantity,
        "expires_at": "2027-01-01T00:00:00Z",
        **terms,
    }
    return cast.act(regulator or cast.us_reg, "license.issue", "/v1/licenses", body)


def issued(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    lic: dict[str, Any] = response.json()["license"]
    return lic


def _value_used(world: World, license_id: str) -> tuple[int, int]:
    with world.store.transaction() as session:
        lic = session.get(ExportLicense, license_id)
        assert lic is not None
        return lic.used, lic.used_value_usd


def test_the_license_view_shows_every_term(world: World) -> None:
    cast = Cast(world)
    lic = issued(
        issue(
            cast,
            cast.cn_cloud,
            "CN",
            ["H200"],
            100,
            value_usd=3_000_000,
            valid_from="2026-03-10",
            end_use_until="2031-03-10",
            instruments=["bis-2026-01-review", "bis-2023-10"],
            riders=[
                {"id": "max_chips_per_shipment", "value": 50},
                {"id": "no_reexport"},
                {"id": "R3", "text": "Quarterly end-use reports to BIS."},
            ],
            named_parties=[{"role": "end_user", "party_id": cast.cn_parent.id}],
        )
    )
    assert (lic["value_usd"], lic["used_value_usd"], lic["remaining_value_usd"]) == (
        3_000_000,
        0,
        3_000_000,
    )
    assert lic["valid_from"].startswith("2026-03-10") and lic["status"] == "active"
    assert lic["end_use_until"].startswith("2031-03-10")
    assert lic["granted_under"] == ["bis-2023-10", "bis-2026-01-review"]
    assert "bis-2026-01-review" in lic["instruments"]
    assert [(r["id"], r["checked"]) for r in lic["riders"]] == [
        ("max_chips_per_shipment", True),
        ("no_reexport", True),
        ("R3", False),
    ]
    assert lic["named_parties"] == [{"role": "end_user", "party_id": cast.cn_parent.id}]
    shown = world.get(cast.cn_cloud, f"/v1/licenses/{lic['id']}").json()
    assert shown["riders"] == lic["riders"] and shown["remaining_value_usd"] == 3_000_000
    # Without terms: valid from its issue, no value limit, granted under nothing named.
    plain = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 5))
    assert plain["valid_from"] == plain["issued_at"] and plain["remaining_value_usd"] is None
    assert plain["granted_under"] == [] and plain["riders"] == []


def test_bad_terms_are_refused(world: World) -> None:
    cast = Cast(world)
    nl_reg = world.create(world.admin, "regulator", "NL Customs", "NL", jurisdiction=["NL"])
    nl_dist = world.create(world.admin, "distributor", "Eindhoven Chips BV", "NL")
    lab = world.create(world.admin, "test_lab", "US Test Lab", "US")
    cases: list[tuple[Any, str]] = [
        (issue(cast, cast.cn_cloud, "CN", ["H200"], 5, instruments=["bis-2099-01"]), "bis-2099"),
        (
            issue(
                cast, cast.cn_cloud, "CN", ["H100"], 5, nl_reg, nl_dist, instruments=["bis-2023-10"]
            ),
            "NL administers",
        ),
        (issue(cast, cast.cn_cloud, "CN", ["H200"], 5, value_usd=0), "value_usd"),
        (issue(cast, cast.cn_cloud, "CN", ["H200"], 5, valid_from="2027-02-01"), "valid_from"),
        (
            issue(
                cast, cast.cn_cloud, "CN", ["H200"], 5, riders=[{"id": "max_chips_per_shipment"}]
            ),
            "takes a `value`",
        ),
        (
            issue(
                cast, cast.cn_cloud, "CN", ["H200"], 5, riders=[{"id": "no_reexport", "value": 3}]
            ),
            "takes no `value`",
        ),
        (issue(cast, cast.cn_cloud, "CN", ["H200"], 5, riders=[{"id": "R1"}]), "give its text"),
        (
            issue(
                cast,
                cast.cn_cloud,
                "CN",
                ["H200"],
                5,
                named_parties=[{"role": "buyer", "party_id": cast.cn_parent.id}],
            ),
            "role 'buyer'",
        ),
        (
            issue(
                cast,
                cast.cn_cloud,
                "CN",
                ["H200"],
                5,
                named_parties=[{"role": "end_user", "party_id": lab.id}],
            ),
            "test_lab",
        ),
        (issue(cast, cast.cn_cloud, "CN", ["H200"], 5, licensee=lab), "a licensee holds chips"),
    ]
    for response, words in cases:
        assert response.status_code == 400, response.text
        assert words in response.json()["detail"], (words, response.json()["detail"])
    unknown = issue(
        cast,
        cast.cn_cloud,
        "CN",
        ["H200"],
        5,
        named_parties=[{"role": "end_user", "party_id": "pty_x"}],
    )
    assert unknown.status_code == 404


def test_value_is_drawn_down_refused_when_exhausted_and_given_back(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 12)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 12, value_usd=1000))
    no_value = cast.declare(cast.maker, chips[:4], cast.cn_cloud, "CN", license_id=lic["id"])
    assert _refused(no_value, "shipment_evidence_missing")["missing"] == ["value_usd"]
    first = cast.declare(
        cast.maker, chips[:4], cast.cn_cloud, "CN", license_id=lic["id"], value_usd=600
    )
    assert first.status_code == 201, first.text
    assert first.json()["transfer"]["licenses"][0]["value_usd"] == 600
    assert first.json()["transfer"]["evidence"]["value_usd"] == 600
    assert _value_used(world, lic["id"]) == (4, 600)
    over = cast.declare(
        cast.maker, chips[4:8], cast.cn_cloud, "CN", license_id=lic["id"], value_usd=401
    )
    assert _refused(over, "license_value_exhausted")["remaining_value_usd"] == 400
    assert {c["status"] for c in chip_rows(world, chips[4:8]).values()} == {"in_stock"}
    exact = cast.declare(
        cast.maker, chips[4:8], cast.cn_cloud, "CN", license_id=lic["id"], value_usd=400
    )
    assert exact.status_code == 201, exact.text
    shown = world.get(cast.maker, f"/v1/licenses/{lic['id']}").json()
    assert (shown["used_value_usd"], shown["remaining_value_usd"]) == (1000, 0)
    # A shipment of no value still counts chips; cancelling gives chips and value back.
    body = {"transfer_id": first.json()["transfer"]["id"]}
    assert cast.act(cast.maker, "transfer.cancel", "/v1/transfers/cancel", body).status_code == 200
    assert _value_used(world, lic["id"]) == (4, 400)


def test_value_is_split_over_the_licenses_by_chips_drawn(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2) + add_chips(world, cast.maker, "H20", 2)
    h100 = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 2, value_usd=600))
    h20 = issued(issue(cast, cast.cn_cloud, "CN", ["H20"], 2))  # no value limit
    declared = cast.declare(
        cast.maker, chips, cast.cn_cloud, "CN", licenses=[h100["id"], h20["id"]], value_usd=1001
    )
    assert declared.status_code == 201, declared.text
    drawn = {x["license_id"]: x["value_usd"] for x in declared.json()["transfer"]["licenses"]}
    assert drawn == {h100["id"]: 501, h20["id"]: 501}  # half each, rounded up
    assert _value_used(world, h100["id"]) == (2, 501)
    assert _value_used(world, h20["id"]) == (2, 501)


def test_a_license_not_yet_valid_is_refused_until_it_is(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    start = world.clock.now() + timedelta(days=3)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 2, valid_from=to_wire(start)))
    early = cast.declare(cast.maker, chips, cast.cn_cloud, "CN", license_id=lic["id"])
    assert "valid from" in _refused(early, "license_not_yet_valid")["detail"]
    world.clock.advance(timedelta(days=3))
    later = cast.declare(cast.maker, chips, cast.cn_cloud, "CN", license_id=lic["id"])
    assert later.status_code == 201, later.text


def test_per_shipment_riders_are_checked(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 6)
    riders = [
        {"id": "max_chips_per_shipment", "value": 2},
        {"id": "max_value_per_shipment_usd", "value": 100},
        {"id": "R9", "text": "No use for military end uses."},
    ]
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 6, riders=riders))
    many = cast.declare(cast.maker, chips[:3], cast.cn_cloud, "CN", license_id=lic["id"])
    assert _refused(many, "license_rider")["rider"] == "max_chips_per_shipment"
    dear = cast.declare(
        cast.maker, chips[:2], cast.cn_cloud, "CN", license_id=lic["id"], value_usd=101
    )
    assert _refused(dear, "license_rider")["rider"] == "max_value_per_shipment_usd"
    ok = cast.declare(
        cast.maker, chips[:2], cast.cn_cloud, "CN", license_id=lic["id"], value_usd=100
    )
    assert ok.status_code == 201, ok.text


def test_no_reexport_rider_follows_the_chips_out_of_the_destination(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4)
    lic = issued(issue(cast, cast.de_sub, "DE", ["H100"], 4, riders=[{"id": "no_reexport"}]))
    declared = cast.declare(cast.maker, chips, cast.de_sub, "DE", license_id=lic["id"])
    assert declared.status_code == 201, declared.text
    body = {"transfer_id": declared.json()["transfer"]["id"]}
    assert (
        cast.act(cast.de_sub, "transfer.confirm", "/v1/transfers/confirm", body).status_code == 200
    )
    fr = world.create(world.admin, "cloud_provider", "Paris Cloud SAS", "FR")
    out = cast.declare(cast.de_sub, chips[:2], fr, "FR")
    problem = _refused(out, "license_rider")
    assert problem["rider"] == "no_reexport" and problem["license_ids"] == [lic["id"]]
    # Within Germany the chips may move (the rider is about leaving it).
    de = world.create(world.admin, "cloud_provider", "Munich Cloud GmbH", "DE")
    assert cast.declare(cast.de_sub, chips[:2], de, "DE").status_code == 201
    # Out of Germany under another US license it may go.
    other = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 2, licensee=cast.de_sub))
    moved = cast.declare(cast.de_sub, chips[2:], cast.cn_cloud, "CN", license_id=other["id"])
    assert moved.status_code == 201, moved.text


def test_no_reexport_lapses_with_the_end_use_condition(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    until = to_wire(world.clock.now() + timedelta(days=30))
    rider = [{"id": "no_reexport"}]
    lic = issued(issue(cast, cast.de_sub, "DE", ["H100"], 2, riders=rider, end_use_until=until))
    declared = cast.declare(cast.maker, chips, cast.de_sub, "DE", license_id=lic["id"])
    body = {"transfer_id": declared.json()["transfer"]["id"]}
    assert (
        cast.act(cast.de_sub, "transfer.confirm", "/v1/transfers/confirm", body).status_code == 200
    )
    fr = world.create(world.admin, "cloud_provider", "Paris Cloud SAS", "FR")
    _refused(cast.declare(cast.de_sub, chips, fr, "FR"), "license_rider")
    world.clock.advance(timedelta(days=31))
    assert cast.declare(cast.de_sub, chips, fr, "FR").status_code == 201


def test_an_intermediate_consignee_the_license_names_may_receive(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4)
    forwarder = world.create(world.admin, "distributor", "Shanghai Forwarding Co", "CN")
    named = [{"role": "intermediate_consignee", "party_id": forwarder.id}]
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 4, named_parties=named))
    via = cast.declare(cast.maker, chips[:2], forwarder, "CN", license_id=lic["id"])
    assert via.status_code == 201, via.text
    stranger = cast.declare(cast.maker, chips[2:], cast.cn_parent, "CN", license_id=lic["id"])
    problem = _refused(stranger, "license_mismatch")
    assert problem["field"] == "consignee" and forwarder.id in problem["detail"]
