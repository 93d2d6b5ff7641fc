"""Access to the chip actions over the API, generated from the matrix: for every role, each
chip action on an own chip, a chip in the regulator's country (US) and a foreign one (FR)
succeeds exactly when `default_matrix().decide(...)` allows it, and is refused with 403
otherwise. (SQLite only: the matrix is engine-free.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from chips_helpers import device_key, h100s, maker_of, register

from computegov.identity.access import Actor as AccessActor
from computegov.identity.access import Resource, default_matrix
from computegov.identity.keys import decode_public_key
from computegov.registry.chips.models import Chip, KeyBinding
from conftest import Actor, World

MATRIX = default_matrix()
ACTIONS = ("chip.register", "chip.read", "chip.report", "chip.key.request", "chip.key.approve")


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@dataclass
class Target:
    """Two chips with one custodian: one to read, report and rekey, one with a pending binding."""

    custodian: str
    manufacturer: str
    country: str
    chip: str
    other: str
    binding: str


def _target(world: World, maker: Actor, custodian: str, prefix: str, country: str) -> Target:
    response = register(world, maker, h100s(2, prefix=prefix))  # finished in the US
    assert response.status_code == 201, response.text
    chip, other = (item["id"] for item in response.json()["items"])
    with world.store.transaction(write=True) as session:
        # Set-up: the custodian and the country are set directly (transfers are not under test).
        session.execute(
            sa.update(Chip)
            .where(Chip.id.in_([chip, other]))
            .values(custodian_id=custodian, country=country)
        )
        country = session.get(Chip, chip).country  # type: ignore[union-attr]
        # The pending binding is set up directly: requesting one is itself under test.
        session.add(
            KeyBinding(
                id=f"kbd_{prefix.lower()}",
                chip_id=other,
                new_device_key=decode_public_key(device_key()),
                requested_by=custodian,
                requested_at=world.clock.now(),
                status="pending",
                entry_id="setup",
            )
        )
    return Target(custodian, maker.id, country, chip, other, f"kbd_{prefix.lower()}")


def _resource(action: str, t: Target, x: Actor) -> Resource:
    if action == "chip.register":
        return Resource(owners=frozenset({x.id}), countries=frozenset({"US"}))
    owners = {t.custodian}
    if action in ("chip.read", "chip.key.approve"):
        owners.add(t.manufacturer)
    return Resource(id=t.chip, owners=frozenset(owners), countries=frozenset({t.country}))


def _try(world: World, x: Actor, action: str, t: Target, n: int) -> tuple[bool, Any]:
    def act(type: str, path: str, body: dict[str, Any]) -> Any:
        return world.post(x, path, world.envelope(x, type, body))

    if action == "chip.register":
        response = register(world, x, h100s(1, prefix=f"NEW{n}"))
    elif action == "chip.read":
        response = world.get(x, f"/v1/chips/{t.chip}/history")
        listed = world.get(x, "/v1/chips").json()["items"]
        assert (t.chip in {c["id"] for c in listed}) == (response.status_code == 200)
    elif action == "chip.report":
        response = act("chip.report", "/v1/chips/reports", {"chip": t.chip, "status": "lost"})
    elif action == "chip.key.request":
        body = {"chip": t.chip, "device_public_key": device_key()}
        response = act("chip.key.request", "/v1/chips/keys", body)
    elif action == "chip.key.approve":
        response = act("chip.key.approve", "/v1/chips/keys/decisions", {"binding_id": t.binding})
    else:
        raise AssertionError(f"the test does not know how to try {action}; add it")
    assert response.status_code < 300 or response.status_code == 403, (action, response.text)
    return response.status_code < 300, response


@pytest.mark.parametrize("role", MATRIX.roles)
def test_chip_actions_follow_the_matrix(world: World, role: str) -> None:
    admin = world.admin
    # The makers are subsidiaries of the party NVIDIA is bound to, so each may register H100s.
    nvidia = maker_of(world, "NVIDIA", "NVIDIA group", "US")
    us_maker = maker_of(world, name="US maker", country="US", parent=nvidia)
    fr_maker = maker_of(world, name="FR maker", country="FR", parent=nvidia)
    if role == "administrator":
        x = admin
    elif role == "regulator":
        x = world.create(admin, "regulator", "Regulator US", "US", jurisdiction=["US"])
    elif role == "manufacturer":
        x = maker_of(world, name="A manufacturer", country="US", parent=nvidia)
    else:
        x = world.create(admin, role, f"A {role}", "US")
    grants: frozenset[str] = frozenset()
    if role == "auditor":
        grant = {"auditor_id": x.id, "resource_id": fr_maker.id}
        response = world.post(
            admin, "/v1/audit/grants", world.envelope(admin, "audit.grant", grant)
        )
        assert response.status_code == 201
        grants = frozenset({fr_maker.id})
    own = _target(world, x if role == "manufacturer" else us_maker, x.id, "OWN", "US")
    in_us = _target(world, us_maker, us_maker.id, "US", "US")
    in_fr = _target(world, fr_maker, fr_maker.id, "FR", "FR")
    view = AccessActor(
        role=role,
        party_id=x.id,
        jurisdiction=frozenset({"US"}) if role == "regulator" else frozenset(),
        grants=grants,
    )
    tried = 0
    for action in ACTIONS:
        for label, target in (("own", own), ("in US", in_us), ("in FR", in_fr)):
            expected = MATRIX.decide(view, action, _resource(action, target, x)).allowed
            allowed, response = _try(world, x, action, target, tried)
            assert allowed == expected, f"{role} {action} on {label}: {response.text}"
            tried += 1
    assert tried == 3 * len(ACTIONS)
