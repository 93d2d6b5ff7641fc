"""Access to the custody actions over the API, generated from the matrix: for every role,
each action is tried on the actor's own resource, one in its jurisdiction (US) and a foreign
one (FR); the API allows exactly what `default_matrix().decide(...)` allows (2xx vs 403).
SQLite only: the matrix is engine-free."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from custody_setup import (
    add_chips,
    add_flag,
    add_license,
    add_site,
    add_transfer,
)

from computegov.identity.access import Actor as AccessActor
from computegov.identity.access import Resource, default_matrix
from conftest import Actor, World

MATRIX = default_matrix()
COVERED_ACTIONS = (
    "site.create",
    "site.read",
    "site.install",
    "license.issue",
    "license.read",
    "transfer.declare",
    "transfer.confirm",
    "transfer.cancel",
    "transfer.read",
    "flag.read",
    "flag.close",
    "impact.read",
)
HOLDERS = ("manufacturer", "distributor", "cloud_provider", "ai_developer")


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@dataclass
class Target:
    """A party's custody records that actions are tried on."""

    party: Actor
    country: str
    site: str
    license: str
    incoming: str  # a pending transfer to the party
    outgoing: str  # a pending transfer from the party
    flag: str


def _target(
    world: World, maker: Actor, issuer: Actor, other: Actor, party: Actor, country: str
) -> Target:
    add_chips(world, maker, "H100 SXM", 1, country=country, custodian=other)  # for impact
    return Target(
        party=party,
        country=country,
        site=add_site(world, party.id, country),
        license=add_license(world, issuer.id, party.id, party.id, country),
        incoming=add_transfer(world, maker, other.id, party.id, country),
        outgoing=add_transfer(world, maker, party.id, other.id, country),
        flag=add_flag(world, party.id, country),
    )


def _resource(action: str, x: Actor, t: Target, licensee: Actor) -> Resource:
    own, here = frozenset({t.party.id}), frozenset({t.country})
    if action == "site.create" or action == "transfer.declare":
        return Resource(owners=frozenset({x.id}), countries=here)
    if action == "license.issue":
        # Issued under US, which administers the BIS rules: they follow the chip, so the US
        # regulator licenses a licensee anywhere; its reach is its jurisdiction, US.
        return Resource(owners=frozenset({licensee.id}), countries=frozenset({"US"}))
    if action in ("transfer.confirm", "transfer.cancel", "transfer.read"):
        return Resource(owners=own | {"someone else"}, countries=here)
    if action == "license.read":
        return Resource(owners=own | {"the issuer"}, countries=here)
    if action in ("flag.read", "flag.close", "impact.read"):
        return Resource(countries=here)
    return Resource(owners=own, countries=here)  # site.read, site.install


def _try(
    world: World, x: Actor, action: str, t: Target, licensee: Actor, maker: Actor
) -> tuple[bool, Any]:
    def act(type: str, path: str, body: dict[str, Any]) -> Any:
        return world.post(x, path, world.envelope(x, type, body))

    if action == "site.create":
        response = act("site.create", "/v1/sites", {"name": "New", "country": t.country})
    elif action == "site.read":
        response = world.get(x, "/v1/sites")
        assert response.status_code == 200, response.text
        return t.site in {s["id"] for s in response.json()["items"]}, response
    elif action == "site.install":
        chips = add_chips(world, maker, "H100 SXM", 1, country=t.country, custodian=x)
        response = act("site.install", "/v1/sites/install", {"site_id": t.site, "chips": chips})
    elif action == "license.issue":
        body = {
            "licensee_id": licensee.id,
            "consignee_id": licensee.id,
            "destination": "CN",
            "models": ["H100"],
            "quantity": 1,
            "expires_at": "2099-01-01",
        }
        response = act("license.issue", "/v1/licenses", body)
    elif action == "license.read":
        response = world.get(x, f"/v1/licenses/{t.license}")
    elif action == "transfer.declare":
        chips = add_chips(world, maker, "L40S", 1, country="US", custodian=x)
        body = {
            "chips": chips,
            "receiver_id": t.party.id if t.party.role in HOLDERS else maker.id,
            "destination_country": t.country,
        }
        response = act("transfer.declare", "/v1/transfers", body)
    elif action == "transfer.confirm":
        response = act("transfer.confirm", "/v1/transfers/confirm", {"transfer_id": t.incoming})
    elif action == "transfer.cancel":
        response = act("transfer.cancel", "/v1/transfers/cancel", {"transfer_id": t.outgoing})
    elif action == "transfer.read":
        response = world.get(x, f"/v1/transfers/{t.outgoing}")
    elif action == "flag.read":
        response = world.get(x, "/v1/flags")
        if response.status_code == 200:
            return t.flag in {f["id"] for f in response.json()["items"]}, response
    elif action == "flag.close":
        body = {"flag_id": t.flag, "reason": "reviewed: a false positive"}
        response = act("flag.close", "/v1/flags/close", body)
    elif action == "impact.read":
        response = world.get(x, "/v1/impact")
        if response.status_code == 200:
            return t.country in {g["country"] for g in response.json()["groups"]}, response
    else:
        raise AssertionError(f"the test does not know how to try {action}; add it")
    assert response.status_code < 300 or response.status_code == 403, (action, response.text)
    return response.status_code < 300, response


@pytest.mark.parametrize("role", MATRIX.roles)
def test_custody_api_follows_the_matrix(world: World, role: str) -> None:
    admin = world.admin
    maker = world.create(admin, "manufacturer", "Maker", "US")
    issuer = world.create(admin, "regulator", "Issuer", "JP", jurisdiction=["JP"])
    other = world.create(admin, "distributor", "Third party", "US")
    if role == "administrator":
        x = admin
    elif role == "regulator":
        x = world.create(admin, "regulator", "Regulator US", "US", jurisdiction=["US"])
    else:
        x = world.create(admin, role, f"A {role}", "US")
    in_us = world.create(admin, "cloud_provider", "US cloud", "US")
    fr_other = world.create(admin, "distributor", "FR third", "FR")
    in_fr = world.create(admin, "cloud_provider", "FR cloud", "FR")
    targets = {
        "own": _target(world, maker, issuer, other, x, "US"),
        "in US": _target(world, maker, issuer, other, in_us, "US"),
        "in FR": _target(world, maker, issuer, fr_other, in_fr, "FR"),
    }
    view = AccessActor(
        role=role,
        party_id=x.id,
        jurisdiction=frozenset({"US"}) if role == "regulator" else frozenset(),
    )
    tried = 0
    for action in COVERED_ACTIONS:
        for label, target in targets.items():
            # A license's licensee must hold chips: the own case uses the actor where it can.
            licensee = target.party if target.party.role in HOLDERS else maker
            resource = _resource(action, x, target, licensee)
            expected = MATRIX.decide(view, action, resource).allowed
            allowed, response = _try(world, x, action, target, licensee, maker)
            assert allowed == expected, f"{role} {action} on {label}: {response.text}"
            tried += 1
    assert tried == 3 * len(COVERED_ACTIONS)
