"""Every envelope the registry verifies spends its nonce: applied, dry run or refused.

Over real HTTP on SQLite and PostgreSQL: a dry run cannot be replayed for real, a refused
envelope sent again is a replay (so it counts as one refusal), copies sent at the same time
get one answer between them, and a retry with the same Idempotency-Key gets the recorded
answer (a refusal too), never a secret, and only while the signing key is valid.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import sqlalchemy as sa
from custody_setup import Cast, add_chips

from computegov.identity.keys import encode_public_key
from computegov.registry.custody.flags import REFUSALS_THRESHOLD, sweep_flags
from computegov.registry.parties.models import Party
from computegov.registry.tables import IdempotentResult, RefusedAction
from conftest import Actor, World, new_signer


def _manufacturer_body(name: str) -> dict[str, Any]:
    return {
        "legal_name": name,
        "role": "manufacturer",
        "country": "US",
        "public_keys": [encode_public_key(new_signer().public_key_bytes())],
    }


def _reason(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json().get("reason"))


def _refusals(world: World, party: Actor) -> int:
    with world.store.transaction() as session:
        return int(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(RefusedAction)
                .where(RefusedAction.party_id == party.id)
            )
            or 0
        )


def _parties_named(world: World, name: str) -> int:
    with world.store.transaction() as session:
        return int(
            session.scalar(
                sa.select(sa.func.count()).select_from(Party).where(Party.legal_name == name)
            )
            or 0
        )


def _race(world: World, actor: Actor, path: str, wire: dict[str, Any], n: int) -> list[Any]:
    """POST the same envelope `n` times at once, each from its own thread and connection."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def send(i: int) -> None:
        with world.server.client(actor.token) as http:
            barrier.wait()
            results[i] = http.post(path, json=wire)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_an_envelope_tried_as_a_dry_run_cannot_then_be_applied(world: World) -> None:
    wire = world.envelope(world.admin, "party.create", _manufacturer_body("Dry Fab"))
    dry = world.post(world.admin, "/v1/parties", wire, params={"dry_run": "true"})
    assert dry.status_code == 201 and dry.json()["dry_run"] is True
    real = world.post(world.admin, "/v1/parties", wire)
    assert real.status_code == 401 and _reason(real) == "replay"
    assert "already used" in real.json()["detail"]
    assert _parties_named(world, "Dry Fab") == 0
    # Nor the other way round: a dry run of an applied envelope is a replay too.
    applied = world.envelope(world.admin, "party.create", _manufacturer_body("Real Fab"))
    assert world.post(world.admin, "/v1/parties", applied).status_code == 201
    again = world.post(world.admin, "/v1/parties", applied, params={"dry_run": "true"})
    assert again.status_code == 401 and _reason(again) == "replay"


def test_a_refused_envelope_sent_four_times_is_one_refusal_and_raises_no_flag(
    world: World,
) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    body = {"chips": chips, "receiver_id": cast.cn_cloud.id, "destination_country": "CN"}
    wire = world.envelope(cast.maker, "transfer.declare", body)
    first = world.post(cast.maker, "/v1/transfers", wire)
    assert first.status_code == 422 and _reason(first) == "license_required"
    for _ in range(REFUSALS_THRESHOLD):
        again = world.post(cast.maker, "/v1/transfers", wire)
        assert again.status_code == 401 and _reason(again) == "replay"
    assert _refusals(world, cast.maker) == 1
    assert sweep_flags(world.store) == []
    # Refusals of distinct envelopes still count, each once.
    for _ in range(REFUSALS_THRESHOLD - 1):
        other = world.envelope(cast.maker, "transfer.declare", body)
        assert world.post(cast.maker, "/v1/transfers", other).status_code == 422
    [flag] = sweep_flags(world.store)
    assert flag["kind"] == "repeated_refusals" and flag["evidence"]["refusals"] == 3


def test_an_envelope_refused_for_any_reason_is_spent(world: World) -> None:
    wire = world.envelope(
        world.admin, "party.create", {**_manufacturer_body("Bad Fab"), "country": "XX"}
    )
    refused = world.post(world.admin, "/v1/parties", wire)
    assert refused.status_code == 400 and "alpha-2" in refused.json()["detail"]
    again = world.post(world.admin, "/v1/parties", wire)
    assert again.status_code == 401 and _reason(again) == "replay"
    # An envelope the server could not verify spends nothing: a forgery cannot burn a nonce.
    good = world.envelope(world.admin, "party.create", _manufacturer_body("Good Fab"))
    forged = json.loads(json.dumps(good))
    forged["envelope"]["body"]["legal_name"] = "Forged Fab"
    assert _reason(world.post(world.admin, "/v1/parties", forged)) == "bad_signature"
    assert world.post(world.admin, "/v1/parties", good).status_code == 201


def test_copies_of_one_envelope_sent_at_once_get_one_answer(world: World) -> None:
    wire = world.envelope(world.admin, "party.create", _manufacturer_body("Racing Fab"))
    results = _race(world, world.admin, "/v1/parties", wire, 4)
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 401, 401, 401], [r.text for r in results]
    assert {_reason(r) for r in results if r.status_code == 401} == {"replay"}
    assert _parties_named(world, "Racing Fab") == 1


