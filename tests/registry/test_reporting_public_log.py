"""What an outsider learns of a compute report from the public log, on SQLite and PostgreSQL:
nothing that names its filer or its model. Every public ledger surface is read without a
token (the entries API, hash tiles, entry bundles, the checkpoint, inclusion proofs, pending
status and the registry's info) and searched for the developer's party id, its signing key
id, its legal name and the model's name and ids; for every sealed entry type
(`registry.actions.SEALED_TYPES`) the pipeline writes `sealed` as the actor.
"""

from __future__ import annotations

from reporting_setup import Reporting

from computegov.identity.envelopes import make_envelope, sign_envelope
from computegov.identity.keys import key_id
from computegov.ledger import entries, tiles
from computegov.registry.actions import (
    SEALED_ACTOR,
    SEALED_TYPES,
    ActionContext,
    ActionResult,
    perform,
)
from conftest import World

MODEL_NAME = "quokka-secret-7b"


def public_surfaces(world: World, entry_ids: list[str]) -> list[bytes]:
    """Every public ledger surface as an outsider (no token) reads it, as raw bytes."""
    size = world.log_size()
    found: list[bytes] = []
    with world.server.client() as http:

        def fetch(path: str) -> bytes:
            response = http.get(path)
            assert response.status_code == 200, (path, response.text)
            return response.content

        found.append(fetch("/checkpoint"))
        found.append(fetch("/v1/info"))
        for level, index, width in tiles.tile_coordinates(size):
            found.append(fetch("/" + tiles.tile_path(level, index, width)))
        for index in range(0, size, tiles.TILE_WIDTH):
            width = min(tiles.TILE_WIDTH, size - index)
            found.append(fetch("/" + tiles.entries_path(index // tiles.TILE_WIDTH, width)))
        for index in range(size):
            found.append(fetch(f"/v1/log/entries/{index}"))
            found.append(fetch(f"/v1/log/proof/inclusion?index={index}&size={size}"))
        for entry_id in entry_ids:
            found.append(fetch(f"/v1/log/pending/{entry_id}"))
    return found


def _leaves(world: World) -> list[entries.Leaf]:
    size = world.log_size()
    with world.server.client() as http:
        bundles = [
            http.get("/" + tiles.entries_path(i // tiles.TILE_WIDTH, min(256, size - i))).content
            for i in range(0, size, tiles.TILE_WIDTH)
        ]
    return [entries.parse_leaf(raw) for b in bundles for raw in tiles.decode_entry_bundle(b)]


def test_an_outsider_reading_every_public_surface_learns_neither_filer_nor_model(
    world: World,
) -> None:
    cast = Reporting(world)
    model = cast.made_model(name=MODEL_NAME, jurisdictions=["US"])
    made = cast.ran(model["id"], **cast.gpt3())
    report = made["report"]
    # The addressed regulator reads both (its reads are logged, as `party:<regulator>`).
    assert world.get(cast.us_reg, f"/v1/reports/models/{model['id']}").status_code == 200
    assert world.get(cast.us_reg, f"/v1/reports/training-runs/{report['id']}").status_code == 200
    secrets = [
        cast.dev.id,
        key_id(cast.dev.signer.public_key_bytes()),
        "Frontier Labs Inc",
        MODEL_NAME,
        model["id"],
        report["id"],
    ]
    surfaces = public_surfaces(world, [model["entry_id"], made["entry_id"]])
    for data in surfaces:
        for secret in secrets:
            assert secret.encode() not in data, f"{secret!r} is public"
    sealed = [leaf for leaf in _leaves(world) if leaf.id in (model["entry_id"], made["entry_id"])]
    assert [leaf.actor for leaf in sealed] == [SEALED_ACTOR, SEALED_ACTOR]
    # Nor do its openings open for an outsider or another developer.
    for entry_id in (model["entry_id"], made["entry_id"]):
        assert world.get(None, f"/v1/log/openings/{entry_id}").status_code == 401
        assert world.get(cast.dev2, f"/v1/log/openings/{entry_id}").status_code in (403, 404)


def _stand_in(ctx: ActionContext) -> ActionResult:
    """A use case recording the model's name in its entry, as a report's would."""
    return ActionResult({"ok": True}, 201, [ctx.party.id], ["US"], record={"model": MODEL_NAME})


def test_every_sealed_type_is_logged_without_its_signer(world: World) -> None:
    """The pipeline seals by type, whatever the use case: the use cases of some sealed types
    are built on other branches, so a stand-in runs through the real pipeline for each."""
    cast = Reporting(world)
    signers = {"report.attestation": cast.cloud, "report.identity": cast.cloud}
    signers["report.identity_answer"] = cast.cloud
    written: dict[str, str] = {}
    for type in sorted(SEALED_TYPES):
        actor = signers.get(type, cast.dev)
        envelope = make_envelope(
            type, {"name": MODEL_NAME}, origin=world.store.origin, time=world.clock.now()
        )
        status, body = perform(
            world.store,
            sign_envelope(envelope, actor.signer),
            expected_type=type,
            token=actor.token,
            handler=_stand_in,
        )
        assert status == 201
        written[body["entry_id"]] = type
    # The developer signed nothing else: its key id is nowhere. The cloud's key id is the
    # actor of the site it declared (not sealed), so its sealed leaves alone are searched.
    dev_key = key_id(cast.dev.signer.public_key_bytes())
    for data in public_surfaces(world, list(written)):
        for secret in (MODEL_NAME, cast.dev.id, cast.cloud.id, dev_key):
            assert secret.encode() not in data, f"{secret!r} is public"
    leaves = {leaf.id: leaf for leaf in _leaves(world)}
    assert {leaves[i].type for i in written} == set(SEALED_TYPES)
    assert {leaves[i].actor for i in written} == {SEALED_ACTOR}
    cloud_key = key_id(cast.cloud.signer.public_key_bytes())
    assert not [i for i in written if cloud_key in leaves[i].to_bytes().decode()]
