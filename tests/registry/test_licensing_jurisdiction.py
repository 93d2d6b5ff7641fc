"""A license counts only for the rules its issuer administers (issue 9, High 2), over the real
server on SQLite and PostgreSQL.

The two attacks seen: a Dutch regulator's license let an NL-to-CN re-export of H100s through
bis-2023-10, and a Chinese regulator's license covered a CN-to-CN transfer that fired a US
rule. Both are refused now, naming the jurisdiction (US) whose license is missing; a US
license of the right licensee is accepted (the US rules follow the chip, so the US regulator
licenses a sender abroad); one naming another licensee is refused; several licenses may be
cited, each drawn down by what it covers and given that back on cancellation.
"""

from __future__ import annotations

import threading
from typing import Any

from custody_setup import Cast, add_chips, chip_rows, itn

from computegov.registry.licensing.models import ExportLicense
from conftest import Actor, World


def _refused(response: Any, reason: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["type"].endswith("/refused") and problem["reason"] == reason, problem
    return problem


def _issued(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    lic: dict[str, Any] = response.json()["license"]
    return lic


def _used(world: World, license_id: str) -> int:
    with world.store.transaction() as session:
        lic = session.get(ExportLicense, license_id)
        assert lic is not None
        return lic.used


class Abroad(Cast):
    """The custody cast plus the Netherlands: its regulator and a distributor there, and a
    second Chinese cloud for transfers inside China."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        admin = world.admin
        self.nl_reg = world.create(admin, "regulator", "NL Customs", "NL", jurisdiction=["NL"])
        self.nl_dist = world.create(admin, "distributor", "Eindhoven Chips BV", "NL")
        self.cn_other = world.create(admin, "cloud_provider", "Shenzhen Cloud Co", "CN")

    def cite(
        self, sender: Actor, chips: list[str], receiver: Actor, country: str, *ids: str
    ) -> Any:
        return self.declare(sender, chips, receiver, country, licenses=list(ids))


def test_a_dutch_license_does_not_cover_a_re_export_to_china(world: World) -> None:
    cast = Abroad(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4, country="NL", custodian=cast.nl_dist)
    dutch = _issued(cast.license(cast.nl_reg, cast.nl_dist, cast.cn_cloud, "CN", ["H100"], 4))
    problem = _refused(
        cast.declare(cast.nl_dist, chips, cast.cn_cloud, "CN", license_id=dutch["id"]),
        "license_required",
    )
    assert problem["jurisdiction"] == "US" and problem["jurisdictions"] == ["US"]
    assert "a license of US is required" in problem["detail"]
    assert f"{dutch['id']} was issued under NL" in problem["detail"]
    assert {f["rule"] for f in problem["fired"]} >= {"bis-2023-10"}
    assert {f["jurisdiction"] for f in problem["fired"]} == {"US"}
    assert _used(world, dutch["id"]) == 0
    assert (dutch["jurisdiction"], dutch["instruments"]) == ("NL", [])

    # The US regulator licenses the Dutch re-exporter: accepted, drawn down.
    us = _issued(cast.license(cast.us_reg, cast.nl_dist, cast.cn_cloud, "CN", ["H100"], 4))
    assert us["jurisdiction"] == "US" and "bis-2023-10" in us["instruments"]
    declared = cast.declare(cast.nl_dist, chips, cast.cn_cloud, "CN", license_id=us["id"])
    assert declared.status_code == 201, declared.text
    transfer = declared.json()["transfer"]
    assert transfer["license_ids"] == [us["id"]] and transfer["jurisdictions"] == ["US"]
    assert transfer["licenses"] == [{"license_id": us["id"], "jurisdiction": "US", "chips": 4}]
    assert _used(world, us["id"]) == 4


def test_a_chinese_license_does_not_cover_a_transfer_inside_china(world: World) -> None:
    cast = Abroad(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 3, country="CN", custodian=cast.cn_cloud)
    chinese = _issued(cast.license(cast.cn_reg, cast.cn_cloud, cast.cn_other, "CN", ["H100"], 3))
    problem = _refused(
        cast.declare(cast.cn_cloud, chips, cast.cn_other, "CN", license_id=chinese["id"]),
        "license_required",
    )
    assert problem["jurisdiction"] == "US"
    assert [m["jurisdiction"] for m in problem["missing"]] == ["US"]
    assert {c["status"] for c in chip_rows(world, chips).values()} == {"in_stock"}

    us = _issued(cast.license(cast.us_reg, cast.cn_cloud, cast.cn_other, "CN", ["H100"], 3))
    declared = cast.cite(cast.cn_cloud, chips, cast.cn_other, "CN", us["id"])
    assert declared.status_code == 201, declared.text
    assert declared.json()["transfer"]["license_id"] == us["id"]
    assert _used(world, us["id"]) == 3


def test_a_license_covers_its_named_licensee_only(world: World) -> None:
    cast = Abroad(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2, country="CN", custodian=cast.cn_cloud)
    # A US license for the other Chinese cloud, cited by this one.
    theirs = _issued(cast.license(cast.us_reg, cast.cn_other, cast.cn_parent, "CN", ["H100"], 9))
    problem = _refused(
        cast.cite(cast.cn_cloud, chips, cast.cn_parent, "CN", theirs["id"]), "license_mismatch"
    )
    assert problem["field"] == "licensee" and cast.cn_other.id in problem["detail"]
    assert _used(world, theirs["id"]) == 0


def test_two_us_licenses_for_two_models_are_each_drawn_down_and_given_back(world: World) -> None:
    cast = Abroad(world)
    h100s = add_chips(world, cast.maker, "H100 SXM", 4)
    h20s = add_chips(world, cast.maker, "H20", 3)
    for_h100 = _issued(cast.license(cast.us_reg, cast.maker, cast.cn_cloud, "CN", ["H100"], 4))
    for_h20 = _issued(cast.license(cast.us_reg, cast.maker, cast.cn_cloud, "CN", ["H20"], 5))

    # One of them alone does not cover the other model; the problem names what is missing.
    problem = _refused(
        cast.cite(cast.maker, h100s + h20s, cast.cn_cloud, "CN", for_h100["id"]),
        "license_mismatch",
    )
    assert problem["field"] == "models" and "not H20" in problem["detail"]

    # `license_id` and `licenses` together: both count.
    declared = cast.declare(
        cast.maker,
        h100s + h20s,
        cast.cn_cloud,
        "CN",
        license_id=for_h100["id"],
        licenses=[for_h20["id"]],
    )
    assert declared.status_code == 201, declared.text
    transfer = declared.json()["transfer"]
    assert transfer["license_id"] == for_h100["id"]
    assert transfer["license_ids"] == [for_h100["id"], for_h20["id"]]
    assert {lic["license_id"]: lic["chips"] for lic in transfer["licenses"]} == {
        for_h100["id"]: 4,
        for_h20["id"]: 3,
    }
    assert (_used(world, for_h100["id"]), _used(world, for_h20["id"])) == (4, 3)
    shown = world.get(cast.maker, f"/v1/transfers/{transfer['id']}").json()
    assert shown["license_ids"] == transfer["license_ids"]

    cancel = cast.act(
        cast.maker, "transfer.cancel", "/v1/transfers/cancel", {"transfer_id": transfer["id"]}
    )
    assert cancel.status_code == 200, cancel.text
    assert (_used(world, for_h100["id"]), _used(world, for_h20["id"])) == (0, 0)


def test_a_license_that_covers_nothing_needed_is_refused(world: World) -> None:
    cast = Abroad(world)
    # Inside China: the US license covers everything; the Chinese one counts for nothing.
    chips = add_chips(world, cast.maker, "H100 SXM", 2, country="CN", custodian=cast.cn_cloud)
    us = _issued(cast.license(cast.us_reg, cast.cn_cloud, cast.cn_other, "CN", ["H100"], 2))
    cn = _issued(cast.license(cast.cn_reg, cast.cn_cloud, cast.cn_other, "CN", ["H100"], 2))
    problem = _refused(
        cast.cite(cast.cn_cloud, chips, cast.cn_other, "CN", us["id"], cn["id"]),
        "license_not_needed",
    )
    assert problem["license_ids"] == [cn["id"]] and "issued under CN" in problem["detail"]
    assert (_used(world, us["id"]), _used(world, cn["id"])) == (0, 0)
    # Too little left on the one license that counts: exhausted, naming what is left.
    more = add_chips(world, cast.maker, "H100 SXM", 1, country="CN", custodian=cast.cn_cloud)
    problem = _refused(
        cast.cite(cast.cn_cloud, chips + more, cast.cn_other, "CN", us["id"]), "license_exhausted"
    )
    assert problem["remaining"] == 2 and problem["jurisdiction"] == "US"


def test_who_issues_under_which_jurisdiction(world: World) -> None:
    cast = Abroad(world)

    def issue(regulator: Actor, licensee: Actor, **extra: Any) -> Any:
        body = {
            "licensee_id": licensee.id,
            "consignee_id": cast.cn_cloud.id,
            "destination": "CN",
            "models": ["H100"],
            "quantity": 1,
            "expires_at": "2027-01-01T00:00:00Z",
            **extra,
        }
        return cast.act(regulator, "license.issue", "/v1/licenses", body)

    # The US regulator licenses a sender anywhere (its rules follow the chip)...
    assert _issued(issue(cast.us_reg, cast.nl_dist))["jurisdiction"] == "US"
    # ...but not under another jurisdiction than its own.
    foreign = issue(cast.us_reg, cast.nl_dist, jurisdiction="NL")
    assert foreign.status_code == 403 and foreign.json()["reason"] == "not_issuers_jurisdiction"
    # A regulator of a jurisdiction that administers no instrument licenses only its own
    # exporters, as before (and such a license counts for no instrument).
    assert issue(cast.nl_reg, cast.maker).status_code == 403
    # A regulator of several jurisdictions, none administering an instrument, names one.
    eu = world.create(world.admin, "regulator", "Two customs", "DE", jurisdiction=["DE", "NL"])
    unnamed = issue(eu, cast.nl_dist)
    assert unnamed.status_code == 400 and "`jurisdiction`" in unnamed.json()["detail"]
    assert _issued(issue(eu, cast.nl_dist, jurisdiction="NL"))["jurisdiction"] == "NL"


def test_concurrent_declarations_on_two_licenses_never_overdraw(world: World) -> None:
    cast = Abroad(world)
    for_h100 = _issued(cast.license(cast.us_reg, cast.maker, cast.cn_cloud, "CN", ["H100"], 2))
    for_h20 = _issued(cast.license(cast.us_reg, cast.maker, cast.cn_cloud, "CN", ["H20"], 2))
    ids = [for_h100["id"], for_h20["id"]]
    wires = []
    for order in (ids, ids[::-1]):  # cited in either order: locks are taken by license id
        chips = add_chips(world, cast.maker, "H100 SXM", 2) + add_chips(world, cast.maker, "H20", 2)
        body = {
            "chips": chips,
            "receiver_id": cast.cn_cloud.id,
            "destination_country": "CN",
            "licenses": order,
            "export_filing_ref": itn(world),
            "destination_control_statement": True,
        }
        wires.append(world.envelope(cast.maker, "transfer.declare", body))
    barrier = threading.Barrier(len(wires))
    results: list[Any] = [None] * len(wires)

    def declare(i: int) -> None:
        with world.server.client(cast.maker.token) as http:
            barrier.wait()
            results[i] = http.post("/v1/transfers", json=wires[i])

    threads = [threading.Thread(target=declare, args=(i,)) for i in range(len(wires))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 422], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 422).json()
    assert loser["reason"] == "license_exhausted"
    assert (_used(world, ids[0]), _used(world, ids[1])) == (2, 2)