def test_copies_of_a_refused_envelope_sent_at_once_count_one_refusal(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    body = {"chips": chips, "receiver_id": cast.cn_cloud.id, "destination_country": "CN"}
    wire = world.envelope(cast.maker, "transfer.declare", body)
    results = _race(world, cast.maker, "/v1/transfers", wire, 4)
    codes = sorted(r.status_code for r in results)
    assert codes == [401, 401, 401, 422], [r.text for r in results]
    assert _refusals(world, cast.maker) == 1


def test_a_retry_with_the_idempotency_key_gets_the_recorded_answer(world: World) -> None:
    # A dry run's answer, again, for the same key and envelope; never the real run.
    wire = world.envelope(world.admin, "party.create", _manufacturer_body("Retry Fab"))
    key = {"Idempotency-Key": "dry-then-retry"}
    dry = world.post(world.admin, "/v1/parties", wire, headers=key, params={"dry_run": "true"})
    retry = world.post(world.admin, "/v1/parties", wire, headers=key, params={"dry_run": "true"})
    assert (retry.status_code, retry.json()) == (dry.status_code, dry.json())
    assert "token" not in dry.json() and "dry run" in dry.json()["withheld"]["token"]
    real = world.post(world.admin, "/v1/parties", wire, headers=key)
    assert real.status_code == 409 and _reason(real) == "idempotency_mismatch"
    assert "dry run" in real.json()["detail"]
    assert _parties_named(world, "Retry Fab") == 0

    # A refusal's problem document, again, not "nonce used"; and it counts once.
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    body = {"chips": chips, "receiver_id": cast.cn_cloud.id, "destination_country": "CN"}
    wire = world.envelope(cast.maker, "transfer.declare", body)
    key = {"Idempotency-Key": "declare-to-cn"}
    first = world.post(cast.maker, "/v1/transfers", wire, headers=key)
    assert first.status_code == 422 and _reason(first) == "license_required"
    for _ in range(REFUSALS_THRESHOLD):
        retry = world.post(cast.maker, "/v1/transfers", wire, headers=key)
        assert retry.status_code == 422
        assert retry.headers["content-type"].startswith("application/problem+json")
        assert retry.json() == first.json()
    assert _refusals(world, cast.maker) == 1


def _idempotency_bodies(world: World) -> str:
    with world.store.transaction() as session:
        return json.dumps([row.body for row in session.scalars(sa.select(IdempotentResult))])


def test_a_retried_token_issue_names_the_token_but_never_shows_or_keeps_it(
    world: World,
) -> None:
    maker = world.create(world.admin, "manufacturer", "Token Maker", "US")
    wire = world.envelope(maker, "token.create", {"party_id": maker.id, "label": "ci"})
    key = {"Idempotency-Key": "ci-token"}
    first = world.post(maker, "/v1/tokens", wire, headers=key)
    assert first.status_code == 201
    token, token_id = first.json()["token"], first.json()["token_id"]
    retry = world.post(maker, "/v1/tokens", wire, headers=key)
    assert retry.status_code == 201
    assert "token" not in retry.json() and retry.json()["token_id"] == token_id
    assert "already issued" in retry.json()["withheld"]["token"]
    assert token_id in retry.json()["withheld"]["token"]
    assert token not in _idempotency_bodies(world)
    with world.server.client(token) as http:  # the token itself works
        assert http.get(f"/v1/parties/{maker.id}").status_code == 200

    # The token a new party gets at creation is not kept either.
    wire = world.envelope(world.admin, "party.create", _manufacturer_body("Kept Fab"))
    key = {"Idempotency-Key": "create-kept-fab"}
    created = world.post(world.admin, "/v1/parties", wire, headers=key)
    retry = world.post(world.admin, "/v1/parties", wire, headers=key)
    assert retry.status_code == 201 and "token" not in retry.json()
    assert retry.json()["party"] == created.json()["party"]
    assert retry.json()["token_id"] == created.json()["token_id"]
    assert created.json()["token"] not in _idempotency_bodies(world)
    assert "cgt_" not in _idempotency_bodies(world)


def test_a_retry_after_the_signing_key_was_revoked_is_refused(world: World) -> None:
    maker = world.create(world.admin, "manufacturer", "Revoking Maker", "US")
    second = new_signer()
    body = {"party_id": maker.id, "public_key": encode_public_key(second.public_key_bytes())}
    assert world.post(maker, "/v1/keys", world.envelope(maker, "key.register", body)).is_success
    first_key = world.get(maker, f"/v1/parties/{maker.id}").json()["keys"][0]["key_id"]
    wire = world.envelope(maker, "token.create", {"party_id": maker.id, "label": "x"})
    key = {"Idempotency-Key": "before-revocation"}
    assert world.post(maker, "/v1/tokens", wire, headers=key).status_code == 201
    assert world.post(maker, "/v1/tokens", wire, headers=key).status_code == 201
    revoke = world.envelope(maker, "key.revoke", {"key_id": first_key}, signer=second)
    assert world.post(maker, "/v1/keys/revoke", revoke).status_code == 200
    retry = world.post(maker, "/v1/tokens", wire, headers=key)
    assert retry.status_code == 401 and _reason(retry) == "revoked_key"
    assert first_key in retry.json()["detail"]
