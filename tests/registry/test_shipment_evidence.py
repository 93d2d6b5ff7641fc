"""Per-shipment evidence over the real server on SQLite and PostgreSQL: the export filing and
the destination control statement of every licensed shipment, and under the January 2026
rule the reports of a test lab in the US listing every chip, made before the declaration;
and the registry's own estimates never refuse a licensed transfer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from custody_setup import Cast, add_chips, chip_rows, itn
from test_license_terms import issue, issued

from computegov.instants import to_wire
from computegov.registry.custody.evidence import DESTINATION_CONTROL_STATEMENT
from conftest import Actor, World

RULE_2026 = ["bis-2023-10", "bis-2026-01-review"]


def _refused(response: Any, reason: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["reason"] == reason, problem
    return problem


class Labs(Cast):
    """The custody cast with a test lab in the US and one in Germany."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.us_lab = world.create(world.admin, "test_lab", "Austin Test Lab", "US")
        self.de_lab = world.create(world.admin, "test_lab", "Dresden Pruflabor", "DE")

    def report(self, lab: Actor, chips: list[Any], reviewed_at: Any = None, **body: Any) -> Any:
        at = reviewed_at or self.world.clock.now() - timedelta(hours=2)
        payload = {"chips": chips, "reviewed_at": to_wire(at), **body}
        return self.act(lab, "lab.report", "/v1/lab-reports", payload)

    def filed(self, lab: Actor, chips: list[Any], **body: Any) -> str:
        response = self.report(lab, chips, **body)
        assert response.status_code == 201, response.text
        return str(response.json()["lab_report"]["id"])


def test_a_licensed_shipment_carries_its_filing_and_statement(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 8)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 8))

    def declare(moved: list[str], **evidence: Any) -> Any:
        return cast.declare(
            cast.maker, moved, cast.cn_cloud, "CN", evidence=False, license_id=lic["id"], **evidence
        )

    none = _refused(declare(chips[:2]), "shipment_evidence_missing")
    assert none["missing"] == ["export_filing_ref", "destination_control_statement"]
    only = _refused(declare(chips[:2], export_filing_ref=itn(world)), "shipment_evidence_missing")
    assert only["missing"] == ["destination_control_statement"]
    today = f"{world.clock.now():%Y%m%d}"
    tomorrow = f"{world.clock.now() + timedelta(days=1):%Y%m%d}"
    for bad in ("X2026030212345", f"Y{today}123456", "X20261301123456", f"X{tomorrow}123456", ""):
        response = declare(chips[:2], export_filing_ref=bad, destination_control_statement=True)
        if bad == "":
            _refused(response, "shipment_evidence_missing")
            continue
        assert _refused(response, "shipment_evidence_invalid")["field"] == "export_filing_ref"
    wrong = declare(
        chips[:2], export_filing_ref=itn(world), destination_control_statement="For export."
    )
    assert _refused(wrong, "shipment_evidence_invalid")["field"] == "destination_control_statement"
    denied = declare(chips[:2], export_filing_ref=itn(world), destination_control_statement=False)
    _refused(denied, "shipment_evidence_invalid")
    ref = itn(world)
    quoted = f"\u201c{DESTINATION_CONTROL_STATEMENT}.\u201d"
    ok = declare(chips[:2], export_filing_ref=ref, destination_control_statement=quoted)
    assert ok.status_code == 201, ok.text
    evidence = ok.json()["transfer"]["evidence"]
    assert evidence["export_filing_ref"] == ref
    assert evidence["destination_control_statement"] == DESTINATION_CONTROL_STATEMENT
    shown = world.get(cast.cn_cloud, f"/v1/transfers/{ok.json()['transfer']['id']}").json()
    assert shown["evidence"] == evidence
    # One filing names one shipment; once that shipment is cancelled its filing is free.
    reused = declare(chips[2:4], export_filing_ref=ref, destination_control_statement=True)
    assert _refused(reused, "export_filing_reused")["transfer_id"] == ok.json()["transfer"]["id"]
    body = {"transfer_id": ok.json()["transfer"]["id"]}
    assert cast.act(cast.maker, "transfer.cancel", "/v1/transfers/cancel", body).status_code == 200
    again = declare(chips[2:4], export_filing_ref=ref, destination_control_statement=True)
    assert again.status_code == 201, again.text


def test_outside_the_us_the_filing_is_the_origins_own(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2, country="NL", custodian=cast.de_dist)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 2, licensee=cast.de_dist))
    declared = cast.declare(
        cast.de_dist,
        chips,
        cast.cn_cloud,
        "CN",
        license_id=lic["id"],
        export_filing_ref="26NL000000000123A4",  # an EU export declaration's MRN
    )
    assert declared.status_code == 201, declared.text


