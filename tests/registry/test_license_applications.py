"""License applications over the real server on SQLite and PostgreSQL: what the registry
evaluates on receipt (instruments, review policies, its own evidence beside each
certification), the 50% condition counted from its custody records at known numbers, a gap
flagged and never refused, hard validation, KYC attestations, and a replayed envelope."""

from __future__ import annotations

from typing import Any

import pytest
from custody_setup import add_chips
from licensing_setup import H200, JAN_2026, Licensing, all_certified, certification

from computegov.registry.flags.models import Flag
from conftest import World


def _invalid(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["reason"] == "invalid_application" and problem["field"] == field, problem
    return problem


def _flags(world: World, kind: str = "certification_discrepancy") -> list[Flag]:
    with world.store.transaction() as session:
        return [f for f in session.query(Flag).all() if f.kind == kind]


def test_evaluation_shows_review_policy_and_evidence_at_the_50_percent_boundary(
    world: World,
) -> None:
    cast = Licensing(world)
    cast.seed_shipments(us=100, china=50)
    add_chips(world, cast.maker, H200, 10, country="US")  # what the application exports
    cast.attest(cast.cn_cloud)
    made = cast.applied()
    app = made["application"]
    assert app["status"] == "submitted" and app["pending"] and app["jurisdiction"] == "US"
    assert made["flags"] == []
    evaluation = app["evaluation"]
    model = evaluation["models"][H200]
    assert model["origin"] == "US" and model["held_by_country"] == {"US": 10}
    policies = {f["rule"]: (f["review"], f["review_rule"]) for f in model["fired"]}
    assert policies["bis-2023-10"] == ("case-by-case", JAN_2026)
    assert "bis-2023-10" in evaluation["instruments_fired"]
    assert evaluation["not_fired"] == []

    share = certification(app, "china_volume_share")
    assert share["status"] == "consistent"
    [evidence] = share["evidence"]
    assert evidence["registry"]["us"] == 100
    assert evidence["registry"]["shipped_china_macau"] == 50
    assert evidence["registry"]["licensed_outstanding_china_macau"] == 0
    assert evidence["registry"]["share"] == 0.5 and evidence["certified"]["share"] == 0.5
    assert evidence["share_with_application"] == 0.6
    assert certification(app, "origin_us")["evidence"] == {H200: 10}
    assert certification(app, "origin_us")["status"] == "in_us"
    assert certification(app, "consignee_kyc")["status"] == "on_file"
    assert certification(app, "screening")["status"] == "clear"
    assert certification(app, "lab_report")["status"] == "checked_per_shipment"
    words = [c for c in evaluation["certifications"] if c["registry_check"] is None]
    assert {c["status"] for c in words} == {"applicant_word"} and words
    assert _flags(world) == []


def test_one_chip_over_half_is_a_discrepancy_flagged_for_the_regulator_never_a_refusal(
    world: World,
) -> None:
    cast = Licensing(world)
    cast.seed_shipments(us=100, china=51)
    made = cast.applied(us_units_shipped={"us": 100, "china_macau": 51})
    app = made["application"]
    assert app["status"] == "submitted"  # filed and awaiting review, not refused
    share = certification(app, "china_volume_share")
    assert share["status"] == "discrepancy"
    kinds = {d["kind"] for d in share["evidence"][0]["discrepancies"]}
    assert kinds == {"registry_share_over_max", "certified_share_over_max"}
    [flag] = made["flags"]
    assert flag["kind"] == "certification_discrepancy" and flag["subject_id"] == app["id"]
    assert flag["countries"] == ["US"]
    # The licensing regulator sees it; the other jurisdiction's regulator does not.
    seen = world.get(cast.us_reg, "/v1/flags").json()["items"]
    assert [f["id"] for f in seen if f["kind"] == "certification_discrepancy"] == [flag["id"]]
    theirs = world.get(cast.cn_reg, "/v1/flags").json()["items"]
    assert [f for f in theirs if f["kind"] == "certification_discrepancy"] == []
    assert world.get(cast.us_reg, f"/v1/flags/{flag['id']}").status_code == 200
    # It carries the application's figures: not for the administrator either, by list or id.
    admins = world.get(world.admin, "/v1/flags").json()["items"]
    assert [f for f in admins if f["kind"] == "certification_discrepancy"] == []
    assert world.get(world.admin, f"/v1/flags/{flag['id']}").status_code == 403
    assert world.get(cast.cn_reg, f"/v1/flags/{flag['id']}").status_code == 403
    # Its close is read as the application is: the regulator's reason and the application id
    # open for the licensing regulator, not for the administrator.
    body = {"flag_id": flag["id"], "reason": "figures explained"}
    closed = cast.act(cast.us_reg, "flag.close", "/v1/flags/close", body)
    assert closed.status_code == 200, closed.text
    opening = f"/v1/log/openings/{closed.json()['entry_id']}"
    assert world.get(cast.us_reg, opening).status_code == 200
    assert world.get(world.admin, opening).status_code == 403


def test_certified_figures_far_from_the_registrys_count_are_flagged(world: World) -> None:
    cast = Licensing(world)
    cast.seed_shipments(us=100, china=40)
    made = cast.applied(us_units_shipped={"us": 100, "china_macau": 20})
    [evidence] = certification(made["application"], "china_volume_share")["evidence"]
    assert [d["kind"] for d in evidence["discrepancies"]] == ["china_macau_count_gap"]
    assert len(made["flags"]) == 1
    # Within the 5% tolerance: no flag.
    close = cast.applied(us_units_shipped={"us": 104, "china_macau": 40})
    assert close["flags"] == []
    assert certification(close["application"], "china_volume_share")["status"] == "consistent"


def test_chips_abroad_are_a_reexport_and_stay_a_presumption_of_denial(world: World) -> None:
    cast = Licensing(world)
    add_chips(world, cast.maker, H200, 10, country="TW")
    app = cast.applied()["application"]
    model = app["evaluation"]["models"][H200]
    assert model["origin"] == "TW"
    review = {f["rule"]: f["review"] for f in model["fired"]}
    assert review["bis-2023-10"] == "presumption of denial"
    assert certification(app, "origin_us")["status"] == "short"
    assert certification(app, "consignee_kyc")["status"] == "missing"


def test_the_applicant_does_not_see_counts_drawn_from_other_parties_records(
    world: World,
) -> None:
    cast = Licensing(world)
    cast.seed_shipments(us=4, china=2)
    # The Dutch distributor applies: the counted chips are the maker's, not its own.
    add_chips(world, cast.maker, H200, 3, country="US", custodian=cast.de_dist)
    made = cast.applied(cast.de_dist, quantity=3, value_usd=90_000)
    [shown] = certification(made["application"], "china_volume_share")["evidence"]
    assert shown["status"] == "withheld" and "registry" not in shown
    officer = world.get(cast.us_reg, f"/v1/license-applications/{made['application']['id']}")
    [full] = certification(officer.json(), "china_volume_share")["evidence"]
    assert full["registry"]["us"] == 4 and full["registry"]["china_macau"] == 2


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"ultimate_consignee_id": "pty_0000000000000000"}, "ultimate_consignee_id"),
        ({"end_user_ids": ["pty_nobody"]}, "end_user_ids"),
        ({"destination": "XX"}, "body"),
        ({"models": ["Quantum 9000"]}, "body"),
        ({"quantity": 0}, "body"),
        ({"quantity": 10**12}, "body"),
        ({"value_usd": 5}, "value_usd"),
        ({"value_usd": 10**12}, "value_usd"),
        ({"us_units_shipped": {"us": -1, "china_macau": 0}}, "body"),
        ({"classification": "5A992"}, "body"),
        ({"classification": "4A090.a"}, "chips_per_unit"),
        ({"classification": "4A090.a", "chips_per_unit": 8, "quantity": 12}, "quantity"),
        ({"chips_per_unit": 8}, "chips_per_unit"),
        ({"instruments": ["bis-2099-01"]}, "instruments"),
        ({"jurisdiction": "NL"}, "jurisdiction"),
        ({"certifications": {}}, "certifications"),
        ({"certifications": {**all_certified(JAN_2026), "consignee_kyc": False}}, "certifications"),
        ({"certifications": {**all_certified(JAN_2026), "made_up": True}}, "certifications"),
        ({"destination": "SG"}, "ultimate_consignee_id"),
        ({"surprise": 1}, "body"),
    ],
)
def test_bad_applications_are_refused_with_the_field(
    world: World, override: dict[str, Any], field: str
) -> None:
    cast = Licensing(world)
    _invalid(cast.apply(**override), field)


