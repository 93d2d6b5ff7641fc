"""A regulator's decision steps on an application over the real server (SQLite and
PostgreSQL): only a regulator of its jurisdiction decides; the EAR's state machine refuses
illegal steps; an intent to deny gives the applicant 20 days; an approval with riders grants
a license that a transfer cites; a denial is appealed once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from custody_setup import add_chips
from licensing_setup import H200, Licensing

from conftest import World


def _not_allowed(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["reason"] == "step_not_allowed", problem
    return problem


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def test_only_a_regulator_of_the_jurisdiction_decides(world: World) -> None:
    cast = Licensing(world)
    app_id = cast.applied()["application"]["id"]
    # Another jurisdiction's regulator learns nothing, not even that the application exists.
    for other in (cast.cn_reg, cast.nl_reg):
        refused = cast.step(other, app_id, "approve")
        nobody = "app_0000000000000000"
        unknown = cast.step(other, nobody, "approve")
        assert refused.status_code == unknown.status_code == 404, refused.text
        shown = {k: v for k, v in refused.json().items() if k != "instance"}
        alike = {k: v for k, v in unknown.json().items() if k != "instance"}
        assert str(shown).replace(app_id, nobody) == str(alike)
    for party in (cast.maker, cast.cn_cloud, world.admin, cast.auditor):
        assert cast.step(party, app_id, "approve").status_code == 403
    assert cast.step(cast.us_reg, "app_0000000000000000", "approve").status_code == 404
    # The path and the signed id must agree.
    wire = world.envelope(
        cast.us_reg, "license.decide", {"application_id": app_id, "step": "approve"}
    )
    crossed = world.post(cast.us_reg, "/v1/license-applications/app_1/decision", wire)
    assert crossed.status_code == 400, crossed.text
    shown = world.get(cast.maker, f"/v1/license-applications/{app_id}").json()
    assert shown["status"] == "submitted" and shown["license_id"] is None


def test_approval_with_riders_grants_a_license_a_transfer_cites(world: World) -> None:
    cast = Licensing(world)
    chips = add_chips(world, cast.maker, H200, 10, country="US")
    app_id = cast.applied()["application"]["id"]
    referred = _ok(cast.step(cast.us_reg, app_id, "refer", agencies=["defense", "state"]))
    step = referred["application"]["steps"][-1]
    assert step["step"] == "referred"
    assert [a["id"] for a in step["details"]["agencies"]] == ["defense", "state"]
    assert step["details"]["agencies"][0]["answer_due"] == "2026-04-01T09:00:00Z"
    riders = [{"id": "no-remote-access", "text": "no access by parties outside China"}]
    approved = _ok(
        cast.step(cast.us_reg, app_id, "approve", riders=riders, valid_until="2027-03-02"), 201
    )
    lic = approved["license"]
    assert approved["application"]["status"] == "approved"
    assert approved["application"]["license_id"] == lic["id"]
    assert (lic["licensee_id"], lic["consignee_id"], lic["destination"]) == (
        cast.maker.id,
        cast.cn_cloud.id,
        "CN",
    )
    assert lic["jurisdiction"] == "US" and lic["quantity"] == 10
    assert lic["expires_at"] == "2027-03-02T00:00:00Z"
    with world.store.transaction() as session:
        from computegov.registry.licensing.models import ExportLicense

        row = session.get(ExportLicense, lic["id"])
        assert row is not None
        assert row.riders == riders and row.value_usd == 320_000 and row.status == "active"
        assert row.application_id == app_id and row.instruments == [
            "bis-2023-10",
            "bis-2026-01-review",
        ]
        assert {p["role"] for p in row.named_parties} == {"purchaser", "end_user"}
    # The license covers the export: the transfer is declared under it, with its value and
    # (under the January 2026 rule) a US test lab's report on every chip, and drawn down.
    lab = world.create(world.admin, "test_lab", "Austin Test Lab", "US")
    reviewed = (world.clock.now() - timedelta(hours=1)).isoformat()
    report = cast.act(
        lab, "lab.report", "/v1/lab-reports", {"chips": chips, "reviewed_at": reviewed}
    )
    assert report.status_code == 201, report.text
    declared = cast.declare(
        cast.maker,
        chips,
        cast.cn_cloud,
        "CN",
        license_id=lic["id"],
        value_usd=320_000,
        lab_report_ids=[report.json()["lab_report"]["id"]],
    )
    assert declared.status_code == 201, declared.text
    shown = world.get(cast.maker, f"/v1/licenses/{lic['id']}").json()
    assert (shown["used"], shown["remaining_value_usd"]) == (10, 0)
    # Approved is final.
    for step_name in ("approve", "deny", "return", "refer", "intent_to_deny"):
        _not_allowed(cast.step(cast.us_reg, app_id, step_name, reason="again"))


def test_approve_in_part_grants_less(world: World) -> None:
    cast = Licensing(world)
    app_id = cast.applied()["application"]["id"]
    bad = cast.step(cast.us_reg, app_id, "approve_in_part", quantity=10, value_usd=320_000)
    assert bad.status_code == 400, bad.text
    more = cast.step(cast.us_reg, app_id, "approve_in_part", quantity=11)
    assert more.status_code == 400, more.text
    part = cast.step(cast.us_reg, app_id, "approve_in_part", quantity=4, value_usd=128_000)
    done = _ok(part, 201)
    assert done["application"]["status"] == "approved_in_part"
    assert done["license"]["quantity"] == 4


def test_intent_to_deny_then_an_answer_within_twenty_days_only(world: World) -> None:
    cast = Licensing(world)
    app_id = cast.applied()["application"]["id"]
    assert cast.step(cast.us_reg, app_id, "intent_to_deny").status_code == 400  # no reason
    noticed = _ok(cast.step(cast.us_reg, app_id, "intent_to_deny", reason="end user concerns"))
    assert noticed["application"]["respond_by"] == "2026-03-22T09:00:00Z"
    # No denial before the answer or the 20 days.
    _not_allowed(cast.step(cast.us_reg, app_id, "deny", reason="denied"))
    world.clock.advance(timedelta(days=20, seconds=1))
    late = _not_allowed(cast.answer(app_id))
    assert "ended at 2026-03-22T09:00:00Z" in late["detail"]
    denied = _ok(cast.step(cast.us_reg, app_id, "deny", reason="no answer"))
    assert denied["application"]["status"] == "denied"
    assert [s["step"] for s in denied["application"]["steps"]] == [
        "submitted",
        "intent_to_deny",
        "denied",
    ]


def test_an_answer_lets_the_regulator_decide_either_way(world: World) -> None:
    cast = Licensing(world)
    first = cast.applied()["application"]["id"]
    second = cast.applied()["application"]["id"]
    _not_allowed(cast.answer(first))  # nothing to answer yet
    for app_id in (first, second):
        _ok(cast.step(cast.us_reg, app_id, "intent_to_deny", reason="concerns"))
        _ok(cast.answer(app_id, "the end user is a commercial cloud"))
        _not_allowed(cast.answer(app_id))  # once
    assert cast.step(cast.us_reg, first, "approve").status_code == 201
    assert _ok(cast.step(cast.us_reg, second, "deny", reason="still"))["application"]["status"] == (
        "denied"
    )
    # Only the applicant answers: another party is told the application does not exist.
    path = f"/v1/license-applications/{second}/answer"
    other = cast.act(
        cast.us_cloud, "license.answer", path, {"application_id": second, "text": "me"}
    )
    assert other.status_code == 404, other.text


def test_a_denial_is_appealed_once_within_45_days(world: World) -> None:
    cast = Licensing(world)
    app_id = cast.applied()["application"]["id"]
    _not_allowed(cast.appeal(app_id))  # nothing denied
    _not_allowed(cast.step(cast.us_reg, app_id, "appeal_decision", reason="x", outcome="upheld"))
    _ok(cast.step(cast.us_reg, app_id, "intent_to_deny", reason="concerns"))
    _ok(cast.answer(app_id))
    _ok(cast.step(cast.us_reg, app_id, "deny", reason="denied"))
    _not_allowed(cast.step(cast.us_reg, app_id, "approve"))  # no approving a denial
    appealed = _ok(cast.appeal(app_id))["application"]
    assert appealed["appealed"] and appealed["pending"] and appealed["status"] == "denied"
    _not_allowed(cast.appeal(app_id))
    upheld = _ok(
        cast.step(cast.us_reg, app_id, "appeal_decision", reason="upheld", outcome="upheld")
    )
    assert upheld["application"]["status"] == "denied" and not upheld["application"]["appealed"]
    _not_allowed(cast.appeal(app_id))  # the denial is final

    late = cast.applied()["application"]["id"]
    _ok(cast.step(cast.us_reg, late, "intent_to_deny", reason="concerns"))
    world.clock.advance(timedelta(days=21))
    _ok(cast.step(cast.us_reg, late, "deny", reason="no answer"))
    world.clock.advance(timedelta(days=46))
    _not_allowed(cast.appeal(late))


def test_a_remanded_appeal_goes_back_to_review_and_returned_is_final(world: World) -> None:
    cast = Licensing(world)
    app_id = cast.applied()["application"]["id"]
    _ok(cast.step(cast.us_reg, app_id, "intent_to_deny", reason="concerns"))
    _ok(cast.answer(app_id))
    _ok(cast.step(cast.us_reg, app_id, "deny", reason="denied"))
    _ok(cast.appeal(app_id))
    remanded = _ok(
        cast.step(cast.us_reg, app_id, "appeal_decision", reason="review again", outcome="remanded")
    )
    assert remanded["application"]["status"] == "submitted"
    returned = _ok(cast.step(cast.us_reg, app_id, "return", reason="incomplete"))
    assert returned["application"]["status"] == "returned"
    _not_allowed(cast.step(cast.us_reg, app_id, "approve"))
    _not_allowed(cast.appeal(app_id))
    # Fields that mean nothing for a step are refused.
    other = cast.applied()["application"]["id"]
    stray = cast.step(cast.us_reg, other, "return", reason="x", riders=[{"id": "a", "text": "b"}])
    assert stray.status_code == 400 and "riders" in stray.json()["detail"]
    bad_agency = cast.step(cast.us_reg, other, "refer", agencies=["treasury"])
    assert bad_agency.status_code == 400 and "treasury" in bad_agency.json()["detail"]
    too_long = cast.step(cast.us_reg, other, "approve", valid_until="2031-01-01")
    assert too_long.status_code == 400, too_long.text
