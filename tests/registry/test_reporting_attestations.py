"""Provider attestations and their reconciliation with developers' reports, on SQLite and
PostgreSQL: GPT-3 reconciles; a developer attributing more chip-hours than its provider
attested is flagged with both figures and the rule, one attributing fewer is not; a run
partly outside the period is apportioned by time; another provider, developer or
jurisdiction cannot read an attestation; CSV with another header is refused naming the
expected one; a customer that is not a developer is refused; a later attestation supersedes;
claimed chips are checked against custody; a capacity notice appears for regulators and a
report covering it removes it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from custody_setup import add_chips
from reporting_setup import Reporting

from computegov.registry.flags.models import Flag
from computegov.registry.reporting.attestations import CSV_HEADER
from computegov.registry.reporting.models import ProviderAttestation
from conftest import World

PERIOD = {"period_start": "2025-06-01T00:00:00Z", "period_end": "2025-09-01T00:00:00Z"}
ATTEST = "/v1/reports/attestations"
EXCEEDED = "attestation_exceeded"


class Attesting(Reporting):
    def attest(self, chip_hours: float, actor: Any = None, **body: Any) -> Any:
        payload = {
            "customer_id": self.dev.id,
            **PERIOD,
            "lines": [{"site_id": self.site, "chip_model": "V100", "chip_hours": chip_hours}],
            "basis": "threshold",
            **body,
        }
        return self.act(actor or self.cloud, "report.attestation", ATTEST, payload)

    def attested(self, chip_hours: float, **body: Any) -> dict[str, Any]:
        response = self.attest(chip_hours, **body)
        assert response.status_code == 201, response.text
        assert "flags" not in response.json()  # no flag is shown to the provider
        [made] = response.json()["attestations"]
        return dict(made)


def _flags(world: World, kind: str) -> list[Flag]:
    with world.store.transaction() as session:
        return [f for f in session.query(Flag).all() if f.kind == kind]


def _invalid(response: Any, field: str) -> str:
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field, response.json()
    return str(response.json()["detail"])


def test_gpt3_reconciles_with_its_providers_attestation(world: World) -> None:
    cast = Attesting(world)
    made = cast.attested(3.55e6)
    assert made["chip_hours"] == 3.55e6 and made["counts"] and made["jurisdictions"] == ["US"]
    assert "V100" in made["lines"][0]["chip_model"]
    model = cast.made_model()
    ran = cast.ran(model["id"], **cast.gpt3())
    assert ran["flags"] == [] and _flags(world, "attestation_exceeded") == []


def test_more_chip_hours_than_attested_is_flagged_with_both_figures(world: World) -> None:
    cast = Attesting(world)
    attestation = cast.attested(2.0e6)
    model = cast.made_model()
    ran = cast.ran(model["id"], **cast.gpt3())  # 10,000 V100 x 355 h = 3.55e6
    [flag] = ran["flags"]
    assert flag["kind"] == "attestation_exceeded" and flag["subject_id"] == attestation["id"]
    evidence = flag["evidence"]
    assert evidence["attributed_chip_hours"] == pytest.approx(3.55e6)
    assert evidence["attested_chip_hours"] == 2.0e6
    assert evidence["tolerance"] == 0.05 and "must not exceed" in evidence["rule"]
    assert evidence["provider_id"] == cast.cloud.id and evidence["developer_id"] == cast.dev.id
    assert (evidence["period_start"], evidence["period_end"]) == (
        "2025-06-01T00:00:00Z",
        "2025-09-01T00:00:00Z",
    )
    assert flag["countries"] == ["US"]
    # The report's page shows the flag beside both estimates, to the developer it flags.
    page = world.get(cast.dev, f"/v1/reports/training-runs/{ran['report']['id']}/page").json()
    assert [f["id"] for f in page["flags"]] == [flag["id"]]
    with world.store.transaction() as session:
        row = session.get(Flag, flag["id"])
        assert row is not None and row.party_id == cast.dev.id
    # Read as the report is: the addressed regulator, not the administrator or others.
    path = f"/v1/flags/{flag['id']}"
    assert world.get(cast.us_reg, path).status_code == 200
    assert world.get(world.admin, path).status_code == 403
    assert world.get(cast.cn_reg, path).status_code == 403
    # New figures raise a new flag; the same figures again (a stage's report superseded by
    # an identical one) do not.
    again = {**cast.gpt3(), "stage": "again"}
    assert [f["kind"] for f in cast.ran(model["id"], **again)["flags"]] == [EXCEEDED]
    assert cast.ran(model["id"], **again)["flags"] == []
    assert len(_flags(world, EXCEEDED)) == 2


def test_an_attestation_after_the_report_flags_too(world: World) -> None:
    cast = Attesting(world)
    model = cast.made_model()
    cast.ran(model["id"], **cast.gpt3())
    cast.attested(2.0e6)
    [flag] = _flags(world, "attestation_exceeded")
    assert flag.evidence["attributed_chip_hours"] == pytest.approx(3.55e6)


@pytest.mark.parametrize("attested", [3.55e6, 3.4e6, 5e6, 1e7])
def test_using_fewer_chip_hours_than_delivered_is_never_flagged(
    world: World, attested: float
) -> None:
    """Within the tolerance (3.4e6 x 1.05 > 3.55e6) or below what was delivered."""
    cast = Attesting(world)
    cast.attested(attested)
    model = cast.made_model()
    assert cast.ran(model["id"], **cast.gpt3())["flags"] == []
    assert _flags(world, "attestation_exceeded") == []


def test_a_run_partly_outside_the_period_is_apportioned_by_time(world: World) -> None:
    cast = Attesting(world)
    half = {"period_start": "2025-06-01T00:00:00Z", "period_end": "2025-07-17T00:00:00Z"}
    cast.attested(1.8e6, **half)  # 46 of the run's 92 days: 1.775e6 attributed
    model = cast.made_model()
    assert cast.ran(model["id"], **cast.gpt3())["flags"] == []
    cast.attested(1.6e6, **half)  # supersedes: 1.775e6 > 1.6e6 x 1.05
    [flag] = _flags(world, "attestation_exceeded")
    [report] = flag.evidence["reports"]
    assert report["share_in_period"] == pytest.approx(0.5)
    assert flag.evidence["attributed_chip_hours"] == pytest.approx(1.775e6)


def test_only_the_provider_the_customer_and_addressed_regulators_read_it(world: World) -> None:
    cast = Attesting(world)
    made = cast.attested(3.55e6)
    path = f"{ATTEST}/{made['id']}"
    for reader in (cast.cloud, cast.dev, cast.us_reg):
        assert world.get(reader, path).status_code == 200
        assert world.get(reader, ATTEST).json()["total"] == 1
    other_provider = cast.cast.de_sub
    for outsider in (other_provider, cast.cast.cn_cloud, cast.dev2, cast.cn_reg, cast.eu_reg):
        assert world.get(outsider, path).status_code == 404  # as if it did not exist
        assert world.get(outsider, ATTEST).json()["total"] == 0
    assert world.get(world.admin, path).status_code == 403
    opening = f"/v1/log/openings/{made['entry_id']}"
    world.log_size()
    assert world.get(cast.dev, opening).status_code == 200
    assert world.get(other_provider, opening).status_code == 403
    csv = world.get(cast.us_reg, ATTEST, params={"format": "csv"})
    assert csv.status_code == 200 and made["id"] in csv.text
    # Another provider cannot attest at this provider's site, nor for a missing request.
    theirs = cast.attest(1e6, actor=other_provider)
    _invalid(theirs, "lines[0].site_id")


def test_a_customer_that_is_not_a_developer_is_refused(world: World) -> None:
    cast = Attesting(world)
    detail = _invalid(cast.attest(1e6, customer_id=cast.cast.de_dist.id), "customer_id")
    assert "ai_developer" in detail
    _invalid(cast.attest(1e6, customer_id="pty_missing"), "customer_id")
    bad_chip = [{"site_id": cast.site, "chip_model": "Z9000", "chip_hours": 1}]
    _invalid(cast.attest(1e6, lines=bad_chip), "lines[0].chip_model")
    for hours in (0, -1, 1e12, "NaN"):
        bad = [{"site_id": cast.site, "chip_model": "V100", "chip_hours": hours}]
        assert cast.attest(1e6, lines=bad).status_code == 422
    _invalid(cast.attest(1e6, period_end="2025-05-01T00:00:00Z"), "period_end")
    _invalid(cast.attest(1e6, period_end="2099-01-01T00:00:00Z"), "period_end")
    _invalid(cast.attest(1e6, basis="request"), "request_id")
    assert cast.attest(1e6, actor=cast.dev).status_code == 403  # a developer attests nothing
    with world.store.transaction() as session:
        assert session.query(ProviderAttestation).count() == 0


def test_csv_with_another_header_is_refused_naming_the_expected_one(world: World) -> None:
    cast = Attesting(world)
    rows = [
        f"{cast.dev.id},{cast.site},V100,2025-06-01T00:00:00Z,2025-09-01T00:00:00Z,3550000",
        f"{cast.dev2.id},{cast.site},H100,2025-06-01T00:00:00Z,2025-07-01T00:00:00Z,1000",
        f"{cast.dev2.id},{cast.site},V100,2025-06-01T00:00:00Z,2025-07-01T00:00:00Z,500",
    ]
    wrong = "customer,site,chip,start,end,hours\n" + "\n".join(rows)
    detail = _invalid(cast.act(cast.cloud, "report.attestation", ATTEST, {"csv": wrong}), "csv")
    assert CSV_HEADER in detail
    good = CSV_HEADER + "\n" + "\n".join(rows) + "\n"
    dry = cast.world.post(
        cast.cloud,
        ATTEST,
        world.envelope(cast.cloud, "report.attestation", {"csv": good}),
        params={"dry_run": "true"},
    )
    assert dry.status_code == 201 and dry.json()["dry_run"] is True
    with world.store.transaction() as session:
        assert session.query(ProviderAttestation).count() == 0
    made = cast.act(cast.cloud, "report.attestation", ATTEST, {"csv": good})
    assert made.status_code == 201, made.text
    by_customer = {a["customer_id"]: a for a in made.json()["attestations"]}
    assert by_customer[cast.dev.id]["chip_hours"] == 3.55e6
    assert len(by_customer[cast.dev2.id]["lines"]) == 2
    assert by_customer[cast.dev2.id]["jurisdictions"] == ["FR", "US"]
    short = CSV_HEADER + f"\n{cast.dev.id},{cast.site},V100\n"
    _invalid(cast.act(cast.cloud, "report.attestation", ATTEST, {"csv": short}), "csv")


def test_a_later_attestation_supersedes_the_earlier(world: World) -> None:
    cast = Attesting(world)
    first = cast.attested(5e6)
    model = cast.made_model()
    assert cast.ran(model["id"], **cast.gpt3())["flags"] == []
    second = cast.attested(2e6, jurisdictions=["FR"])
    assert second["supersedes_id"] == first["id"]
    assert second["jurisdictions"] == ["FR", "US"]
    shown = world.get(cast.cloud, f"{ATTEST}/{first['id']}").json()
    assert shown["superseded_by_id"] == second["id"] and not shown["counts"]
    [flag] = _flags(world, "attestation_exceeded")
    assert flag.subject_id == second["id"] and flag.evidence["attested_chip_hours"] == 2e6


def test_a_request_is_answered_and_hidden_from_the_customer(world: World) -> None:
    cast = Attesting(world)
    body = {"provider_id": cast.cloud.id, "customer_id": cast.dev.id, **PERIOD, "reason": "audit"}
    path = "/v1/reports/attestation-requests"
    assert cast.act(cast.cn_reg, "report.attestation_request", path, body).status_code == 403
    made = cast.act(cast.us_reg, "report.attestation_request", path, body)
    assert made.status_code == 201, made.text
    request = made.json()["request"]
    assert world.get(cast.cloud, path).json()["total"] == 1
    assert world.get(cast.dev, path).json()["total"] == 0
    assert world.get(cast.cast.de_sub, path).json()["total"] == 0
    _invalid(cast.attest(1e6, request_id=request["id"], customer_id=cast.dev2.id), "request_id")
    answer = cast.attested(3.55e6, basis="request", request_id=request["id"])
    assert answer["request_id"] == request["id"] and answer["basis"] == "request"
    [listed] = world.get(cast.us_reg, path).json()["items"]
    assert listed["status"] == "answered" and listed["attestation_id"] == answer["id"]


def test_claimed_chips_must_be_held_by_the_provider_at_the_site(world: World) -> None:
    cast = Attesting(world)
    ours = add_chips(world, cast.cast.maker, "V100", 2, custodian=cast.cloud)
    theirs = add_chips(world, cast.cast.maker, "V100", 1)  # still the maker's
    install = {"site_id": cast.site, "chips": ours}
    assert cast.act(cast.cloud, "site.install", "/v1/sites/install", install).status_code == 200
    start = world.clock.now() + timedelta(days=1)
    world.clock.advance(timedelta(days=30))
    model = cast.made_model()
    line = {**cast.line("V100", 2, 100), "chip_ids": ours}
    run = {
        **cast.gpt3(),
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(days=10)).isoformat(),
    }
    cast.ran(model["id"], **{**run, "compute_used": [line]})
    assert _flags(world, "chips_not_held") == []
    claimed = {**line, "chip_ids": [*ours, theirs[0], "chp_unknown"], "chip_count": 4}
    made = cast.ran(model["id"], **{**run, "stage": "two", "compute_used": [claimed]})
    [flag] = [f for f in made["flags"] if f["kind"] == "chips_not_held"]
    # The developer learns which chips are wrong, not who holds them where (another
    # party's custody); the regulator reads all of it.
    assert all(set(p) == {"line", "chip_id", "problem"} for p in flag["evidence"]["chips"])
    flag = world.get(cast.us_reg, f"/v1/flags/{flag['id']}").json()
    problems = {p["chip_id"]: p for p in flag["evidence"]["chips"]}
    assert set(problems) == {theirs[0], "chp_unknown"}
    assert problems["chp_unknown"]["problem"] == "not registered"
    held = problems[theirs[0]]
    assert held["problem"] == "not held there then"
    assert held["custodian_now"] == cast.cast.maker.id and held["site_now"] is None
    assert flag["countries"] == ["US"] and flag["subject_id"] == made["report"]["id"]
    # A chip moved to another of the provider's sites during the run was not there for all
    # of it: its custody history says where it went and when.
    other_site = cast.cast.site(cast.cloud, "US", "Iowa 2")
    move = {"site_id": other_site, "chips": [ours[1]]}
    moved_at = world.clock.now()
    assert cast.act(cast.cloud, "site.install", "/v1/sites/install", move).status_code == 200
    world.clock.advance(timedelta(days=30))
    later = {
        **run,
        "stage": "three",
        "started_at": (moved_at - timedelta(days=5)).isoformat(),
        "ended_at": (moved_at + timedelta(days=5)).isoformat(),
    }
    made = cast.ran(model["id"], **{**later, "compute_used": [line]})
    [flag] = [f for f in made["flags"] if f["kind"] == "chips_not_held"]
    flag = world.get(cast.us_reg, f"/v1/flags/{flag['id']}").json()
    [problem] = flag["evidence"]["chips"]
    assert problem["chip_id"] == ours[1]
    assert [s["site_id"] for s in problem["held_during_run"]] == [cast.site, other_site]
    too_many = {**line, "chip_ids": ours, "chip_count": 1}
    _invalid(
        cast.run(model["id"], **{**run, "compute_used": [too_many]}), "compute_used[0].chip_ids"
    )


def test_a_capacity_notice_appears_and_a_covering_report_removes_it(world: World) -> None:
    cast = Attesting(world)
    notices = "/v1/reports/capacity-notices"
    cast.attested(1e5)  # at 0.17 of the V100's FP16 peak: 7.7e21, under every threshold
    assert world.get(cast.us_reg, notices).json()["total"] == 0
    lines = [{"site_id": cast.site, "chip_model": "H100", "chip_hours": 30.84e6}]
    made = cast.attested(0, lines=lines, customer_id=cast.dev2.id)
    [notice] = world.get(cast.us_reg, notices).json()["items"]
    assert notice["attestation_id"] == made["id"] and notice["utilization"] == 0.17
    assert notice["capacity_flop"] > 1e25 and "eu-ai-act-art-51" in notice["thresholds"]
    assert "not an accusation" in notice["note"]
    assert world.get(cast.cn_reg, notices).json()["total"] == 0
    assert world.get(cast.cloud, notices).status_code == 403
    assert world.get(cast.dev, notices).status_code == 403
    csv = world.get(cast.us_reg, notices, params={"format": "csv"})
    assert csv.status_code == 200 and made["id"] in csv.text
    model = cast.made_model(cast.dev2)
    cast.ran(model["id"], cast.dev2, **cast.llama31())
    assert world.get(cast.us_reg, notices).json()["total"] == 0
