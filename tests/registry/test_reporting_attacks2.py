"""A hostile party against compute reporting's attestations, reconciliation and flags, over
the real server, on SQLite and PostgreSQL.

Holes found and closed: a regulator reading an `attestation_exceeded` flag learned the id,
model and stage of the developer's reports addressed to other jurisdictions only (now
withheld but for their chip-hours); a flagged developer's comment or dispute on a flag about
its report was logged with its signing key id as the public leaf's actor (now sealed, as
the report is); a token report at the provider (one chip for an hour) removed the capacity
notice of a huge attestation (now only the chip-hours reports account for are taken off);
a developer naming another party's chip ids in a report learned from the `chips_not_held`
flag who held them and where (now the flagged party sees each chip's id and problem only).

Attacks that held: forged figures (NaN, infinite, negative, oversized), a CSV formula in a
cell, a line twice, a period in the future, attesting at another provider's site; the
flagged party resolving or assigning its own flag, another developer disputing it, a
regulator of another jurisdiction resolving it; the provider reading the flag raised on its
attestation; outsiders opening the ledger entries of attestations and requests; a provider
answering another provider's identity request; a provider superseding its attestation with
a bigger figure after the flag (the flag stays, for the regulator to resolve).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from custody_setup import add_chips
from reporting_setup import Reporting
from test_reporting_attestations import ATTEST, EXCEEDED, PERIOD, Attesting, _flags, _invalid
from test_reporting_identity import _attested
from test_reporting_public_log import _leaves, public_surfaces

from computegov.identity.keys import key_id
from computegov.registry.actions import SEALED_ACTOR
from computegov.registry.reporting.attestations import CSV_HEADER
from conftest import World

NOTICES = "/v1/reports/capacity-notices"


def _flag_step(cast: Reporting, actor: Any, action: str, body: dict[str, Any]) -> Any:
    return cast.act(actor, action, f"/v1/flags/{action.removeprefix('flag.')}", body)


def _exceeded_over_two_jurisdictions(cast: Attesting) -> tuple[dict[str, Any], dict[str, Any]]:
    """An attestation exceeded by two runs: one addressed to the US, one to France only."""
    cast.attested(2.0e6)
    us = cast.made_model(jurisdictions=["US"])
    cast.ran(us["id"], **cast.gpt3())
    fr = cast.made_model(name="secret-fr", jurisdictions=["FR"])
    ran = cast.ran(fr["id"], **cast.gpt3())
    flag = [f for f in ran["flags"] if f["kind"] == EXCEEDED][-1]
    return fr, flag


def test_a_regulator_does_not_learn_reports_addressed_elsewhere_from_a_flag(
    world: World,
) -> None:
    cast = Attesting(world)
    fr_model, flag = _exceeded_over_two_jurisdictions(cast)
    assert sorted(flag["countries"]) == ["FR", "US"]
    fr_report = [r for r in flag["evidence"]["reports"] if r["model_id"] == fr_model["id"]]
    assert fr_report, flag["evidence"]  # the developer sees both of its reports
    path = f"/v1/flags/{flag['id']}"
    for reader in (cast.us_reg,):
        shown = world.get(reader, path)
        assert shown.status_code == 200, shown.text
        text = shown.text
        assert fr_model["id"] not in text and fr_report[0]["report_id"] not in text
        assert shown.json()["evidence"]["attributed_chip_hours"] > 2.0e6 * 1.05  # both figures
        for listed in (world.get(reader, "/v1/flags"), world.get(reader, "/v1/flags?format=csv")):
            assert listed.status_code == 200 and fr_model["id"] not in listed.text
    # The regulator it is addressed to (the EU's, for France) sees it; so does the developer.
    assert fr_model["id"] in world.get(cast.eu_reg, path).text
    assert fr_model["id"] in world.get(cast.dev, path).text


def test_a_flagged_developers_steps_are_sealed_in_the_public_log(world: World) -> None:
    cast = Attesting(world)
    cast.attested(2.0e6)
    model = cast.made_model()
    [flag] = cast.ran(model["id"], **cast.gpt3())["flags"]
    evidence = [{"kind": "log", "reference": "run-7/steps.csv", "note": "idle hours"}]
    steps = [
        ("flag.comment", {"flag_id": flag["id"], "text": "our logs differ"}),
        ("flag.dispute", {"flag_id": flag["id"], "reason": "idle", "evidence": evidence}),
    ]
    written = []
    for action, body in steps:
        response = _flag_step(cast, cast.dev, action, body)
        assert response.status_code == 200, response.text
        written.append(response.json()["entry_id"])
    leaves = {leaf.id: leaf for leaf in _leaves(world)}
    assert [leaves[i].actor for i in written] == [SEALED_ACTOR, SEALED_ACTOR]
    dev_key = key_id(cast.dev.signer.public_key_bytes())
    for data in public_surfaces(world, written):
        assert dev_key.encode() not in data and cast.dev.id.encode() not in data
    # The developer and the report's regulator still open them; another developer does not.
    for entry_id in written:
        path = f"/v1/log/openings/{entry_id}"
        assert world.get(cast.dev, path).status_code == 200
        assert world.get(cast.us_reg, path).status_code == 200
        assert world.get(cast.dev2, path).status_code == 403


def test_a_token_report_does_not_hide_a_capacity_notice(world: World) -> None:
    cast = Attesting(world)
    lines = [{"site_id": cast.site, "chip_model": "H100", "chip_hours": 30.84e6}]
    made = cast.attested(0, lines=lines, customer_id=cast.dev2.id)
    assert world.get(cast.us_reg, NOTICES).json()["total"] == 1
    model = cast.made_model(cast.dev2)
    token = {
        "declared_flop": 1e18,
        "params": 1e8,
        "tokens": 1.6e9,
        "precision": "bf16",
        "compute_used": [cast.line("H100", 1, 1)],
    }
    cast.ran(model["id"], cast.dev2, **token)
    [notice] = world.get(cast.us_reg, NOTICES).json()["items"]
    assert notice["attestation_id"] == made["id"] and notice["capacity_flop"] > 1e25
    # It does not show how much the reports account for (some may not be addressed to it).
    assert "unaccounted_share" not in notice
    # Nor does a plan: planned runs are not use of delivered chip-hours.
    planned = {**cast.llama31(), "report_kind": "planned", "stage": "plan"}
    cast.ran(model["id"], cast.dev2, **planned)
    assert world.get(cast.us_reg, NOTICES).json()["total"] == 1
    # The honest report of the run accounts for them.
    cast.ran(model["id"], cast.dev2, **{**cast.llama31(), "stage": "main"})
    assert world.get(cast.us_reg, NOTICES).json()["total"] == 0


def test_forged_figures_and_hostile_csv_are_refused(world: World) -> None:
    cast = Attesting(world)
    for hours in ("NaN", "Infinity", -1.0, 0, 1e12):
        assert cast.attest(hours).status_code == 422, hours  # type: ignore[arg-type]
    line = f"{cast.dev.id},{cast.site},V100,2025-06-01T00:00:00Z,2025-09-01T00:00:00Z,"
    formula = f"{cast.dev.id},{cast.site},=cmd|'/c calc'!A1,2025-06-01T00:00:00Z,"
    future = f"{cast.dev.id},{cast.site},V100,2025-06-01T00:00:00Z,2999-01-01T00:00:00Z,5"
    for rows in (
        [formula + "2025-09-01T00:00:00Z,5"],
        [line + "5", line + "7"],  # the same site and chip twice
        [future],
        [line + "=1+1"],
        [line + "1e300"],
    ):
        body = {"csv": "\n".join([CSV_HEADER, *rows]), "basis": "threshold"}
        response = cast.act(cast.cloud, "report.attestation", ATTEST, body)
        assert response.status_code == 422, (rows, response.text)
    # Another provider cannot attest at this provider's site.
    other = cast.attest(1e6, actor=cast.cast.cn_cloud)
    _invalid(other, "lines[0].site_id")
    assert world.get(cast.us_reg, ATTEST).json()["total"] == 0


def test_the_flag_workflow_holds_against_the_flagged_party_and_outsiders(world: World) -> None:
    cast = Attesting(world)
    attestation = cast.attested(2.0e6)
    model = cast.made_model()
    [flag] = cast.ran(model["id"], **cast.gpt3())["flags"]
    fid = flag["id"]
    resolve = {"flag_id": fid, "reason": "fine"}
    assert _flag_step(cast, cast.dev, "flag.resolve", resolve).status_code == 403
    assign = {"flag_id": fid, "assignee_id": cast.dev.id}
    assert _flag_step(cast, cast.dev, "flag.assign", assign).status_code == 403
    dispute = {"flag_id": fid, "reason": "x", "evidence": [{"kind": "a", "reference": "b"}]}
    assert _flag_step(cast, cast.dev2, "flag.dispute", dispute).status_code == 404
    assert _flag_step(cast, cast.cloud, "flag.dispute", dispute).status_code == 404
    assert _flag_step(cast, cast.cn_reg, "flag.resolve", resolve).status_code == 403
    assign_dev = _flag_step(cast, cast.us_reg, "flag.assign", assign)
    assert assign_dev.status_code == 422, assign_dev.text
    # The provider whose attestation it is reads nothing of it: not in its flags, not shown.
    assert world.get(cast.cloud, f"/v1/flags/{fid}").status_code == 404
    for path in ("/v1/flags", "/v1/flags?format=csv"):
        assert fid not in world.get(cast.cloud, path).text
    # Superseding with a bigger figure after the flag leaves the flag for a regulator.
    bigger = cast.attested(5e6)
    assert bigger["supersedes_id"] == attestation["id"]
    [kept] = _flags(world, EXCEEDED)
    assert kept.id == fid and kept.status == "open"
    assert world.get(cast.us_reg, f"/v1/flags/{fid}").json()["status"] == "open"


def test_outsiders_cannot_open_attestation_entries_or_answer_others_requests(
    world: World,
) -> None:
    cast = Attesting(world)
    made = cast.attested(1e6)
    request = cast.act(
        cast.us_reg,
        "report.attestation_request",
        "/v1/reports/attestation-requests",
        {"provider_id": cast.cloud.id, "customer_id": cast.dev.id, **PERIOD, "reason": "audit"},
    )
    assert request.status_code == 201, request.text
    world.log_size()
    entries = [made["entry_id"], request.json()["entry_id"]]
    outsiders = (cast.cast.cn_cloud, cast.dev2, cast.cn_reg, world.admin)
    for entry_id in entries:
        for outsider in outsiders:
            status = world.get(outsider, f"/v1/log/openings/{entry_id}").status_code
            assert status == 403, (entry_id, outsider.role)
    # The customer does not open the request about it.
    assert world.get(cast.dev, f"/v1/log/openings/{entries[1]}").status_code == 403
    identity = _attested(cast)["attestation"]
    asked = cast.act(
        cast.us_reg,
        "report.identity_request",
        "/v1/reports/identity-requests",
        {"attestation_id": identity["id"], "reason": "who is it"},
    )
    assert asked.status_code == 201, asked.text
    answer = {"request_id": asked.json()["request"]["id"], "status": "answered"}
    forged = cast.act(
        cast.cast.cn_cloud, "report.identity_answer", "/v1/reports/identity-answers", answer
    )
    assert forged.status_code in (403, 422), forged.text


def test_naming_another_partys_chips_does_not_reveal_their_custody(world: World) -> None:
    """A developer (a smuggler tracking chips it once held, a rival) names chip ids it does
    not hold: the flag tells it which are wrong, never who holds them or where; not in the
    report's answer, its page, its flags list or CSV. The regulator reads the custody."""
    cast = Attesting(world)
    rival = world.create(world.admin, "cloud_provider", "Rival Cloud LLC", "US")
    rival_site = cast.cast.site(rival, "US", "Nevada 1")
    theirs = add_chips(world, cast.cast.maker, "V100", 1, custodian=rival)
    install = {"site_id": rival_site, "chips": theirs}
    done = cast.act(rival, "site.install", "/v1/sites/install", install)
    assert done.status_code == 200, done.text
    world.clock.advance(timedelta(days=30))
    model = cast.made_model()
    start = world.clock.now() - timedelta(days=10)
    run = {
        **cast.gpt3(),
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(days=5)).isoformat(),
        "compute_used": [{**cast.line("V100", 1, 100), "chip_ids": theirs}],
    }
    made = cast.ran(model["id"], **run)
    [flag] = [f for f in made["flags"] if f["kind"] == "chips_not_held"]
    secrets = (rival.id, rival_site)
    page = world.get(cast.dev, f"/v1/reports/training-runs/{made['report']['id']}/page")
    seen = [
        json.dumps(flag),
        page.text,
        world.get(cast.dev, f"/v1/flags/{flag['id']}").text,
        world.get(cast.dev, "/v1/flags").text,
        world.get(cast.dev, "/v1/flags?format=csv").text,
    ]
    assert page.status_code == 200, page.text
    for text in seen:
        for secret in secrets:
            assert secret not in text
    assert flag["evidence"]["chips"] == [
        {"line": 0, "chip_id": theirs[0], "problem": "not held there then"}
    ]
    shown = world.get(cast.us_reg, f"/v1/flags/{flag['id']}").json()
    assert shown["evidence"]["chips"][0]["custodian_now"] == rival.id
