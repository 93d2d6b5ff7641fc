"""What the public log shows: every leaf's actor is a party key id (or `party:<id>` for a
logged read), no leaf names a device key, a manifest is one leaf, action responses name
their real entries, and an envelope's `v` is checked by the pipeline.

Each test drives the real server on both engines and reads the leaves as the public does,
from `/v1/log/entries/{index}`.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
import sqlalchemy as sa
from chips_helpers import FAB, bind_vendor, device_key, h100s, maker_of, manifest_csv, register
from custody_setup import Cast

from computegov.errors import InvalidInput
from computegov.identity.envelopes import make_envelope, sign_envelope
from computegov.identity.keys import decode_public_key, encode_public_key, key_id
from computegov.ledger import entries
from computegov.registry.actions import perform
from computegov.registry.parties import service as parties
from computegov.registry.parties.models import Party, PartyKey
from conftest import Actor, World, new_signer

KEY_ID = re.compile(r"[0-9a-f]{16}")
READ_ACTOR = re.compile(r"party:(pty_[0-9A-Za-z_]+)")


def _act(world: World, actor: Actor, type: str, path: str, body: dict[str, Any]) -> Any:
    response = world.post(actor, path, world.envelope(actor, type, body))
    assert response.status_code in (200, 201), response.text
    return response.json()


def public_leaves(world: World) -> list[bytes]:
    """Every leaf of the log, integrated and read over HTTP as anyone may read it."""
    size = world.log_size()
    with world.server.client() as http:
        return [
            base64.b64decode(http.get(f"/v1/log/entries/{i}").json()["leaf"]) for i in range(size)
        ]


def _scenario(world: World) -> tuple[Cast, list[bytes]]:
    """A registry's life in small: parties and keys, a manifest of chips with device keys,
    logged reads, a site, a transfer declared and confirmed, a license, a lost chip and a
    device key rebound. Returns the cast and every raw device key it used."""
    cast = Cast(world)
    assert bind_vendor(world, "NVIDIA", cast.maker).status_code == 201
    data = h100s(3)
    device_keys = [
        decode_public_key(line.split(",")[-1]) for line in data.decode().splitlines()[1:]
    ]
    registered = register(world, cast.maker, data)
    assert registered.status_code == 201, registered.text
    chips = [item["id"] for item in registered.json()["items"]]
    for chip in chips:  # a regulator's reads are logged
        assert world.get(cast.us_reg, f"/v1/chips/{chip}/history").status_code == 200
    site = cast.site(cast.us_cloud, "US", "Ashburn 1")
    declared = cast.declare(cast.maker, chips[:2], cast.us_cloud, "US", destination_site_id=site)
    assert declared.status_code == 201, declared.text
    transfer = declared.json()["transfer"]["id"]
    _act(
        world, cast.us_cloud, "transfer.confirm", "/v1/transfers/confirm", {"transfer_id": transfer}
    )
    licensed = cast.license(cast.us_reg, cast.maker, cast.de_dist, "DE", ["H100 SXM"], 5)
    assert licensed.status_code == 201, licensed.text
    report = {"chip": chips[2], "status": "lost"}
    _act(world, cast.maker, "chip.report", "/v1/chips/reports", report)
    new_key = device_key()
    device_keys.append(decode_public_key(new_key))
    request = {"chip": chips[0], "device_public_key": new_key}
    binding = _act(world, cast.us_cloud, "chip.key.request", "/v1/chips/keys", request)
    decision = {"binding_id": binding["binding"]["id"]}
    _act(world, cast.us_reg, "chip.key.approve", "/v1/chips/keys/decisions", decision)
    extra = encode_public_key(new_signer().public_key_bytes())
    _act(
        world,
        cast.maker,
        "key.register",
        "/v1/keys",
        {"party_id": cast.maker.id, "public_key": extra},
    )
    assert world.get(cast.us_reg, "/v1/flags").status_code == 200
    return cast, device_keys


def test_every_leaf_names_a_party_key_or_a_reading_party_and_never_a_device_key(
    world: World,
) -> None:
    _, device_keys = _scenario(world)
    leaves = public_leaves(world)
    with world.store.transaction() as session:
        party_keys = set(session.scalars(sa.select(PartyKey.key_id)))
        roles = {pid: role for pid, role in session.execute(sa.select(Party.id, Party.role))}
    forbidden = set()
    for raw in device_keys:
        forbidden |= {base64.b64encode(raw).decode(), raw.hex(), key_id(raw)}
    types: list[str] = []
    for data in leaves:
        leaf = entries.parse_leaf(data)
        types.append(leaf.type)
        if leaf.type == "read":
            found = READ_ACTOR.fullmatch(leaf.actor)
            assert found, f"a read's actor must be party:<id>, got {leaf.actor!r}"
            assert roles[found.group(1)] == "regulator"
        else:
            assert KEY_ID.fullmatch(leaf.actor), f"{leaf.type}: actor {leaf.actor!r}"
            assert leaf.actor in party_keys, f"{leaf.type}: {leaf.actor} is no party key"
        text = data.decode()
        assert not [f for f in forbidden if f in text], f"leaf {leaf.id} names a device key"
    assert types.count("party.bootstrap") == 1 and types.count("read") >= 3
    # The manifest of three chips is one leaf; no per-chip registration leaves are written.
    assert types.count("chip.register") == 1 and "chip.registered" not in types
    assert {"transfer.declare", "transfer.confirm", "chip.key.approve"} <= set(types)


def test_action_responses_name_their_real_entry_in_nested_records(world: World) -> None:
    # Seen: a created party's record, a key, a site, a transfer and a binding said entry_id "".
    cast = Cast(world)
    assert bind_vendor(world, "NVIDIA", cast.maker).status_code == 201
    signer = new_signer()
    body = {
        "legal_name": "Entry Co",
        "role": "cloud_provider",
        "country": "US",
        "public_keys": [encode_public_key(signer.public_key_bytes())],
    }
    dry = world.post(
        world.admin,
        "/v1/parties",
        world.envelope(world.admin, "party.create", body),
        params={"dry_run": "true"},
    )
    assert dry.status_code == 201 and "entry_id" not in dry.json()
    assert dry.json()["party"]["entry_id"] == ""  # a dry run writes no entry
    created = _act(world, world.admin, "party.create", "/v1/parties", body)
    assert created["entry_id"] and created["party"]["entry_id"] == created["entry_id"]
    assert {k["entry_id"] for k in created["party"]["keys"]} == {created["entry_id"]}
    extra = {"party_id": cast.maker.id, "public_key": encode_public_key(signer_bytes())}
    key = _act(world, cast.maker, "key.register", "/v1/keys", extra)
    assert key["key"]["entry_id"] == key["entry_id"]
    registered = register(world, cast.maker, h100s(2)).json()
    assert registered["manifest"]["entry_id"] == registered["entry_id"]
    assert {i["entry_id"] for i in registered["items"]} == {registered["entry_id"]}
    chips = [i["id"] for i in registered["items"]]
    site = _act(world, cast.us_cloud, "site.create", "/v1/sites", {"name": "A", "country": "US"})
    assert site["site"]["entry_id"] == site["entry_id"]
    declared = cast.declare(cast.maker, chips, cast.us_cloud, "US").json()
    assert declared["transfer"]["entry_id"] == declared["entry_id"]
    confirm = {"transfer_id": declared["transfer"]["id"]}
    closed = _act(world, cast.us_cloud, "transfer.confirm", "/v1/transfers/confirm", confirm)
    assert closed["transfer"]["closing_entry_id"] == closed["entry_id"]
    assert closed["transfer"]["entry_id"] == declared["entry_id"]
    licensed = cast.license(cast.us_reg, cast.maker, cast.de_dist, "DE", ["H100 SXM"], 5).json()
    assert licensed["license"]["entry_id"] == licensed["entry_id"]
    request = {"chip": chips[0], "device_public_key": device_key()}
    binding = _act(world, cast.us_cloud, "chip.key.request", "/v1/chips/keys", request)
    assert binding["binding"]["entry_id"] == binding["entry_id"]
    # Every entry id a response named is a real entry, which its reader can open.
    opened = world.get(cast.us_cloud, f"/v1/log/openings/{binding['binding']['entry_id']}")
    assert opened.status_code == 200 and opened.json()["type"] == "chip.key.request"


def signer_bytes() -> bytes:
    return new_signer().public_key_bytes()


def test_an_envelope_of_an_unknown_version_is_refused_by_the_pipeline(world: World) -> None:
    # Seen: `v` was never looked at; a v=2 envelope was applied as if it were v=1.
    body = {
        "legal_name": "Future Co",
        "role": "cloud_provider",
        "country": "US",
        "public_keys": [encode_public_key(signer_bytes())],
    }
    envelope = make_envelope(
        "party.create", body, origin=world.store.origin, time=world.clock.now(), v=2
    )
    wire = sign_envelope(envelope, world.admin.signer).to_dict()
    size = world.log_size()
    response = world.post(world.admin, "/v1/parties", wire)
    assert response.status_code == 400
    problem = response.json()
    assert problem["reason"] == "unknown_version" and "v=1" in problem["detail"]
    assert world.log_size() == size
    # The library path (no HTTP parser in front) refuses it the same way.
    with pytest.raises(InvalidInput, match="v=2 is unknown"):
        perform(
            world.store,
            sign_envelope(envelope, world.admin.signer),
            expected_type="party.create",
            token=world.admin.token,
            handler=parties.create_party,
        )
    with world.store.transaction() as session:
        names = set(session.scalars(sa.select(Party.legal_name)))
    assert "Future Co" not in names


def test_a_key_that_is_also_a_chips_device_key_signs_no_action(world: World) -> None:
    # A maker that registers the same key as a party key and as a chip's device key would
    # otherwise put that device key's id in the public log as the actor of its actions.
    maker = maker_of(world)
    shared = new_signer()
    raw = shared.public_key_bytes()
    body = {"party_id": maker.id, "public_key": encode_public_key(raw)}
    _act(world, maker, "key.register", "/v1/keys", body)
    data = manifest_csv([("DUAL-1", "H100", "2026-01-15", FAB, encode_public_key(raw))])
    assert register(world, maker, data).status_code == 201
    size = world.log_size()
    report = {"chip": {"vendor": "NVIDIA", "serial": "DUAL-1"}, "status": "lost"}
    wire = world.envelope(maker, "chip.report", report, signer=shared)
    refused = world.post(maker, "/v1/chips/reports", wire)
    assert refused.status_code == 403
    assert (
        refused.json()["reason"] == "device_key_signer" and key_id(raw) in refused.json()["detail"]
    )
    assert world.log_size() == size
    assert key_id(raw) not in {entries.parse_leaf(leaf).actor for leaf in public_leaves(world)}
