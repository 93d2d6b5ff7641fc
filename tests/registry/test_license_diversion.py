"""`license_diversion` flags (issue 11), over the real server on SQLite and PostgreSQL.

A chip that moved under a license and turns up at a party or in a country the license does not
name raises a flag for the licensing regulator (at the transfer that takes it there, at an
installation, and through `check_diversion` for renewals and location statements); a move under
another license of the same jurisdiction, a named party, or the end of the end-use period does
not. The flag never refuses the action, and an event flags each license once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from test_license_follow import Chain, _set_license

from computegov.registry.flags.models import Flag
from computegov.registry.licensing.follow import check_diversion
from conftest import Actor, World


def _diversions(world: World, reader: Actor) -> list[dict[str, Any]]:
    response = world.get(reader, "/v1/flags")
    assert response.status_code == 200, response.text
    return [f for f in response.json()["items"] if f["kind"] == "license_diversion"]


def _raised(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The diversion flags among an action's flags (a licensed move to China also raises
    `hq_in_licensed_destination`)."""
    return [f for f in flags if f["kind"] == "license_diversion"]


def _flag_count(world: World) -> int:
    with world.store.transaction() as session:
        count = session.scalar(sa.select(sa.func.count()).where(Flag.kind == "license_diversion"))
    return int(count or 0)


def test_a_licensed_chip_moved_to_an_unlisted_party_abroad_is_flagged(world: World) -> None:
    chain = Chain(world)
    cast = chain.cast
    declared = cast.declare(cast.cn_cloud, chain.chips, chain.my_cloud, "MY")
    assert declared.status_code == 201, declared.text  # evidence, never a refusal
    [flag] = _raised(declared.json()["flags"])
    transfer_id = declared.json()["transfer"]["id"]
    assert (flag["subject_type"], flag["subject_id"]) == ("transfer", transfer_id)
    assert flag["countries"] == ["MY", "US"]
    assert flag["source_id"] == chain.export_license
    evidence = flag["evidence"]
    assert evidence["event"] == "transfer.declare"
    assert (evidence["party_id"], evidence["country"]) == (chain.my_cloud.id, "MY")
    assert evidence["license"]["id"] == chain.export_license
    assert evidence["license"]["consignee_id"] == cast.cn_cloud.id
    assert evidence["chip_count"] == 3 and sorted(evidence["chip_ids"]) == sorted(chain.chips)
    under = {c["moved_under_transfer"] for c in evidence["chips"]}
    assert under == {chain.export["transfer"]["id"]}
    assert all(c["serial"] for c in evidence["chips"])
    # The licensing regulator and the regulator where the chips are see it; others do not.
    assert [f["id"] for f in _diversions(world, cast.us_reg)] == [flag["id"]]
    assert [f["id"] for f in _diversions(world, chain.my_reg)] == [flag["id"]]
    assert _diversions(world, chain.jp_reg) == []
    assert _diversions(world, cast.cn_reg) == []


def test_a_move_under_another_license_of_the_same_jurisdiction_is_no_diversion(
    world: World,
) -> None:
    chain = Chain(world)
    cast = chain.cast
    second = chain.license(cast.cn_cloud, chain.cn_next, "CN", 3)
    inside = chain.move(cast.cn_cloud, chain.cn_next, "CN", license_id=second)
    assert _raised(inside["flags"]) == []
    site = cast.site(chain.cn_next, "CN")
    body = {"site_id": site, "chips": chain.chips}
    installed = cast.act(chain.cn_next, "site.install", "/v1/sites/install", body)
    assert installed.status_code == 200, installed.text
    assert _raised(installed.json()["flags"]) == []
    assert _flag_count(world) == 0
    # The chips' licensed consignee installing them in the destination is no diversion either.
    assert _diversions(world, cast.us_reg) == []


