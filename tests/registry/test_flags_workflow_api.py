"""The full flag workflow over the real server, on SQLite and PostgreSQL: a flag on a compute
report is assigned, commented on, disputed by the flagged party with its evidence, resolved and
closed, each step signed, in the flag's history, its ledger entry opening for the flagged party
and the flag's regulators only; and the attacks: a third party disputing another's flag (which
it cannot even see), a regulator of another jurisdiction assigning or resolving, assigning to
someone who is no official, resolving a closed flag, oversized evidence, and a developer
reading another developer's confidential flag."""

from __future__ import annotations

from typing import Any

from custody_setup import Cast
from reporting_setup import Reporting

from conftest import Actor, World

EVIDENCE = [
    {"kind": "log", "reference": "s3://frontier/run-7/steps.csv", "note": "tokens per step"},
    {"kind": "paper", "reference": "https://arxiv.org/abs/2412.19437", "note": "37e9 active"},
]


def _step(cast: Reporting | Cast, actor: Actor, action: str, body: dict[str, Any]) -> Any:
    return cast.act(actor, action, f"/v1/flags/{action.removeprefix('flag.')}", body)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json())


def _implausible(cast: Reporting) -> dict[str, Any]:
    """An `implausible_compute` flag on the developer's report addressed to France."""
    model = cast.made_model(jurisdictions=["FR"])
    body = {**cast.deepseek_v3()}
    del body["active_params"]  # 6ND on all 671e9 parameters: far above what the chips did
    [flag] = cast.ran(model["id"], **body)["flags"]
    return dict(flag)


def test_a_flag_on_a_report_goes_through_the_whole_workflow(world: World) -> None:
    cast = Reporting(world)
    official = world.create(world.admin, "regulator", "CNIL", "FR", jurisdiction=["FR"])
    flag = _implausible(cast)
    assert flag["party_id"] == cast.dev.id and flag["countries"] == ["FR"]
    fid = flag["id"]
    assigned = _ok(
        _step(cast, cast.eu_reg, "flag.assign", {"flag_id": fid, "assignee_id": official.id})
    )["flag"]
    assert (assigned["status"], assigned["assignee_id"]) == ("assigned", official.id)
    commented = _ok(
        _step(cast, official, "flag.comment", {"flag_id": fid, "text": "send your run logs"})
    )
    assert commented["flag"]["status"] == "assigned"
    answered = {"flag_id": fid, "text": "logs attached to the dispute"}
    _ok(_step(cast, cast.dev, "flag.comment", answered))
    dispute = {"flag_id": fid, "reason": "a mixture of experts", "evidence": EVIDENCE}
    assert _ok(_step(cast, cast.dev, "flag.dispute", dispute))["flag"]["status"] == "disputed"
    resolve = {"flag_id": fid, "reason": "active parameters confirmed"}
    _ok(_step(cast, official, "flag.resolve", resolve))
    close = {"flag_id": fid, "reason": "no further action"}
    closed = _ok(_step(cast, cast.eu_reg, "flag.close", close))

    shown = _ok(world.get(cast.dev, f"/v1/flags/{fid}"))
    assert shown == {**closed["flag"], "history": shown["history"]}
    steps = [(h["action"], h["from"], h["to"], h["by"]) for h in shown["history"]]
    assert steps == [
        ("raise", None, "open", None),
        ("flag.assign", "open", "assigned", cast.eu_reg.id),
        ("flag.comment", "assigned", "assigned", official.id),
        ("flag.comment", "assigned", "assigned", cast.dev.id),
        ("flag.dispute", "assigned", "disputed", cast.dev.id),
        ("flag.resolve", "disputed", "resolved", official.id),
        ("flag.close", "resolved", "closed", cast.eu_reg.id),
    ]
    assert shown["history"][1]["details"] == {"assignee_id": official.id}
    assert shown["history"][4]["details"] == {"evidence": EVIDENCE}
    assert shown["history"][4]["reason"] == "a mixture of experts"
    assert closed["entry_id"] == shown["history"][-1]["entry_id"]
    world.log_size()
    for step in shown["history"][1:]:
        path = f"/v1/log/openings/{step['entry_id']}"
        record = _ok(world.get(cast.dev, path))["record"]
        # Each step is the signed envelope of its actor, opening as the report does.
        assert record["envelope"]["envelope"]["type"] == step["action"]
        assert record["opens_as"] == "report.read"
        assert cast.dev.id in record["subjects"] and record["countries"] == ["FR"]
        assert world.get(official, path).status_code == 200
        for other in (cast.dev2, world.admin, cast.us_reg):
            assert world.get(other, path).status_code == 403, (other.role, step["action"])
    # Once resolved or closed, a flag is history: no more steps.
    again = _step(cast, official, "flag.resolve", resolve)
    assert again.status_code == 409 and again.json()["reason"] == "flag_state", again.text
    late = _step(cast, cast.dev, "flag.comment", answered)
    assert late.status_code == 409, late.text


