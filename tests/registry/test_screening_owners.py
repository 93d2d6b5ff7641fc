"""Screening lists have owners and a reach, and flags can be closed (issue 9, high item 3).

Over the real server on SQLite and PostgreSQL: a list belongs to its importer (another
regulator's import of the same name is its own list, and it cannot withdraw another's); a
match refuses a transfer only where the list owner's jurisdiction reaches; replacing or
withdrawing a list closes the flags it raised that no longer match; a regulator of the
flagged party's jurisdiction closes any flag with a reason, a signed and logged step in the
flag's history.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from custody_setup import Cast, add_chips

from computegov.identity.keys import key_id
from computegov.instants import to_wire
from conftest import Actor, World

NVIDIA_LISTED = "name,source\nNVIDIA Corporation,Unreliable Entity List (MOFCOM)\n"
SHANGHAI_LISTED = "name,source\nShanghai Compute Co,Entity List (15 CFR 744 Supp. 4)\n"


def _import(cast: Cast, regulator: Actor, name: str, csv: str) -> dict[str, Any]:
    response = cast.act(
        regulator, "screening.import", "/v1/screening/lists", {"name": name, "csv": csv}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _withdraw(cast: Cast, actor: Actor, list_id: str, reason: str = "") -> Any:
    body = {"list_id": list_id, "reason": reason}
    return cast.act(actor, "screening.withdraw", "/v1/screening/lists/withdraw", body)


def _close(cast: Cast, actor: Actor, flag_id: str, reason: str) -> Any:
    body = {"flag_id": flag_id, "reason": reason}
    return cast.act(actor, "flag.close", "/v1/flags/close", body)


def _flag(world: World, flag_id: str) -> dict[str, Any]:
    response = world.get(world.admin, f"/v1/flags/{flag_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _refusal(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem = dict(response.json())
    assert problem["type"].endswith("/refused")
    return problem


def test_a_list_belongs_to_its_importer_and_others_cannot_replace_or_withdraw_it(
    world: World,
) -> None:
    cast = Cast(world)
    us = _import(cast, cast.us_reg, "entity-list", SHANGHAI_LISTED)
    [flag] = us["flags"]
    # The Chinese regulator imports a list under the same name: it is its own list.
    cn = _import(cast, cast.cn_reg, "entity-list", "name,source\nSomeone Else Entirely,MOFCOM\n")
    assert cn["list_id"] != us["list_id"]
    assert (cn["replaced"], cn["closed"]) == (False, [])
    lists = {
        row["id"]: row for row in world.get(cast.us_reg, "/v1/screening/lists").json()["items"]
    }
    assert lists[us["list_id"]]["owner_id"] == cast.us_reg.id
    assert (lists[us["list_id"]]["status"], lists[us["list_id"]]["entries"]) == ("active", 1)
    assert lists[cn["list_id"]]["owner_id"] == cast.cn_reg.id
    # The US list still screens: a new party of the listed name is flagged by it.
    later = world.create(world.admin, "cloud_provider", "Shanghai Compute Co., Ltd.", "CN")
    [new_flag] = [
        f
        for f in world.get(world.admin, "/v1/flags").json()["items"]
        if f["subject_id"] == later.id
    ]
    assert new_flag["source_id"] == us["list_id"]
    assert new_flag["evidence"]["list"]["owner_id"] == cast.us_reg.id
    # Only the owner withdraws it: the Chinese regulator is refused, the list and flag stand.
    refused = _withdraw(cast, cast.cn_reg, us["list_id"])
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/forbidden")
    assert refused.json()["action"] == "screening.withdraw"
    assert "another party imported this list" in refused.json()["detail"]
    assert _flag(world, flag["id"])["status"] == "open"
    # Importing again under its own name replaces the owner's list, not another's.
    again = _import(cast, cast.cn_reg, "entity-list", "name,source\nAnother Name Entirely,MOFCOM\n")
    assert (again["list_id"], again["replaced"]) == (cn["list_id"], True)


def test_a_chinese_list_naming_a_us_party_does_not_stop_transfers_inside_the_us(
    world: World,
) -> None:
    cast = Cast(world)
    listed = _import(cast, cast.cn_reg, "unreliable-entities", NVIDIA_LISTED)
    [flag] = listed["flags"]
    assert flag["subject_id"] == cast.maker.id
    # Inside the US, with chips subject only to US rules, China's list does not reach.
    chips = add_chips(world, cast.maker, "H100 SXM", 2, custodian=cast.us_cloud)
    inside = cast.declare(cast.us_cloud, chips, cast.maker, "US")
    assert inside.status_code == 201, inside.text
    # Where China reaches (a sender in China, chips there), the same match refuses.
    held = add_chips(world, cast.maker, "V100 SXM2", 1, country="CN", custodian=cast.cn_cloud)
    problem = _refusal(cast.declare(cast.cn_cloud, held, cast.maker, "US"))
    assert problem["reason"] == "screened_receiver"
    assert problem["list"] == {
        "id": listed["list_id"],
        "name": "unreliable-entities",
        "owner_id": cast.cn_reg.id,
        "jurisdiction": ["CN"],
    }
    assert problem["reach"] == [
        f"the sender {cast.cn_cloud.id} is in or headquartered in CN",
        "the chips are in CN",
    ]
    assert "Unreliable Entity List" in problem["detail"]


def test_a_us_list_refuses_3a090_chips_between_two_parties_in_china(world: World) -> None:
    cast = Cast(world)
    _import(cast, cast.us_reg, "entity-list", SHANGHAI_LISTED)
    trader = world.create(world.admin, "distributor", "Shenzhen Trading Co", "CN")
    h100 = add_chips(world, cast.maker, "H100 SXM", 2, country="CN", custodian=trader)
    problem = _refusal(cast.declare(trader, h100, cast.cn_cloud, "CN"))
    assert problem["reason"] == "screened_receiver"
    assert problem["reach"] == [
        "the chips are subject to US export rules (bis-2023-10, bis-2025-04-h20) wherever they are"
    ]
    # Chips no US rule controls, between the same two parties in China: out of US reach.
    v100 = add_chips(world, cast.maker, "V100 SXM2", 2, country="CN", custodian=trader)
    allowed = cast.declare(trader, v100, cast.cn_cloud, "CN")
    assert allowed.status_code == 201, allowed.text


def test_replacing_a_list_closes_the_flags_that_no_longer_match(world: World) -> None:
    cast = Cast(world)
    both = NVIDIA_LISTED + "Beijing AI Holdings,Unreliable Entity List (MOFCOM)\n"
    first = _import(cast, cast.cn_reg, "unreliable-entities", both)
    flags = {f["subject_id"]: f for f in first["flags"]}
    assert set(flags) == {cast.maker.id, cast.cn_parent.id}
    held = add_chips(world, cast.maker, "V100 SXM2", 1, country="CN", custodian=cast.cn_cloud)
    assert _refusal(cast.declare(cast.cn_cloud, held, cast.maker, "US"))["reason"] == (
        "screened_receiver"
    )
    # The owner replaces its list without NVIDIA: that flag closes, the other stands.
    only_beijing = "name,source\nBeijing AI Holdings,Unreliable Entity List (MOFCOM)\n"
    world.clock.advance(timedelta(minutes=1))
    second = cast.act(
        cast.cn_reg,
        "screening.import",
        "/v1/screening/lists",
        {"name": "unreliable-entities", "csv": only_beijing},
    )
    assert second.status_code == 201, second.text
    result = second.json()
    assert (result["replaced"], result["flags"]) == (True, [])
    [closed] = result["closed"]
    assert (closed["id"], closed["status"]) == (flags[cast.maker.id]["id"], "closed")
    step = _flag(world, closed["id"])["history"][-1]
    assert step["action"] == "screening.import" and (step["from"], step["to"]) == ("open", "closed")
    assert step["by"] == cast.cn_reg.id and step["at"] == to_wire(world.clock.now())
    assert step["entry_id"] == result["entry_id"] and "no longer matches" in step["reason"]
    assert _flag(world, flags[cast.cn_parent.id]["id"])["status"] == "open"
    # NVIDIA is no longer refused, even where China reaches.
    allowed = cast.declare(cast.cn_cloud, held, cast.maker, "US")
    assert allowed.status_code == 201, allowed.text


def test_withdrawing_a_list_closes_every_flag_it_raised(world: World) -> None:
    cast = Cast(world)
    listed = _import(cast, cast.cn_reg, "unreliable-entities", NVIDIA_LISTED)
    [flag] = listed["flags"]
    withdrawn = _withdraw(cast, cast.cn_reg, listed["list_id"], "listed in error")
    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert (body["screening_list"]["status"], body["screening_list"]["entries"]) == ("withdrawn", 0)
    assert [f["id"] for f in body["closed"]] == [flag["id"]]
    step = _flag(world, flag["id"])["history"][-1]
    assert (step["action"], step["to"], step["by"]) == (
        "screening.withdraw",
        "closed",
        cast.cn_reg.id,
    )
    assert step["reason"].endswith("listed in error")
    assert step["entry_id"] == body["entry_id"]
    again = _withdraw(cast, cast.cn_reg, listed["list_id"])
    assert (again.status_code, again.json()["reason"]) == (409, "list_withdrawn")
    held = add_chips(world, cast.maker, "V100 SXM2", 1, country="CN", custodian=cast.cn_cloud)
    assert cast.declare(cast.cn_cloud, held, cast.maker, "US").status_code == 201
    # Imported again, the list (same id) flags the match again: a withdrawal decided nothing.
    back = _import(cast, cast.cn_reg, "unreliable-entities", NVIDIA_LISTED)
    assert back["list_id"] == listed["list_id"]
    assert [f["subject_id"] for f in back["flags"]] == [cast.maker.id]


def test_a_regulator_of_the_flagged_partys_jurisdiction_closes_a_flag_with_a_reason(
    world: World,
) -> None:
    cast = Cast(world)
    listed = _import(cast, cast.cn_reg, "unreliable-entities", NVIDIA_LISTED)
    [flag] = listed["flags"]
    # Not China's regulator (NVIDIA is a US party), not NVIDIA itself.
    for actor in (cast.cn_reg, cast.maker):
        refused = _close(cast, actor, flag["id"], "not a match")
        assert refused.status_code == 403, refused.text
    missing = cast.act(cast.us_reg, "flag.close", "/v1/flags/close", {"flag_id": flag["id"]})
    assert missing.status_code == 400 and "reason" in missing.json()["detail"]
    blank = _close(cast, cast.us_reg, flag["id"], "   ")
    assert blank.status_code == 400 and "needs a reason" in blank.json()["detail"]
    assert _flag(world, flag["id"])["status"] == "open"

    why = "NVIDIA Corporation is a US firm; this listing has no effect on it here"
    closed = _close(cast, cast.us_reg, flag["id"], why)
    assert closed.status_code == 200, closed.text
    entry_id = closed.json()["entry_id"]
    expected = {
        "action": "flag.close",
        "from": "open",
        "to": "closed",
        "by": cast.us_reg.id,
        "reason": why,
        "at": to_wire(world.clock.now()),
        "entry_id": entry_id,
        "details": None,
    }
    assert closed.json()["flag"]["history"][-1] == expected
    shown = _flag(world, flag["id"])
    assert shown["status"] == "closed" and shown["history"][-1] == expected
    assert [h["to"] for h in shown["history"]] == ["open", "closed"]
    # Signed and logged: the entry's opening is the US regulator's signed envelope.
    opening = world.get(cast.us_reg, f"/v1/log/openings/{entry_id}")
    assert opening.status_code == 200, opening.text
    envelope = opening.json()["record"]["envelope"]
    assert opening.json()["type"] == "flag.close"
    assert envelope["envelope"]["body"] == {"flag_id": flag["id"], "reason": why}
    assert envelope["signature"]["key_id"] == key_id(cast.us_reg.signer.public_key_bytes())
    # A closed flag is closed once; it no longer refuses; the list does not raise it again.
    again = _close(cast, cast.us_reg, flag["id"], why)
    assert (again.status_code, again.json()["reason"]) == (409, "flag_state")
    held = add_chips(world, cast.maker, "V100 SXM2", 1, country="CN", custodian=cast.cn_cloud)
    assert cast.declare(cast.cn_cloud, held, cast.maker, "US").status_code == 201
    reimported = _import(cast, cast.cn_reg, "unreliable-entities", NVIDIA_LISTED)
    assert reimported["flags"] == []


def test_flags_outside_a_regulators_jurisdiction_are_not_shown_to_it(world: World) -> None:
    cast = Cast(world)
    [flag] = _import(cast, cast.cn_reg, "unreliable-entities", NVIDIA_LISTED)["flags"]
    assert world.get(cast.cn_reg, f"/v1/flags/{flag['id']}").status_code == 403
    assert flag["id"] not in {f["id"] for f in world.get(cast.cn_reg, "/v1/flags").json()["items"]}
    assert world.get(cast.us_reg, f"/v1/flags/{flag['id']}").status_code == 200
    assert world.get(cast.us_reg, "/v1/flags/flg_0000000000000000").status_code == 404


def test_nul_characters_in_the_new_actions_and_routes_are_refused_not_500(world: World) -> None:
    cast = Cast(world)
    listed = _import(cast, cast.cn_reg, "unreliable-entities", NVIDIA_LISTED)
    [flag] = listed["flags"]
    for response in (
        _withdraw(cast, cast.cn_reg, "scl_\x00"),
        _withdraw(cast, cast.cn_reg, listed["list_id"], "bad\x00reason"),
        _close(cast, cast.us_reg, flag["id"], "bad\x00reason"),
        _close(cast, cast.us_reg, "flg_\x00", "a reason"),
        cast.act(
            cast.cn_reg, "screening.import", "/v1/screening/lists", {"name": "x\x00", "csv": ""}
        ),
        world.get(cast.us_reg, "/v1/flags/flg_%00"),
    ):
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert _flag(world, flag["id"])["status"] == "open"
