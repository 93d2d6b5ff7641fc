"""Weak keys over real HTTP, on SQLite and PostgreSQL: the attack as it was seen, refused.

Seen: the identity point was accepted as a party key, and then the signature R = identity,
S = 0 verified for any envelope, so the party's bearer token alone was enough to act as it.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

from chips_helpers import FAB, h100s, maker_of, manifest_csv, register, unsigned_body

from computegov.identity.keys import encode_public_key, key_id
from computegov.registry.parties.models import PartyKey
from conftest import Actor, World, new_signer
from ed25519_points import L, small_order_encodings

WEAK = small_order_encodings()
IDENTITY_KEY = b"\x01" + bytes(31)
FORGED_SIGNATURE = base64.b64encode(IDENTITY_KEY + bytes(32)).decode()  # R = identity, S = 0
WEAK_REASONS = {"small_order_key", "non_canonical_key"}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


def _party_body(name: str, key: bytes) -> dict[str, Any]:
    return {
        "legal_name": name,
        "role": "distributor",
        "country": "US",
        "public_keys": [encode_public_key(key)],
    }


def test_every_small_order_key_is_refused_as_a_party_key(world: World) -> None:
    size = world.log_size()
    for label, raw in WEAK:
        wire = world.envelope(world.admin, "party.create", _party_body(label, raw))
        problem = _problem(world.post(world.admin, "/v1/parties", wire), 400)
        assert problem["reason"] in WEAK_REASONS, label
        assert "refused" in problem["detail"] and encode_public_key(raw) in problem["detail"]
    maker = world.create(world.admin, "manufacturer", "Maker", "US")
    for label, raw in WEAK:
        body = {"party_id": maker.id, "public_key": encode_public_key(raw)}
        problem = _problem(
            world.post(maker, "/v1/keys", world.envelope(maker, "key.register", body)), 400
        )
        assert problem["reason"] in WEAK_REASONS, label
    assert world.log_size() == size + 1  # only the manufacturer's creation


def test_a_bearer_token_alone_cannot_act_through_the_identity_key(world: World) -> None:
    # The attack as seen: register the identity point as a party's key...
    wire = world.envelope(world.admin, "party.create", _party_body("Weak Ltd", IDENTITY_KEY))
    problem = _problem(world.post(world.admin, "/v1/parties", wire), 400)
    assert problem["reason"] == "small_order_key"

    # ...and, for a weak key recorded before keys were checked, the forgery is refused too.
    victim = world.create(world.admin, "distributor", "Victim", "US")
    with world.store.transaction(write=True) as session:
        session.add(
            PartyKey(
                key_id=key_id(IDENTITY_KEY),
                party_id=victim.id,
                public_key=IDENTITY_KEY,
                created_at=world.clock.now(),
                revoked_at=None,
                entry_id="",
            )
        )
    forged = world.envelope(victim, "token.create", {"party_id": victim.id, "label": "mine"})
    forged["signature"] = {"key_id": key_id(IDENTITY_KEY), "sig": FORGED_SIGNATURE}
    problem = _problem(world.post(victim, "/v1/tokens", forged), 401)
    assert problem["reason"] == "weak_key"
    assert "small order" in problem["detail"]


def _with_signature(wire: dict[str, Any], signature: bytes) -> dict[str, Any]:
    changed = copy.deepcopy(wire)
    changed["signature"]["sig"] = base64.b64encode(signature).decode()
    return changed


def test_non_canonical_signatures_are_refused(world: World) -> None:
    wire = world.envelope(
        world.admin, "party.create", _party_body("Fine", new_signer().public_key_bytes())
    )
    signature = base64.b64decode(wire["signature"]["sig"])
    s_plus_l = int.from_bytes(signature[32:], "little") + L
    variants = [signature[:32] + s_plus_l.to_bytes(32, "little")]
    variants += [raw + signature[32:] for _, raw in WEAK]  # R of small order
    for variant in variants:
        problem = _problem(
            world.post(world.admin, "/v1/parties", _with_signature(wire, variant)), 401
        )
        assert problem["reason"] == "non_canonical_signature"
        assert "not canonical" in problem["detail"]
    assert world.post(world.admin, "/v1/parties", wire).status_code == 201


def _chip(world: World, maker: Actor) -> dict[str, Any]:
    response = register(world, maker, h100s(1))
    assert response.status_code == 201, response.text
    chip: dict[str, Any] = response.json()["items"][0]
    return chip


def test_weak_device_keys_are_refused_in_manifests_and_key_bindings(world: World) -> None:
    maker = maker_of(world)
    rows = [
        (f"W-{i}", "H100", "2026-01-15", FAB, encode_public_key(raw))
        for i, (_, raw) in enumerate(WEAK)
    ]
    data = manifest_csv(rows)
    problem = _problem(register(world, maker, data, body=unsigned_body(data, maker, world)), 400)
    assert f"has {len(WEAK)} bad rows" in problem["detail"]
    assert "line 2: device_public_key is refused" in problem["detail"]

    chip = _chip(world, maker)
    for label, raw in WEAK:
        body = {"chip": chip["id"], "device_public_key": encode_public_key(raw)}
        response = world.post(
            maker, "/v1/chips/keys", world.envelope(maker, "chip.key.request", body)
        )
        problem = _problem(response, 400)
        assert problem["reason"] in WEAK_REASONS, label
        assert "device key" in problem["detail"]
