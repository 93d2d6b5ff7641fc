"""The obligations calendar of reported models, filing packets and a report's page, over
real HTTP on SQLite and PostgreSQL: a fine-tune that pushes a lineage over 1e25 gives the EU
Art. 52(1) notification two weeks after it became known (a planned report counts); a
modifier above a third of the original's compute becomes the provider, with the original's
figures withheld; a large developer (revenue from its entity facts) owes SB 53 quarterly
summaries; a forged packet digest is refused; another developer neither files nor reads
your packet; every list as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from reporting_setup import Reporting

from computegov.registry.reporting.models import EntityFacts
from conftest import World


def _fine_tune(flop: float, **extra: Any) -> dict[str, Any]:
    return {
        "stage_kind": "fine_tuning",
        "declared_flop": flop,
        "params": 70e9,
        "tokens": flop / (6 * 70e9),
        **extra,
    }


def _base(cast: Reporting, flop: float) -> str:
    rep = cast.eu_rep.id
    base = cast.made_model(
        name="base-70b", jurisdictions=["US", "EU"], markets=["EU"], eu_representative_id=rep
    )
    cast.ran(base["id"], declared_flop=flop, params=70e9, tokens=flop / (6 * 70e9))
    return str(base["id"])


def _calendar(world: World, cast: Reporting, actor: Any, model_id: str) -> dict[str, Any]:
    response = world.get(actor, f"/v1/reports/models/{model_id}/obligations")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _one(calendar: dict[str, Any], obligation_id: str) -> dict[str, Any] | None:
    found = [o for o in calendar["items"] if o["obligation_id"] == obligation_id]
    return found[0] if found else None


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_a_planned_fine_tune_over_1e25_starts_the_two_weeks_of_art_52(world: World) -> None:
    cast = Reporting(world)
    base = _base(cast, 9e24)
    assert _one(_calendar(world, cast, cast.dev, base), "eu-art52-notification") is None
    world.clock.advance(timedelta(days=8))  # 2026-03-10
    child = cast.made_model(
        name="base-70b-instruct",
        parent_id=base,
        jurisdictions=["US", "EU"],
        markets=["EU"],
        eu_representative_id=cast.eu_rep.id,
    )
    planned = _fine_tune(1.5e24, report_kind="planned", ended_at=None)
    cast.ran(child["id"], **{**planned, "started_at": "2026-04-01T00:00:00Z"})
    world.clock.advance(timedelta(days=30))  # the final report comes later, same figure
    cast.ran(child["id"], **_fine_tune(1.5e24, started_at="2026-03-01T00:00:00Z",
                                       ended_at="2026-04-01T00:00:00Z"))  # fmt: skip
    calendar = _calendar(world, cast, cast.dev, child["id"])
    assert calendar["role"] == "provider" and calendar["cumulative_flop"] == 1.05e25
    notice = _one(calendar, "eu-art52-notification")
    assert notice is not None
    assert notice["known_on"] == "2026-03-10"  # the planned report made it known
    assert notice["deadline"] == "2026-03-24" and notice["state"] == "applies"
    assert "Art. 52(1)" in notice["citation"] and notice["source"].startswith("https://")
    assert "European Commission" in notice["authority"]
    # The regulator the model is addressed to sees the same calendar; one of another
    # jurisdiction does not see the model at all.
    seen = _calendar(world, cast, cast.eu_reg, child["id"])
    assert _one(seen, "eu-art52-notification") == notice
    hidden = world.get(cast.cn_reg, f"/v1/reports/models/{child['id']}/obligations")
    assert hidden.status_code == 404
    # The whole calendar of the developer, as JSON and CSV; a regulator names the developer.
    mine = world.get(cast.dev, "/v1/reports/obligations").json()
    assert {i["model_id"] for i in mine["items"]} == {base, child["id"]}
    rows = _csv(world.get(cast.dev, "/v1/reports/obligations", params={"format": "csv"}))
    assert len(rows) == mine["total"]
    [row] = [r for r in rows if r["obligation_id"] == "eu-art52-notification"]
    assert row["deadline"] == "2026-03-24" and row["model_id"] == child["id"]
    by = {"party_id": cast.dev.id, "format": "csv"}
    assert len(_csv(world.get(cast.eu_reg, "/v1/reports/obligations", params=by))) == len(rows)
    other = {"party_id": cast.dev2.id}
    assert world.get(cast.eu_reg, "/v1/reports/obligations", params=other).json()["total"] == 0
    assert world.get(cast.cn_reg, "/v1/reports/obligations").json()["total"] == 0
    # A developer asks only for its own calendar.
    prying = world.get(cast.dev2, "/v1/reports/obligations", params={"party_id": cast.dev.id})
    assert prying.status_code == 403
    one = world.get(cast.dev, f"/v1/reports/models/{child['id']}/obligations?format=csv")
    assert {r["model_id"] for r in _csv(one)} == {child["id"]}


def test_a_modifier_above_a_third_becomes_the_provider(world: World) -> None:
    cast = Reporting(world)
    base = _base(cast, 3e24)
    over = cast.made_model(
        cast.dev2, name="tuned-over", parent_id=base, jurisdictions=["FR"], markets=["FR"]
    )
    under = cast.made_model(
        cast.dev2, name="tuned-under", parent_id=base, jurisdictions=["FR"], markets=["FR"]
    )
    cast.ran(over["id"], cast.dev2, **_fine_tune(1.1e24))
    cast.ran(under["id"], cast.dev2, **_fine_tune(0.9e24))
    above = _calendar(world, cast, cast.dev2, over["id"])
    below = _calendar(world, cast, cast.dev2, under["id"])
    assert above["role"] == below["role"] == "modifier"
    documentation = _one(above, "eu-model-documentation")
    assert documentation is not None and "the provider" in documentation["why"]
    assert _one(below, "eu-model-documentation") is None  # not more than a third
    # The modifier learns its duty, not the original developer's figures.
    assert above["cumulative_flop"] is None
    assert all("3e24" not in o["why"] and "4.1e24" not in o["why"] for o in above["items"])
    assert "[withheld]" in documentation["why"]
    # The original's developer stays the provider of its own model, with its own duties.
    assert _calendar(world, cast, cast.dev, base)["role"] == "provider"


def _facts(world: World, party_id: str, revenue: float) -> None:
    now = world.clock.now()
    with world.store.transaction() as session:
        session.add(
            EntityFacts(
                id=f"fct_{party_id}"[:32],
                party_id=party_id,
                year=now.year - 1,
                revenue_usd=revenue,
                markets=["US-CA"],
                jurisdictions=["US"],
                reported_at=now,
                entry_id="test",
            )
        )


def test_a_large_developer_owes_sb_53_quarterly_summaries(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(name="frontier-2", markets=["US"], placed_on="2026-05-01")
    assert model["placed_on"] == "2026-05-01"
    cast.ran(model["id"], declared_flop=2e26, params=1e12, tokens=2e26 / 6e12)
    summaries = _one(
        _calendar(world, cast, cast.dev, model["id"]), "ca-catastrophic-risk-summaries"
    )
    assert summaries is not None and summaries["state"] == "undetermined"  # revenue unknown
    small = cast.made_model(cast.dev2, name="small-lab", markets=["US"], jurisdictions=["US"])
    cast.ran(small["id"], cast.dev2, declared_flop=2e26, params=1e12, tokens=2e26 / 6e12)
    _facts(world, cast.dev.id, 6e8)
    _facts(world, cast.dev2.id, 4e8)
    calendar = _calendar(world, cast, cast.dev, model["id"])
    assert calendar["revenue_usd"] == 6e8
    summaries = _one(calendar, "ca-catastrophic-risk-summaries")
    assert summaries is not None and summaries["state"] == "applies"
    assert summaries["deadline"] == "2026-06-02"  # three months from it became known
    assert "Office of Emergency Services" in summaries["authority"]
    assert (
        _one(_calendar(world, cast, cast.dev2, small["id"]), "ca-catastrophic-risk-summaries")
        is None
    )
    transparency = _one(calendar, "ca-transparency-report")
    assert transparency is not None and transparency["deadline"] == "2026-05-01"


def test_a_filing_is_the_packet_its_filer_reviewed(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(
        name="frontier-3", jurisdictions=["US", "EU"], markets=["EU"],
        eu_representative_id=cast.eu_rep.id,
    )  # fmt: skip
    report = cast.ran(model["id"], **cast.llama31())["report"]
    path = f"/v1/reports/models/{model['id']}/packets/eu-art52-notification"
    shown = world.get(cast.dev, path).json()
    packet, sha = shown["packet"], shown["packet_sha256"]
    assert packet["deadline"] == "2026-03-16" and "AI Office" in packet["send_to"]
    assert packet["lineage_compute"]["cumulative_flop"] == 3.8e25
    [stage] = packet["lineage_compute"]["stages"]
    assert stage["report_id"] == report["id"] and stage["operation_count_flop"] > 0
    assert stage["hardware_flop"] > 0
    assert any(t["id"] == "eu-ai-act-art-51" for t in packet["thresholds_crossed"])
    assert packet["filer"]["id"] == cast.dev.id
    # Neither another developer nor a regulator gets the packet to sign.
    assert world.get(cast.dev2, path).status_code == 404
    assert world.get(cast.eu_reg, path).status_code == 403

    def file(actor: Any, digest: str, model_id: str = model["id"]) -> Any:
        body = {"model_id": model_id, "obligation_id": "eu-art52-notification"}
        return cast.act(actor, "report.filing", "/v1/reports/filings",
                        {**body, "packet_sha256": digest})  # fmt: skip

    forged = file(cast.dev, "0" * 64)
    assert forged.status_code == 409 and sha in forged.json()["detail"]
    assert file(cast.dev2, sha).status_code == 422  # not its model
    assert file(cast.eu_reg, sha).status_code == 403
    assert world.get(cast.dev, "/v1/reports/filings").json()["total"] == 0
    filed = file(cast.dev, sha)
    assert filed.status_code == 201, filed.text
    filing = filed.json()["filing"]
    assert filing["packet_sha256"] == sha and filing["packet"] == packet
    assert filing["deadline"] == "2026-03-16"
    pdf = world.get(cast.dev, f"/v1/reports/filings/{filing['id']}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"%%EOF" in pdf.content[-64:]
    assert b"2026-03-16" in pdf.content and sha.encode() in pdf.content
    # The EU regulator reads it; another developer and a foreign regulator do not.
    assert world.get(cast.eu_reg, f"/v1/reports/filings/{filing['id']}").status_code == 200
    for outsider in (cast.dev2, cast.cn_reg):
        assert world.get(outsider, f"/v1/reports/filings/{filing['id']}").status_code == 404
        assert world.get(outsider, f"/v1/reports/filings/{filing['id']}.pdf").status_code == 404
        assert world.get(outsider, "/v1/reports/filings").json()["total"] == 0
    rows = _csv(world.get(cast.eu_reg, "/v1/reports/filings", params={"format": "csv"}))
    assert [r["id"] for r in rows] == [filing["id"]] and "packet" not in rows[0]
    # An obligation the calendar does not list has no packet.
    missing = world.get(cast.dev, path.replace("eu-art52-notification", "ny-disclosure-statement"))
    assert missing.status_code == 404 and "eu-art52-notification" in missing.json()["detail"]


def test_a_report_page_has_both_estimates_thresholds_obligations_and_flags(world: World) -> None:
    cast = Reporting(world)
    model = cast.made_model(name="frontier-4", markets=["US"])
    # Declared at three times 6ND: implausible, flagged, recorded all the same.
    made = cast.ran(model["id"], **{**cast.llama31(), "declared_flop": 1.2e26})
    report, [flag] = made["report"], made["flags"]
    other = cast.ran(model["id"], **_fine_tune(1e23))["report"]
    page = world.get(cast.dev, f"/v1/reports/training-runs/{report['id']}/page").json()
    assert page["report"]["id"] == report["id"]
    assert page["estimates"]["operation_count"]["flop"] > 3.7e25
    assert page["estimates"]["hardware"]["flop"] > 0
    assert any(t["id"] == "eu-ai-act-art-51" for t in page["thresholds"])
    assert {o["obligation_id"] for o in page["obligations"]} >= {"ca-transparency-report"}
    assert [f["id"] for f in page["flags"]] == [flag["id"]]
    assert page["flags"][0]["evidence"]["report_id"] == report["id"]
    quiet = world.get(cast.us_reg, f"/v1/reports/training-runs/{other['id']}/page").json()
    assert quiet["flags"] == []
    hidden = world.get(cast.dev2, f"/v1/reports/training-runs/{report['id']}/page")
    assert hidden.status_code == 404
