"""Transfers over the real server on SQLite and PostgreSQL: every refusal with its reason,
license draw-down, confirmation and cancellation, and what custody looks like after."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from custody_setup import Cast, add_chips, chip_rows, itn, set_status

from computegov.registry.custody.models import CustodyEvent
from computegov.registry.licensing.models import ExportLicense
from computegov.registry.tables import RefusedAction
from conftest import World


def _reason(response: object) -> str:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    return str(response.json()["reason"])  # type: ignore[attr-defined]


def test_h100_to_china_without_license_is_refused_naming_each_instrument(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 8)
    response = cast.declare(cast.maker, chips, cast.cn_cloud, "CN")
    assert _reason(response) == "license_required"
    problem = response.json()
    assert problem["type"].endswith("/refused")
    # On 2026-03-02 both the 2023 rule (CN is D:1/D:4/D:5) and the April 2025 H20 letter apply.
    assert {f["rule"] for f in problem["fired"]} == {"bis-2023-10", "bis-2025-04-h20"}
    assert all(f["model"] == "H100 SXM" and f["citation"] and f["reason"] for f in problem["fired"])
    assert "bis-2023-10" in problem["detail"]
    assert {c["status"] for c in chip_rows(world, chips).values()} == {"in_stock"}
    with world.store.transaction() as session:
        refused = session.scalars(sa.select(RefusedAction)).all()
    assert [(r.party_id, r.reason) for r in refused] == [(cast.maker.id, "license_required")]


def test_before_the_2023_rule_only_the_2022_rule_fires(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    world.clock.set(world.clock.now().replace(year=2023, month=3, day=1))
    response = cast.declare(cast.maker, chips, cast.cn_cloud, "CN")
    assert _reason(response) == "license_required"
    assert [f["rule"] for f in response.json()["fired"]] == ["bis-2022-10"]


def test_headquarters_test_applies_to_a_transfer_inside_germany(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4, country="DE", custodian=cast.de_dist)
    refused = cast.declare(cast.de_dist, chips, cast.de_sub, "DE")
    assert _reason(refused) == "license_required"
    reasons = " ".join(f["reason"] for f in refused.json()["fired"])
    assert "headquartered in CN" in reasons
    # The same chips to a German buyer with a German parent need nothing.
    own = add_chips(world, cast.maker, "H100 SXM", 2, country="DE", custodian=cast.de_dist)
    other = world.create(world.admin, "cloud_provider", "Munich Cloud GmbH", "DE")
    assert cast.declare(cast.de_dist, own, other, "DE").status_code == 201


def test_license_drawn_down_across_transfers_then_exhausted_and_given_back(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 20)
    issued = cast.license(cast.us_reg, cast.maker, cast.cn_cloud, "CN", ["H100"], 12)
    assert issued.status_code == 201, issued.text
    lic = issued.json()["license"]
    assert lic["models"] == ["H100 SXM"] and lic["remaining"] == 12
    first = cast.declare(cast.maker, chips[:8], cast.cn_cloud, "CN", license_id=lic["id"])
    assert first.status_code == 201, first.text
    transfer = first.json()["transfer"]
    assert transfer["license_id"] == lic["id"] and transfer["license_required"] is True
    second = cast.declare(cast.maker, chips[8:16], cast.cn_cloud, "CN", license_id=lic["id"])
    assert _reason(second) == "license_exhausted"
    assert second.json()["remaining"] == 4
    third = cast.declare(cast.maker, chips[8:12], cast.cn_cloud, "CN", license_id=lic["id"])
    assert third.status_code == 201, third.text
    shown = world.get(cast.maker, f"/v1/licenses/{lic['id']}").json()
    assert (shown["used"], shown["remaining"]) == (12, 0)
    assert (
        _reason(cast.declare(cast.maker, chips[12:13], cast.cn_cloud, "CN", license_id=lic["id"]))
        == "license_exhausted"
    )
    # Cancelling the first gives its 8 back.
    cancel = cast.act(
        cast.maker, "transfer.cancel", "/v1/transfers/cancel", {"transfer_id": transfer["id"]}
    )
    assert cancel.status_code == 200, cancel.text
    with world.store.transaction() as session:
        assert session.get(ExportLicense, lic["id"]).used == 4  # type: ignore[union-attr]


def test_expired_license_is_refused_at_the_servers_receipt_time(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    expiry = (world.clock.now() + timedelta(days=10)).isoformat()
    lic = cast.license(cast.us_reg, cast.maker, cast.cn_cloud, "CN", ["H100 SXM"], 10, expiry)
    assert lic.status_code == 201, lic.text
    world.clock.advance(timedelta(days=11))
    response = cast.declare(
        cast.maker, chips, cast.cn_cloud, "CN", license_id=lic.json()["license"]["id"]
    )
    assert _reason(response) == "license_expired"


def test_license_that_does_not_match_names_the_field(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    h20s = add_chips(world, cast.maker, "H20", 2)

    def lic(licensee: object, consignee: object, dest: str, models: list[str]) -> str:
        r = cast.license(cast.us_reg, licensee, consignee, dest, models, 10)  # type: ignore[arg-type]
        assert r.status_code == 201, r.text
        return str(r.json()["license"]["id"])

    cases = [
        (lic(cast.us_cloud, cast.cn_cloud, "CN", ["H100"]), chips, "licensee"),
        (lic(cast.maker, cast.de_sub, "CN", ["H100"]), chips, "consignee"),
        (lic(cast.maker, cast.cn_cloud, "HK", ["H100"]), chips, "destination"),
        (lic(cast.maker, cast.cn_cloud, "CN", ["H100"]), chips + h20s, "models"),
    ]
    for license_id, moved, field in cases:
        response = cast.declare(cast.maker, moved, cast.cn_cloud, "CN", license_id=license_id)
        assert _reason(response) == "license_mismatch", field
        assert response.json()["field"] == field
    assert (
        _reason(cast.declare(cast.maker, chips, cast.cn_cloud, "CN", license_id="lic_nope"))
        == "unknown_license"
    )


def test_a_regulator_licenses_only_exporters_in_its_jurisdiction(world: World) -> None:
    cast = Cast(world)
    response = cast.license(cast.cn_reg, cast.maker, cast.cn_cloud, "CN", ["H100"], 5)
    assert response.status_code == 403, response.text
    bad_model = cast.license(cast.us_reg, cast.maker, cast.cn_cloud, "CN", ["H1000"], 5)
    assert bad_model.status_code == 400 and "unknown chip" in bad_model.json()["detail"]
    past = cast.license(cast.us_reg, cast.maker, cast.cn_cloud, "CN", ["H100"], 5, "2020-01-01")
    assert past.status_code == 400 and "expires_at" in past.json()["detail"]
    assert cast.license(cast.maker, cast.maker, cast.cn_cloud, "CN", ["H100"], 5).status_code == 403


def test_only_the_custodian_moves_and_a_chip_in_transit_cannot_be_declared_again(
    world: World,
) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 3)
    assert _reason(cast.declare(cast.us_cloud, chips, cast.us_cloud, "US")) == "not_custodian"
    assert cast.declare(cast.maker, chips[:2], cast.us_cloud, "US").status_code == 201
    again = cast.declare(cast.maker, chips, cast.us_cloud, "US")
    assert _reason(again) == "in_transit"
    assert chips[0] in again.json()["detail"]
    set_status(world, chips[2:], "stolen")
    assert _reason(cast.declare(cast.maker, chips[2:], cast.us_cloud, "US")) == "chip_unavailable"
    assert _reason(cast.declare(cast.maker, ["chp_missing"], cast.us_cloud, "US")) == "unknown_chip"
    ref = {"vendor": "NVIDIA", "serial": "no-such-serial"}
    missing = cast.declare(cast.maker, [ref], cast.us_cloud, "US")
    assert (
        _reason(missing) == "unknown_chip" and "NVIDIA/no-such-serial" in missing.json()["detail"]
    )
    fresh = add_chips(world, cast.maker, "H100 SXM", 1)
    assert _reason(cast.declare(cast.maker, fresh, cast.us_reg, "US")) == "bad_receiver"
    assert _reason(cast.declare(cast.maker, fresh, cast.us_reg, "US")) == "bad_receiver"


def test_chips_named_by_vendor_and_serial(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    rows = chip_rows(world, chips)
    refs = [{"vendor": "NVIDIA", "serial": rows[c]["serial"]} for c in chips]
    response = cast.declare(cast.maker, refs, cast.us_cloud, "US")
    assert response.status_code == 201, response.text
    assert sorted(response.json()["transfer"]["chips"]) == sorted(chips)


def test_screened_receiver_is_refused_naming_the_list_entry(world: World) -> None:
    cast = Cast(world)
    csv = "name,source,alt_names\nShanghai Compute Co,Entity List (15 CFR 744 Supp. 4),\n"
    imported = cast.act(
        cast.us_reg, "screening.import", "/v1/screening/lists", {"name": "el", "csv": csv}
    )
    assert imported.status_code == 201, imported.text
    chips = add_chips(world, cast.maker, "L40S", 1)
    response = cast.declare(cast.maker, chips, cast.cn_cloud, "CN")
    assert _reason(response) == "screened_receiver"
    assert response.json()["entry"]["name"] == "Shanghai Compute Co"
    assert "Entity List" in response.json()["detail"]


def test_destination_site_must_be_the_receivers_in_the_destination(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    mine = cast.site(cast.maker, "US")
    theirs_de = cast.site(cast.us_cloud, "DE")
    for site in (mine, theirs_de):
        response = cast.declare(cast.maker, chips, cast.us_cloud, "US", destination_site_id=site)
        assert _reason(response) == "site_mismatch"


def test_confirm_moves_custody_to_the_receivers_site(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 3)
    site = cast.site(cast.us_cloud, "US", "Ashburn 1")
    declared = cast.declare(cast.maker, chips, cast.us_cloud, "US", destination_site_id=site)
    assert declared.status_code == 201, declared.text
    transfer_id = declared.json()["transfer"]["id"]
    assert {c["status"] for c in chip_rows(world, chips).values()} == {"in_transit"}
    incoming = world.get(
        cast.us_cloud, "/v1/transfers", params={"role": "incoming", "status": "pending"}
    )
    assert [t["id"] for t in incoming.json()["items"]] == [transfer_id]
    assert world.get(cast.cn_cloud, "/v1/transfers").json()["total"] == 0
    body = {"transfer_id": transfer_id}
    assert (
        _reason(cast.act(cast.maker, "transfer.confirm", "/v1/transfers/confirm", body))
        == "not_receiver"
    )
    assert (
        cast.act(cast.cn_cloud, "transfer.confirm", "/v1/transfers/confirm", body).status_code
        == 403
    )
    confirmed = cast.act(cast.us_cloud, "transfer.confirm", "/v1/transfers/confirm", body)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["transfer"]["status"] == "completed"
    rows = chip_rows(world, chips)
    assert {(r["custodian"], r["country"], r["site"], r["status"]) for r in rows.values()} == {
        (cast.us_cloud.id, "US", site, "installed")
    }
    assert (
        _reason(cast.act(cast.maker, "transfer.cancel", "/v1/transfers/cancel", body))
        == "not_pending"
    )
    assert (
        _reason(cast.act(cast.us_cloud, "transfer.confirm", "/v1/transfers/confirm", body))
        == "not_pending"
    )
    with world.store.transaction() as session:
        kinds = session.scalars(
            sa.select(CustodyEvent.kind)
            .where(CustodyEvent.chip_id == chips[0])
            .order_by(CustodyEvent.id)
        ).all()
        entries = session.scalars(
            sa.select(CustodyEvent.entry_id).where(CustodyEvent.chip_id == chips[0])
        ).all()
    assert kinds == ["transfer_declared", "transfer_completed"]
    assert declared.json()["entry_id"] in entries and confirmed.json()["entry_id"] in entries
    shown = world.get(cast.us_cloud, f"/v1/transfers/{transfer_id}").json()
    assert shown["closing_entry_id"] == confirmed.json()["entry_id"]
    assert shown["regime"]["end_user_hq"] == "US" and sorted(shown["chips"]) == sorted(chips)
    assert world.get(cast.cn_cloud, f"/v1/transfers/{transfer_id}").status_code == 403
    # The receiver now holds them and can move them on.
    assert cast.declare(cast.us_cloud, chips, cast.us_cloud, "US").status_code == 201


def test_cancel_returns_chips_to_their_previous_status(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    site = cast.site(cast.maker, "US")
    installed = cast.act(
        cast.maker, "site.install", "/v1/sites/install", {"site_id": site, "chips": chips[:1]}
    )
    assert installed.status_code == 200, installed.text
    declared = cast.declare(cast.maker, chips, cast.us_cloud, "US")
    transfer_id = declared.json()["transfer"]["id"]
    body = {"transfer_id": transfer_id}
    assert (
        _reason(cast.act(cast.us_cloud, "transfer.cancel", "/v1/transfers/cancel", body))
        == "not_sender"
    )
    cancelled = cast.act(cast.maker, "transfer.cancel", "/v1/transfers/cancel", body)
    assert cancelled.status_code == 200, cancelled.text
    rows = chip_rows(world, chips)
    assert (rows[chips[0]]["status"], rows[chips[0]]["site"]) == ("installed", site)
    assert (rows[chips[1]]["status"], rows[chips[1]]["custodian"]) == ("in_stock", cast.maker.id)
    assert (
        _reason(cast.act(cast.us_cloud, "transfer.confirm", "/v1/transfers/confirm", body))
        == "not_pending"
    )


def test_dry_run_declares_nothing(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    wire = world.envelope(
        cast.maker,
        "transfer.declare",
        {"chips": chips, "receiver_id": cast.us_cloud.id, "destination_country": "US"},
    )
    response = world.post(cast.maker, "/v1/transfers", wire, params={"dry_run": "true"})
    assert response.status_code == 201 and response.json()["dry_run"] is True
    assert {c["status"] for c in chip_rows(world, chips).values()} == {"in_stock"}


def test_a_retried_declaration_returns_the_first_result_and_draws_down_once(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4)
    lic = cast.license(cast.us_reg, cast.maker, cast.cn_cloud, "CN", ["H100"], 10).json()
    body = {
        "chips": chips,
        "receiver_id": cast.cn_cloud.id,
        "destination_country": "CN",
        "license_id": lic["license"]["id"],
        "export_filing_ref": itn(world),
        "destination_control_statement": True,
    }
    wire = world.envelope(cast.maker, "transfer.declare", body)
    headers = {"Idempotency-Key": "declare-4-h100"}
    first = world.post(cast.maker, "/v1/transfers", wire, headers=headers)
    again = world.post(cast.maker, "/v1/transfers", wire, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    shown = world.get(cast.maker, f"/v1/licenses/{lic['license']['id']}").json()
    assert shown["used"] == 4
    assert world.get(cast.maker, "/v1/transfers").json()["total"] == 1
