"""Screening follows ownership (issue 11): the BIS Affiliates rule as dated data, over the real
server on SQLite and PostgreSQL.

A US regulator's Entity List match on a Malaysian holding company extends to the foreign
entities it owns 50 percent or more (directly, or through links each of 50 percent or more)
while the rule is in force (2025-09-29 to 2025-11-09); it does not while the rule is suspended
(from 2025-11-10), before it, for a 49 percent stake, for a list of another jurisdiction or of
a list the rule does not name, or for an affiliate inside the US. Parent shares are checked
input, shown in the party view and in the parent chain of flags.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from custody_setup import Cast, add_chips
from typer.testing import CliRunner

from computegov.cli import app
from computegov.identity.affiliates import in_force, parse_periods, period_at
from computegov.identity.keys import encode_public_key
from computegov.instants import utcnow
from conftest import Actor, World, new_signer

runner = CliRunner(env={"COLUMNS": "250"})

IN_FORCE = datetime(2025, 10, 15, 9, 0, tzinfo=UTC)
ENTITY_LIST = "Entity List (EL) - Bureau of Industry and Security"
LISTED = "Penang Listed Holdings"


class Group:
    """A listed holding company in Malaysia and the companies it owns, directly or not."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.cast = Cast(world)
        admin = world.admin
        self.parent = world.create(admin, "ai_developer", LISTED, "MY")

        def owned(name: str, parent: Actor, share: float, country: str = "DE") -> Actor:
            return world.create(
                admin,
                "cloud_provider",
                name,
                country,
                parent_id=parent.id,
                parent_share=share,
            )

        self.owned = owned
        self.half = owned("Hamburg Half GmbH", self.parent, 50)
        self.minority = owned("Bremen Minority GmbH", self.parent, 49)

    def listing(
        self, regulator: Actor | None = None, source: str = ENTITY_LIST, name: str = "entity-list"
    ) -> None:
        csv = f"name,source\n{LISTED},{source}\n"
        response = self.cast.act(
            regulator or self.cast.us_reg,
            "screening.import",
            "/v1/screening/lists",
            {"name": name, "csv": csv},
        )
        assert response.status_code == 201, response.text
        assert [f["subject_id"] for f in response.json()["flags"]] == [self.parent.id]

    def send(self, receiver: Actor) -> Any:
        """The US maker declares two H100s in the US to `receiver` in its country."""
        chips = add_chips(self.world, self.cast.maker, "H100 SXM", 2)
        country = "US" if receiver is self.cast.us_cloud else "DE"
        return self.cast.declare(self.cast.maker, chips, receiver, country)