def test_a_named_party_is_no_diversion_and_an_unnamed_one_installing_is(world: World) -> None:
    chain = Chain(world, chips=2)
    cast = chain.cast
    # The license names the Malaysian party as an end user: moving there is not diversion.
    named = [{"role": "end_user", "party_id": chain.my_cloud.id}]
    _set_license(world, chain.export_license, named_parties=named)
    declared = chain.move(cast.cn_cloud, chain.my_cloud, "MY")
    assert _raised(declared["flags"]) == []
    # A party the license does not name installs them after a further move.
    other = world.create(world.admin, "cloud_provider", "Johor Data Centre", "MY")
    onward = chain.move(chain.my_cloud, other, "MY")
    [flag] = _raised(onward["flags"])
    close = {"flag_id": flag["id"], "reason": "end-use check opened with MITI"}
    closed = cast.act(cast.us_reg, "flag.close", "/v1/flags/close", close)
    assert closed.status_code == 200, closed.text
    site = cast.site(other, "MY")
    installed = cast.act(
        other, "site.install", "/v1/sites/install", {"site_id": site, "chips": chain.chips}
    )
    assert installed.status_code == 200, installed.text
    [again] = _raised(installed.json()["flags"])
    assert (again["subject_type"], again["subject_id"]) == ("site", site)
    assert again["evidence"]["event"] == "site.install"
    assert again["evidence"]["site_id"] == site


def test_one_flag_per_license_and_event_and_none_again_while_one_stands(world: World) -> None:
    chain = Chain(world)
    cast = chain.cast
    abroad = chain.move(cast.cn_cloud, chain.my_cloud, "MY")
    assert len(_raised(abroad["flags"])) == 1
    site = cast.site(chain.my_cloud, "MY")
    body = {"site_id": site, "chips": chain.chips}
    installed = cast.act(chain.my_cloud, "site.install", "/v1/sites/install", body)
    assert installed.status_code == 200 and _raised(installed.json()["flags"]) == []
    # A renewal or location statement (other issues call check_diversion) repeats nothing.
    with world.store.transaction(write=True) as session:
        repeated = check_diversion(
            session, chain.chips, chain.my_cloud.id, "MY", "location.statement", world.clock.now()
        )
    assert repeated == []
    assert _flag_count(world) == 1


def test_check_diversion_for_a_location_statement_raises_its_own_flag(world: World) -> None:
    chain = Chain(world, chips=2)
    with world.store.transaction(write=True) as session:
        # The chips state a location in Malaysia while their custodian is the consignee.
        [flag] = check_diversion(
            session,
            chain.chips,
            chain.cast.cn_cloud.id,
            "MY",
            "location.statement",
            world.clock.now(),
            details={"statement": "test"},
        )
        # Where the license names the place nothing is raised.
        assert (
            check_diversion(
                session, chain.chips, chain.cast.cn_cloud.id, "CN", "renewal", world.clock.now()
            )
            == []
        )
    assert (flag["subject_type"], flag["subject_id"]) == ("party", chain.cast.cn_cloud.id)
    assert flag["evidence"]["event"] == "location.statement"
    assert flag["countries"] == ["MY", "US"]


def test_after_the_end_use_period_no_flag(world: World) -> None:
    chain = Chain(world)
    cast = chain.cast
    _set_license(world, chain.export_license, end_use_until=world.clock.now() + timedelta(days=90))
    world.clock.advance(timedelta(days=90))  # the period ends at that instant
    declared = chain.move(cast.cn_cloud, chain.my_cloud, "MY")
    assert _raised(declared["flags"]) == []
    assert _flag_count(world) == 0


def test_a_chip_that_never_moved_under_a_license_is_never_flagged(world: World) -> None:
    chain = Chain(world, chips=1)
    from custody_setup import add_chips

    plain = add_chips(world, chain.cast.maker, "H100 SXM", 2)
    declared = chain.move(chain.cast.maker, chain.my_cloud, "MY", chips=plain)
    assert _raised(declared["flags"]) == []
    assert _flag_count(world) == 0