def test_lab_reports_are_filed_by_test_labs_and_read_by_whom_they_serve(world: World) -> None:
    cast = Labs(world)
    chips = add_chips(world, cast.maker, "H200", 4)
    rows = chip_rows(world, chips)
    assert cast.report(cast.maker, chips).status_code == 403  # not a lab
    assert cast.report(cast.us_reg, chips).status_code == 403
    future = cast.report(cast.us_lab, chips, reviewed_at=world.clock.now() + timedelta(hours=1))
    assert future.status_code == 400 and "reviewed_at" in future.json()["detail"]
    assert _refused(cast.report(cast.us_lab, ["chp_nope"]), "unknown_chip")
    assert _refused(cast.report(cast.us_lab, chips, license_id="lic_nope"), "unknown_license")
    assert _refused(cast.declare(cast.maker, chips, cast.us_lab, "US"), "bad_receiver")
    by_serial = [{"vendor": "NVIDIA", "serial": rows[c]["serial"]} for c in chips]
    made = cast.report(cast.us_lab, by_serial, findings={"passed": True, "notes": "seals intact"})
    assert made.status_code == 201, made.text
    report = made.json()["lab_report"]
    assert sorted(report["chips"]) == sorted(chips) and report["chip_count"] == 4
    assert world.get(cast.us_lab, f"/v1/lab-reports/{report['id']}").status_code == 200
    for stranger in (cast.de_lab, cast.maker, cast.us_reg, cast.cn_cloud):
        assert world.get(stranger, f"/v1/lab-reports/{report['id']}").status_code == 403
    assert world.get(cast.de_lab, "/v1/lab-reports").json()["total"] == 0
    # Once a transfer under a license cites it, the licensee and the regulator read it.
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H200"], 4, instruments=RULE_2026))
    declared = cast.declare(
        cast.maker, chips, cast.cn_cloud, "CN", license_id=lic["id"], lab_report_ids=[report["id"]]
    )
    assert declared.status_code == 201, declared.text
    assert declared.json()["transfer"]["evidence"]["lab_report_ids"] == [report["id"]]
    for reader in (cast.maker, cast.us_reg):
        shown = world.get(reader, f"/v1/lab-reports/{report['id']}")
        assert shown.status_code == 200 and shown.json()["findings"]["passed"] is True
        assert [r["id"] for r in world.get(reader, "/v1/lab-reports").json()["items"]] == [
            report["id"]
        ]
    assert world.get(cast.cn_reg, f"/v1/lab-reports/{report['id']}").status_code == 403


def test_under_the_2026_rule_every_chip_is_listed_by_a_us_lab_before_declaration(
    world: World,
) -> None:
    cast = Labs(world)
    chips = add_chips(world, cast.maker, "H200", 6)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H200"], 6, instruments=RULE_2026))
    other = issued(issue(cast, cast.cn_cloud, "CN", ["H200"], 6, instruments=RULE_2026))
    world.clock.advance(timedelta(hours=5))

    def declare(moved: list[str], *reports: str) -> Any:
        return cast.declare(
            cast.maker,
            moved,
            cast.cn_cloud,
            "CN",
            license_id=lic["id"],
            lab_report_ids=list(reports),
        )

    missing = _refused(declare(chips[:4]), "lab_report_missing")
    assert sorted(missing["chips"]) == sorted(chips[:4])
    german = cast.filed(cast.de_lab, chips[:4])
    assert "located in DE" in _refused(declare(chips[:4], german), "lab_report_invalid")["detail"]
    three = cast.filed(cast.us_lab, chips[:3])
    short = _refused(declare(chips[:4], three), "lab_report_missing")
    assert short["chips"] == [chips[3]] and chips[3] in short["detail"]
    # Not reusable for chips it does not list.
    reused = _refused(declare(chips[4:6], three), "lab_report_missing")
    assert sorted(reused["chips"]) == sorted(chips[4:6])
    same_time = cast.filed(cast.us_lab, chips[3:4], reviewed_at=world.clock.now())
    _refused(declare(chips[:4], three, same_time), "lab_report_invalid")
    later = cast.filed(cast.us_lab, chips[3:4], reviewed_at=world.clock.now() - timedelta(hours=1))
    world.clock.set(world.clock.now() - timedelta(hours=3))  # declared before the review
    dated_after = _refused(declare(chips[:4], three, later), "lab_report_invalid")
    assert "not before this declaration" in dated_after["detail"]
    world.clock.advance(timedelta(hours=3))
    unknown = _refused(declare(chips[:4], three, "lab_nope"), "lab_report_invalid")
    assert unknown["report_id"] == "lab_nope"
    for_other = cast.filed(cast.us_lab, chips[3:4], license_id=other["id"])
    assert (
        "not cited"
        in _refused(declare(chips[:4], three, for_other), "lab_report_invalid")["detail"]
    )
    fourth = cast.filed(cast.us_lab, chips[3:4], license_id=lic["id"])
    ok = declare(chips[:4], three, fourth)
    assert ok.status_code == 201, ok.text
    assert ok.json()["transfer"]["evidence"]["lab_report_ids"] == [three, fourth]


def test_the_registrys_own_estimates_never_refuse_a_licensed_transfer(world: World) -> None:
    """The registry counts far more H200s shipped to China than to US end users (the rule's
    50% condition, on its own records, fails many times over): a transfer under an issued
    license with its evidence goes through all the same."""
    cast = Labs(world)
    us_chips = add_chips(world, cast.maker, "H200", 2)
    home = cast.declare(cast.maker, us_chips, cast.us_cloud, "US")
    confirm = {"transfer_id": home.json()["transfer"]["id"]}
    assert (
        cast.act(cast.us_cloud, "transfer.confirm", "/v1/transfers/confirm", confirm).status_code
        == 200
    )
    chips = add_chips(world, cast.maker, "H200", 40)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H200"], 40, instruments=RULE_2026))
    for start in (0, 20):
        batch = chips[start : start + 20]
        report = cast.filed(cast.us_lab, batch, license_id=lic["id"])
        declared = cast.declare(
            cast.maker, batch, cast.cn_cloud, "CN", license_id=lic["id"], lab_report_ids=[report]
        )
        assert declared.status_code == 201, declared.text
        body = {"transfer_id": declared.json()["transfer"]["id"]}
        confirmed = cast.act(cast.cn_cloud, "transfer.confirm", "/v1/transfers/confirm", body)
        assert confirmed.status_code == 200, confirmed.text
    assert world.get(cast.maker, f"/v1/licenses/{lic['id']}").json()["remaining"] == 0