def test_officials_are_no_parties_to_an_export_and_officials_do_not_apply(world: World) -> None:
    cast = Licensing(world)
    _invalid(cast.apply(ultimate_consignee_id=cast.cn_reg.id), "ultimate_consignee_id")
    _invalid(cast.apply(purchaser_id=world.admin.id), "purchaser_id")
    _invalid(cast.apply(end_user_ids=[cast.auditor.id]), "end_user_ids")
    for official in (cast.us_reg, world.admin, cast.auditor):
        response = cast.apply(official)
        assert response.status_code == 403, response.text


def test_a_server_application_counts_chips(world: World) -> None:
    cast = Licensing(world)
    made = cast.applied(classification="4A090.a", chips_per_unit=8, quantity=16)
    assert made["application"]["form"]["chips_per_unit"] == 8
    assert made["application"]["quantity"] == 16


def test_a_replayed_application_envelope_is_refused(world: World) -> None:
    cast = Licensing(world)
    wire = world.envelope(cast.maker, "license.apply", cast.form())
    first = world.post(cast.maker, "/v1/license-applications", wire)
    assert first.status_code == 201, first.text
    again = world.post(cast.maker, "/v1/license-applications", wire)
    assert again.status_code == 401 and again.json()["reason"] == "replay", again.text
    listed = world.get(cast.maker, "/v1/license-applications").json()
    assert listed["total"] == 1


def test_kyc_attestations_are_current_for_twelve_months(world: World) -> None:
    from datetime import timedelta

    cast = Licensing(world)
    made = cast.attest(cast.cn_cloud)
    assert made.status_code == 201, made.text
    attestation = made.json()["attestation"]
    assert attestation["current"] and attestation["party_id"] == cast.cn_cloud.id
    mine = world.get(cast.cn_cloud, "/v1/kyc-attestations").json()
    assert [a["id"] for a in mine["items"]] == [attestation["id"]]
    assert world.get(cast.us_cloud, "/v1/kyc-attestations").json()["items"] == []
    assert world.get(cast.cn_reg, "/v1/kyc-attestations").json()["total"] == 1
    assert world.get(cast.us_reg, "/v1/kyc-attestations").json()["total"] == 0
    # Officials attest nothing.
    assert cast.attest(cast.us_reg).status_code == 403
    world.clock.advance(timedelta(days=366))
    app = cast.applied()["application"]
    assert certification(app, "consignee_kyc")["status"] == "missing"