def _refused_via(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem = dict(response.json())
    assert problem["reason"] == "screened_receiver"
    assert problem["affiliate_of"] is not None, problem
    return problem


def _allowed(response: Any) -> None:
    assert response.status_code == 201, response.text


def test_the_rule_is_dated_data_with_its_citations() -> None:
    assert period_at(datetime(2025, 9, 28, 23, 59, tzinfo=UTC)) is None
    first = in_force(datetime(2025, 9, 29, tzinfo=UTC))
    assert first is not None and "90 FR 47201" in first.citation
    assert first.source.startswith("https://") and first.threshold_percent == 50
    assert in_force(datetime(2025, 11, 9, 23, 59, tzinfo=UTC)) is not None
    suspended = period_at(datetime(2025, 11, 10, tzinfo=UTC))
    assert suspended is not None and suspended.status == "suspended"
    assert "Suspension" in suspended.citation and suspended.source.startswith("https://")
    assert in_force(datetime(2026, 3, 2, tzinfo=UTC)) is None
    assert in_force(datetime(2026, 11, 10, tzinfo=UTC)) is not None
    assert first.names_list(ENTITY_LIST)
    assert first.names_list("Military End User (MEU) List - Bureau of Industry and Security")
    assert not first.names_list("Unverified List (UVL) - Bureau of Industry and Security")
    assert not first.names_list("Unreliable Entity List (MOFCOM)")


def test_overlapping_or_bad_periods_are_rejected() -> None:
    header = "id,status,effective_from,effective_to,jurisdiction,threshold_percent,lists,"
    header += "citation,source,notes\n"
    row = "{id},in_force,{start},{end},US,{threshold},Entity List,c,https://x,n\n"
    overlapping = header + row.format(id="a", start="2025-01-01", end="2025-06-01", threshold=50)
    overlapping += row.format(id="b", start="2025-05-01", end="", threshold=50)
    with pytest.raises(ValueError, match="overlap"):
        parse_periods(overlapping)
    with pytest.raises(ValueError, match="threshold"):
        parse_periods(header + row.format(id="a", start="2025-01-01", end="", threshold=0))


def test_an_affiliate_at_50_percent_is_refused_while_the_rule_is_in_force(world: World) -> None:
    world.clock.set(IN_FORCE)
    group = Group(world)
    group.listing()
    problem = _refused_via(group.send(group.half))
    via = problem["affiliate_of"]
    assert via["listed_party"]["id"] == group.parent.id
    assert via["direct_share_percent"] == 50 and via["indirect_share_percent"] == 50
    assert via["rule"]["id"] == "bis-2025-09-affiliates"
    assert "90 FR 47201" in via["rule"]["citation"]
    assert [link["owned_by"] for link in via["chain"]] == [group.parent.id]
    assert problem["entry"]["name"] == LISTED
    assert f"is owned 50% by {group.parent.id}" in problem["detail"]
    # 49 percent is below the rule's threshold.
    _allowed(group.send(group.minority))
    # A match a regulator (of the listed party's country) closed extends nothing either.
    my_reg = world.create(world.admin, "regulator", "MITI", "MY", jurisdiction=["MY"])
    close = {"flag_id": problem["flag_id"], "reason": "not the listed entity (checked)"}
    closed = group.cast.act(my_reg, "flag.close", "/v1/flags/close", close)
    assert closed.status_code == 200, closed.text
    _allowed(group.send(group.half))


def test_indirect_ownership_through_a_chain(world: World) -> None:
    world.clock.set(IN_FORCE)
    group = Group(world)
    middle = group.owned("Rotterdam Middle BV", group.parent, 60, "NL")
    leaf = group.owned("Munich Leaf GmbH", middle, 55)
    weak_middle = group.owned("Antwerp Minority NV", group.parent, 40, "BE")
    weak_leaf = group.owned("Cologne Whole GmbH", weak_middle, 100)
    group.listing()
    via = _refused_via(group.send(leaf))["affiliate_of"]
    # Each link is at least 50%: the middle company is an affiliate, so its 55% counts whole.
    assert [(link["id"], link["share_percent"]) for link in via["chain"]] == [
        (leaf.id, 55),
        (middle.id, 60),
    ]
    assert via["indirect_share_percent"] == pytest.approx(33.0)
    assert via["listed_party"]["id"] == group.parent.id
    # A 40% link breaks the chain, whatever lies below it.
    _allowed(group.send(weak_leaf))


def test_no_extension_while_suspended_or_before_the_rule(world: World) -> None:
    world.clock.set(datetime(2025, 9, 1, tzinfo=UTC))
    group = Group(world)
    group.listing()
    _allowed(group.send(group.half))  # before 2025-09-29
    world.clock.set(datetime(2025, 11, 9, 23, 0, tzinfo=UTC))
    _refused_via(group.send(group.half))  # the last hour in force
    world.clock.set(datetime(2025, 11, 10, 0, 0, tzinfo=UTC))
    _allowed(group.send(group.half))  # suspended from 2025-11-10
    world.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    _allowed(group.send(group.half))
    # The listed party itself stays refused throughout.
    direct = group.send(group.parent)
    assert direct.status_code == 422 and direct.json()["affiliate_of"] is None
    world.clock.set(datetime(2026, 11, 10, 0, 0, tzinfo=UTC))
    _refused_via(group.send(group.half))  # reimposed, absent an extension


def test_only_us_lists_of_the_named_lists_extend_and_only_abroad(world: World) -> None:
    world.clock.set(IN_FORCE)
    group = Group(world)
    # China's list naming the parent does not extend (nor reach this US-to-Germany move).
    group.listing(group.cast.cn_reg)
    _allowed(group.send(group.half))
    # A US list, but an entry of a list the rule does not name.
    group.listing(source="Unverified List (UVL) - Bureau of Industry and Security", name="uvl")
    _allowed(group.send(group.half))
    # The Entity List: it extends to the German affiliate, not to one inside the US.
    group.listing()
    _refused_via(group.send(group.half))
    us_affiliate = group.owned("Austin Whole Inc", group.parent, 100, "US")
    chips = add_chips(world, group.cast.maker, "H100 SXM", 1)
    _allowed(group.cast.declare(group.cast.maker, chips, us_affiliate, "US"))


def test_parent_share_is_checked_and_shown(world: World) -> None:
    group = Group(world)
    admin = world.admin
    shown = world.get(admin, f"/v1/parties/{group.half.id}").json()
    assert (shown["parent_id"], shown["parent_share"]) == (group.parent.id, 50)
    assert shown["parent_chain"] == [
        {"id": group.half.id, "owned_by": group.parent.id, "share_percent": 50}
    ]
    for bad in (0, -5, 100.5, "half"):
        body = {"parent_id": group.parent.id, "parent_share": bad}
        response = _create(world, "Bad Share GmbH", body)
        assert response.status_code == 400, (bad, response.text)
    orphan = _create(world, "Orphan Share GmbH", {"parent_share": 50})
    assert orphan.status_code == 400 and "parent_id" in orphan.json()["detail"]
    whole = _create(world, "Whole GmbH", {"parent_id": group.parent.id, "parent_share": 100})
    assert whole.status_code == 201, whole.text
    # The parent chain of a flag (and of the regime a transfer records) carries the shares.
    cast = group.cast
    owned = group.owned("Leipzig Owned GmbH", cast.cn_parent, 70)
    issued = cast.license(cast.us_reg, cast.maker, owned, "DE", ["H100"], 2)
    assert issued.status_code == 201, issued.text
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    declared = cast.declare(
        cast.maker, chips, owned, "DE", license_id=issued.json()["license"]["id"]
    )
    assert declared.status_code == 201, declared.text
    [flag] = declared.json()["flags"]
    chain = flag["evidence"]["parent_chain"]
    assert [(p["id"], p["parent_share"]) for p in chain] == [
        (owned.id, 70),
        (cast.cn_parent.id, None),
    ]


def _create(world: World, name: str, extra: dict[str, Any]) -> Any:
    body = {
        "legal_name": name,
        "role": "cloud_provider",
        "country": "DE",
        "public_keys": [encode_public_key(new_signer().public_key_bytes())],
        **extra,
    }
    return world.post(world.admin, "/v1/parties", world.envelope(world.admin, "party.create", body))


def test_cli_creates_a_party_with_its_parent_share_and_shows_the_chain(
    world: World, tmp_path: Path
) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    group = Group(world)
    admin_key = _pem(tmp_path / "admin.pem", world.admin.signer)
    new_key = _pem(tmp_path / "new.pem", new_signer())
    common = ["--url", world.server.url, "--token", world.admin.token]
    created = runner.invoke(
        app,
        [
            *("parties", "create", "--role", "cloud_provider", "--name", "Dresden Owned GmbH"),
            *("--country", "DE", "--party-key", str(new_key), "--parent", group.parent.id),
            *("--parent-share", "75", "--json", "--key", str(admin_key), *common),
        ],
    )
    assert created.exit_code == 0, created.output
    party = json.loads(created.output)["party"]
    assert (party["parent_id"], party["parent_share"]) == (group.parent.id, 75)
    shown = runner.invoke(app, ["parties", "show", party["id"], *common])
    assert shown.exit_code == 0, shown.output
    assert "ownership" in shown.output and "75%" in shown.output
    refused = runner.invoke(
        app,
        [
            *("parties", "create", "--role", "cloud_provider", "--name", "Erfurt Orphan GmbH"),
            *("--country", "DE", "--party-key", str(new_key), "--parent-share", "75"),
            *("--key", str(admin_key), *common),
        ],
    )
    assert refused.exit_code != 0 and "parent_id" in refused.output


def _pem(path: Path, signer: Any) -> Path:
    pem = signer._key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return path


def test_an_application_naming_an_affiliate_shows_the_match_via_ownership(world: World) -> None:
    from licensing_setup import H200, Licensing, certification

    world.clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))  # the rule reimposed
    cast = Licensing(world)
    parent = world.create(world.admin, "ai_developer", LISTED, "MY")
    owned = world.create(
        world.admin,
        "cloud_provider",
        "Suzhou Owned Cloud",
        "CN",
        parent_id=parent.id,
        parent_share=60,
    )
    csv = f"name,source\n{LISTED},{ENTITY_LIST}\n"
    body = {"name": "entity-list", "csv": csv}
    assert cast.act(cast.us_reg, "screening.import", "/v1/screening/lists", body).status_code == 201
    add_chips(world, cast.maker, H200, 10, country="US")
    parties = {"purchaser_id": owned.id, "ultimate_consignee_id": owned.id}
    app = cast.applied(**parties, end_user_ids=[owned.id])["application"]
    screening = certification(app, "screening")
    assert screening["status"] == "match", screening
    matches = screening["evidence"]["matches"]
    assert {m["role"] for m in matches} >= {"purchaser", "ultimate_consignee"}
    for match in matches:  # the same party in each role it is named in
        assert match["party_id"] == owned.id
        assert match["affiliate_of"]["listed_party"]["id"] == parent.id
        assert match["affiliate_of"]["direct_share_percent"] == 60
