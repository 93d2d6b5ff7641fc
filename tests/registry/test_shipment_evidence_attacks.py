"""Attacks on a licensed shipment's evidence over the real server on SQLite and PostgreSQL:
an export filing reference in look-alike digits, another exporter's filing cited as this
shipment's own, and a lab report cited again for a later shipment of the same chips."""

from __future__ import annotations

from typing import Any

from custody_setup import Cast, add_chips, itn
from test_license_terms import issue, issued
from test_shipment_evidence import RULE_2026, Labs

from conftest import World


def _refused(response: Any, reason: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["reason"] == reason, problem
    return problem


def test_an_itn_in_look_alike_digits_is_no_itn(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 4))
    ref = itn(world)
    first = cast.declare(
        cast.maker, chips[:2], cast.cn_cloud, "CN", license_id=lic["id"], export_filing_ref=ref
    )
    assert first.status_code == 201, first.text
    # The same ITN in fullwidth (and Arabic-Indic) digits: a different string to a naive
    # reuse check, the same filing to a reader.
    fullwidth = "X" + "".join(chr(0xFF10 + int(d)) for d in ref[1:])
    arabic = ref[:-1] + chr(0x0660 + int(ref[-1]))
    for lookalike in (fullwidth, arabic):
        again = cast.declare(
            cast.maker,
            chips[2:],
            cast.cn_cloud,
            "CN",
            license_id=lic["id"],
            export_filing_ref=lookalike,
        )
        assert _refused(again, "shipment_evidence_invalid")["field"] == "export_filing_ref"


def test_another_exporters_filing_is_not_this_shipments(world: World) -> None:
    cast = Cast(world)
    rival = world.create(world.admin, "distributor", "Reno Resellers LLC", "US")
    ours = add_chips(world, cast.maker, "H100 SXM", 2)
    theirs = add_chips(world, cast.maker, "H100 SXM", 2, custodian=rival)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 2))
    rival_lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 2, licensee=rival))
    ref = itn(world)
    first = cast.declare(
        cast.maker, ours, cast.cn_cloud, "CN", license_id=lic["id"], export_filing_ref=ref
    )
    assert first.status_code == 201, first.text
    copied = cast.declare(
        rival, theirs, cast.cn_cloud, "CN", license_id=rival_lic["id"], export_filing_ref=ref
    )
    problem = _refused(copied, "export_filing_reused")
    # The refusal does not hand the rival the other exporter's transfer.
    assert problem.get("transfer_id") is None
    assert first.json()["transfer"]["id"] not in copied.text
    fresh = cast.declare(
        rival, theirs, cast.cn_cloud, "CN", license_id=rival_lic["id"], export_filing_ref=itn(world)
    )
    assert fresh.status_code == 201, fresh.text


def test_a_lab_report_reviews_a_chip_for_one_shipment(world: World) -> None:
    cast = Labs(world)
    chips = add_chips(world, cast.maker, "H200", 4)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H200"], 8, instruments=RULE_2026))
    report = cast.filed(cast.us_lab, chips)

    def declare(moved: list[str], *reports: str) -> Any:
        return cast.declare(
            cast.maker, moved, cast.cn_cloud, "CN", license_id=lic["id"], lab_report_ids=[*reports]
        )

    # A cancelled shipment leaves the report unused; one batch report serves two shipments of
    # different chips.
    first = declare(chips[:2], report)
    assert first.status_code == 201, first.text
    body = {"transfer_id": first.json()["transfer"]["id"]}
    assert cast.act(cast.maker, "transfer.cancel", "/v1/transfers/cancel", body).status_code == 200
    for part in (chips[:2], chips[2:]):
        shipped = declare(part, report)
        assert shipped.status_code == 201, shipped.text
        confirm = {"transfer_id": shipped.json()["transfer"]["id"]}
        done = cast.act(cast.cn_cloud, "transfer.confirm", "/v1/transfers/confirm", confirm)
        assert done.status_code == 200, done.text
    # The chips come back to the US, and the same report is cited for their second export:
    # that shipment was never reviewed.
    back = cast.declare(cast.cn_cloud, chips[:2], cast.maker, "US")
    assert back.status_code == 201, back.text
    confirm = {"transfer_id": back.json()["transfer"]["id"]}
    assert (
        cast.act(cast.maker, "transfer.confirm", "/v1/transfers/confirm", confirm).status_code
        == 200
    )
    again = _refused(declare(chips[:2], report), "lab_report_missing")
    assert sorted(again["chips"]) == sorted(chips[:2])
    fresh = cast.filed(cast.us_lab, chips[:2])
    reviewed = declare(chips[:2], report, fresh)
    assert reviewed.status_code == 201, reviewed.text


def test_a_shipment_worth_nothing_draws_nothing_and_is_refused(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 4, value_usd=100_000))
    for value in (0, 3):
        free = cast.declare(
            cast.maker, chips, cast.cn_cloud, "CN", license_id=lic["id"], value_usd=value
        )
        assert _refused(free, "shipment_evidence_invalid")["field"] == "value_usd"
    worth = cast.declare(cast.maker, chips, cast.cn_cloud, "CN", license_id=lic["id"], value_usd=4)
    assert worth.status_code == 201, worth.text
    # A license without a value limit asks no value of its shipments.
    more = add_chips(world, cast.maker, "H100 SXM", 2)
    plain = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 2))
    unpriced = cast.declare(
        cast.maker, more, cast.cn_cloud, "CN", license_id=plain["id"], value_usd=0
    )
    assert unpriced.status_code == 201, unpriced.text
