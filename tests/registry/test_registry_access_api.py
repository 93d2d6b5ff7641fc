"""Access over the API, generated from the matrix: for every role and action, each resource
the matrix allows works and each it refuses gets 403. (SQLite only: the matrix is engine-free.)"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pytest

from computegov.identity.access import Actor as AccessActor
from computegov.identity.access import Resource, default_matrix
from computegov.identity.keys import encode_public_key
from conftest import Actor, World, new_signer

MATRIX = default_matrix()
#: The actions this test drives; issue 5's actions have their own generated tests.
COVERED_ACTIONS = (
    "party.create",
    "party.read",
    "party.list",
    "key.register",
    "key.revoke",
    "token.create",
    "token.revoke",
    "log.opening.read",
    "audit.grant",
    "screening.import",
    "screening.withdraw",
    "screening.read",
)


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@dataclass
class Target:
    """A party an action is tried on, with what the actions need of it."""

    actor: Actor
    country: str
    entry_id: str
    spare_key: str
    spare_token: str
    list_owner: Actor
    list_id: str


def _target(world: World, actor: Actor, country: str, list_owner: Actor) -> Target:
    party = world.get(world.admin, f"/v1/parties/{actor.id}").json()
    spare = new_signer()
    body = {"party_id": actor.id, "public_key": encode_public_key(spare.public_key_bytes())}
    key = world.post(world.admin, "/v1/keys", world.envelope(world.admin, "key.register", body))
    token = world.post(
        world.admin,
        "/v1/tokens",
        world.envelope(world.admin, "token.create", {"party_id": actor.id}),
    )
    listed = world.post(
        list_owner,
        "/v1/screening/lists",
        world.envelope(
            list_owner,
            "screening.import",
            {"name": f"list of {actor.id}", "csv": "name,source\nNobody Listed Here,T\n"},
        ),
    )
    assert listed.status_code == 201, listed.text
    return Target(
        actor,
        country,
        party["entry_id"],
        key.json()["key"]["key_id"],
        token.json()["token_id"],
        list_owner,
        listed.json()["list_id"],
    )


def _resource(action: str, target: Target, admin_id: str, actor_id: str) -> Resource:
    if action in ("party.create",):
        return Resource(countries=frozenset({target.country}))
    if action == "screening.import":  # always the actor's own list of that name
        return Resource(owners=frozenset({actor_id}))
    if action == "screening.withdraw":
        return Resource(id=target.list_id, owners=frozenset({target.list_owner.id}))
    if action == "screening.read":
        return Resource(id="flags")
    owners = {target.actor.id} | ({admin_id} if action == "log.opening.read" else set())
    return Resource(
        id=target.actor.id, owners=frozenset(owners), countries=frozenset({target.country})
    )


def _try(world: World, x: Actor, action: str, t: Target, auditor_id: str) -> tuple[bool, Any]:
    """Attempt `action` on `t` as `x`; True when it succeeded, False when refused with 403."""

    def act(type: str, path: str, body: dict[str, Any]) -> Any:
        return world.post(x, path, world.envelope(x, type, body))

    if action == "party.create":
        body = {
            "legal_name": f"New party {secrets.token_hex(4)} in {t.country}",  # one name, one party
            "role": "manufacturer",
            "country": t.country,
            "public_keys": [encode_public_key(new_signer().public_key_bytes())],
        }
        response = act("party.create", "/v1/parties", body)
    elif action == "party.read":
        response = world.get(x, f"/v1/parties/{t.actor.id}")
    elif action == "party.list":
        response = world.get(x, "/v1/parties")
        assert response.status_code == 200
        return t.actor.id in {p["id"] for p in response.json()["items"]}, response
    elif action == "key.register":
        key = encode_public_key(new_signer().public_key_bytes())
        response = act("key.register", "/v1/keys", {"party_id": t.actor.id, "public_key": key})
    elif action == "key.revoke":
        response = act("key.revoke", "/v1/keys/revoke", {"key_id": t.spare_key})
    elif action == "token.create":
        response = act("token.create", "/v1/tokens", {"party_id": t.actor.id})
    elif action == "token.revoke":
        response = act("token.revoke", "/v1/tokens/revoke", {"token_id": t.spare_token})
    elif action == "log.opening.read":
        response = world.get(x, f"/v1/log/openings/{t.entry_id}")
    elif action == "audit.grant":
        body = {"auditor_id": auditor_id, "resource_id": t.actor.id}
        response = act("audit.grant", "/v1/audit/grants", body)
    elif action == "screening.import":
        response = act(
            "screening.import",
            "/v1/screening/lists",
            {"name": "t", "csv": "name,source\nX Y Z,T\n"},
        )
    elif action == "screening.withdraw":
        response = act("screening.withdraw", "/v1/screening/lists/withdraw", {"list_id": t.list_id})
    elif action == "screening.read":
        response = world.get(x, "/v1/screening/lists")
    else:
        raise AssertionError(f"the test does not know how to try {action}; add it")
    assert response.status_code < 300 or response.status_code == 403, (action, response.text)
    return response.status_code < 300, response


@pytest.mark.parametrize("role", MATRIX.roles)
def test_api_follows_the_matrix_for_every_action(world: World, role: str) -> None:
    admin = world.admin
    auditor = world.create(admin, "auditor", "Auditor", "DE")
    if role == "administrator":
        x = admin
    elif role == "regulator":
        x = world.create(admin, "regulator", "Regulator US", "US", jurisdiction=["US"])
    elif role == "auditor":
        x = auditor
    else:
        x = world.create(admin, role, f"A {role}", "US")
    us_lists = world.create(admin, "regulator", "US list owner", "US", jurisdiction=["US"])
    fr_lists = world.create(admin, "regulator", "FR list owner", "FR", jurisdiction=["FR"])
    in_us = _target(world, world.create(admin, "manufacturer", "US maker", "US"), "US", us_lists)
    in_fr = _target(world, world.create(admin, "manufacturer", "FR maker", "FR"), "FR", fr_lists)
    grants: frozenset[str] = frozenset()
    if role == "auditor":
        grant = {"auditor_id": x.id, "resource_id": in_fr.actor.id}
        assert (
            world.post(
                admin, "/v1/audit/grants", world.envelope(admin, "audit.grant", grant)
            ).status_code
            == 201
        )
        grants = frozenset({in_fr.actor.id})
    # A list is owned by the administrator or a regulator: x's own where x may own one.
    own = _target(world, x, "US", x if role in ("administrator", "regulator") else admin)
    view = AccessActor(
        role=role,
        party_id=x.id,
        jurisdiction=frozenset({"US"}) if role == "regulator" else frozenset(),
        grants=grants,
    )
    tried = 0
    actions = sorted(COVERED_ACTIONS, key=lambda a: a == "token.revoke")  # revocations last
    for action in actions:
        for label, target in (("own", own), ("in US", in_us), ("in FR", in_fr)):
            resource = _resource(action, target, admin.id, x.id)
            expected = MATRIX.decide(view, action, resource).allowed
            allowed, response = _try(world, x, action, target, auditor.id)
            assert allowed == expected, f"{role} {action} on {label}: {response.text}"
            tried += 1
    assert tried == 3 * len(COVERED_ACTIONS)