def test_the_flagged_party_reads_its_confidential_flag_and_no_one_elses(world: World) -> None:
    cast = Reporting(world)
    flag = _implausible(cast)
    path = f"/v1/flags/{flag['id']}"
    assert _ok(world.get(cast.dev, path))["evidence"]["report_id"] == flag["evidence"]["report_id"]
    assert [f["id"] for f in _ok(world.get(cast.dev, "/v1/flags"))["items"]] == [flag["id"]]
    mine = _ok(world.get(cast.dev, "/v1/flags?mine=true&status=open"))["items"]
    assert [f["id"] for f in mine] == [flag["id"]]
    # Another developer: not found, not listed, not disputable, not commentable.
    assert world.get(cast.dev2, path).status_code == 404
    assert _ok(world.get(cast.dev2, "/v1/flags"))["items"] == []
    dispute = {"flag_id": flag["id"], "reason": "not me", "evidence": EVIDENCE}
    assert _step(cast, cast.dev2, "flag.dispute", dispute).status_code == 404
    comment = {"flag_id": flag["id"], "text": "hello"}
    assert _step(cast, cast.dev2, "flag.comment", comment).status_code == 404
    # The flagged party neither resolves nor closes its own flag.
    resolve = {"flag_id": flag["id"], "reason": "fine"}
    assert _step(cast, cast.dev, "flag.resolve", resolve).status_code == 403
    assert _step(cast, cast.dev, "flag.close", resolve).status_code == 403
    # As CSV too, one row per flag, for its regulator.
    text = world.get(cast.eu_reg, "/v1/flags?format=csv&kind=implausible_compute").text
    assert text.splitlines()[0].startswith("id,kind,") and len(text.splitlines()) == 2
    assert flag["id"] in text


def test_regulators_of_other_jurisdictions_and_outsiders_cannot_take_the_flag(
    world: World,
) -> None:
    cast = Reporting(world)
    flag = _implausible(cast)
    fid = flag["id"]
    assign = {"flag_id": fid, "assignee_id": cast.us_reg.id}
    refused = _step(cast, cast.us_reg, "flag.assign", assign)
    assert refused.status_code == 403, refused.text
    assert (
        _step(cast, cast.us_reg, "flag.resolve", {"flag_id": fid, "reason": "mine"}).status_code
        == 403
    )
    # The EU regulator may assign only to an official of the flag's jurisdictions.
    for outsider in (cast.us_reg, cast.dev2, world.admin):
        body = {"flag_id": fid, "assignee_id": outsider.id}
        response = _step(cast, cast.eu_reg, "flag.assign", body)
        assert response.status_code == 422 and response.json()["reason"] == "not_an_official"
    nobody = _step(cast, cast.eu_reg, "flag.assign", {"flag_id": fid, "assignee_id": "pty_no"})
    assert nobody.status_code == 422
    assert _ok(world.get(cast.eu_reg, f"/v1/flags/{fid}"))["history"][1:] == []


def test_hostile_disputes_are_refused(world: World) -> None:
    cast = Reporting(world)
    fid = _implausible(cast)["id"]
    item = EVIDENCE[0]
    hostile = [
        {"flag_id": fid, "reason": "x", "evidence": [item] * 21},  # too many items
        {"flag_id": fid, "reason": "x", "evidence": [{**item, "note": "n" * 2001}]},
        {"flag_id": fid, "reason": "x", "evidence": [{**item, "reference": "r" * 501}]},
        {"flag_id": fid, "reason": "x", "evidence": [{**item, "script": "<b>"}]},
        {"flag_id": fid, "reason": "x", "evidence": []},
        {"flag_id": fid, "reason": "x", "evidence": {"kind": "log"}},
        {"flag_id": fid, "reason": "", "evidence": [item]},
        {"flag_id": fid, "reason": "r" * 2001, "evidence": [item]},
    ]
    for body in hostile:
        response = _step(cast, cast.dev, "flag.dispute", body)
        assert response.status_code == 422, response.text
        assert response.json()["reason"] == "invalid_flag_step"
    comment = {"flag_id": fid, "text": "t" * 2001}
    assert _step(cast, cast.dev, "flag.comment", comment).status_code == 422
    assert _ok(world.get(cast.dev, f"/v1/flags/{fid}"))["status"] == "open"


def test_a_screened_party_disputes_its_own_match_and_a_third_party_sees_nothing(
    world: World,
) -> None:
    cast = Cast(world)
    listed = "name,source\nShanghai Compute Co,Entity List (15 CFR 744 Supp. 4)\n"
    body = {"name": "entity", "csv": listed}
    imported = cast.act(cast.us_reg, "screening.import", "/v1/screening/lists", body)
    assert imported.status_code == 201, imported.text
    [flag] = [f for f in imported.json()["flags"] if f["subject_id"] == cast.cn_cloud.id]
    assert flag["party_id"] == cast.cn_cloud.id
    fid, path = flag["id"], f"/v1/flags/{flag['id']}"
    assert _ok(world.get(cast.cn_cloud, path))["kind"] == "screening_match"
    dispute = {"flag_id": fid, "reason": "another company", "evidence": EVIDENCE[:1]}
    # A third party: refused without learning that the flag exists.
    assert world.get(cast.us_cloud, path).status_code == 404
    assert _step(cast, cast.us_cloud, "flag.dispute", dispute).status_code == 404
    assert _ok(world.get(cast.us_cloud, "/v1/flags"))["items"] == []
    # A regulator comments but does not dispute; the screened party disputes.
    assert _step(cast, cast.cn_reg, "flag.dispute", dispute).status_code == 403
    assert _ok(_step(cast, cast.cn_cloud, "flag.dispute", dispute))["flag"]["status"] == "disputed"
    world.log_size()
    entry = _ok(world.get(cast.cn_cloud, path))["history"][-1]["entry_id"]
    opened = _ok(world.get(cast.cn_cloud, f"/v1/log/openings/{entry}"))["record"]
    assert "opens_as" not in opened
    assert world.get(cast.us_cloud, f"/v1/log/openings/{entry}").status_code == 403
