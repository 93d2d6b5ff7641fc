"""Signed actions over real HTTP, on SQLite and PostgreSQL: what is refused and why."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from computegov.cli import app as cli
from computegov.identity.envelopes import parse_signed_envelope, verify_envelope
from computegov.identity.keys import decode_public_key, encode_public_key
from conftest import World, new_signer


def _manufacturer_body(name: str = "Example Fab Inc.", country: str = "US") -> dict[str, object]:
    return {
        "legal_name": name,
        "role": "manufacturer",
        "country": country,
        "public_keys": [encode_public_key(new_signer().public_key_bytes())],
    }


def _reason(response) -> str:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json().get("reason"))


def test_forged_envelope_is_refused_and_writes_nothing(world: World) -> None:
    before = world.log_size()
    wire = world.envelope(world.admin, "party.create", _manufacturer_body())
    forged = copy.deepcopy(wire)
    forged["envelope"]["body"]["country"] = "CN"
    response = world.post(world.admin, "/v1/parties", forged)
    assert response.status_code == 401
    assert _reason(response) == "bad_signature"
    assert world.log_size() == before
    assert world.post(world.admin, "/v1/parties", wire).status_code == 201


def test_replayed_envelope_is_refused(world: World) -> None:
    wire = world.envelope(world.admin, "party.create", _manufacturer_body())
    assert world.post(world.admin, "/v1/parties", wire).status_code == 201
    again = world.post(world.admin, "/v1/parties", wire)
    assert again.status_code == 401
    assert _reason(again) == "replay"


def test_expired_and_future_envelopes_are_refused(world: World) -> None:
    old = world.envelope(
        world.admin,
        "party.create",
        _manufacturer_body(),
        time=world.clock.now() - timedelta(minutes=6),
    )
    assert _reason(world.post(world.admin, "/v1/parties", old)) == "stale"
    ahead = world.envelope(
        world.admin,
        "party.create",
        _manufacturer_body(),
        time=world.clock.now() + timedelta(minutes=6),
    )
    assert _reason(world.post(world.admin, "/v1/parties", ahead)) == "future"


def test_unregistered_key_and_another_partys_key_are_refused(world: World) -> None:
    stranger = world.envelope(
        world.admin, "party.create", _manufacturer_body(), signer=new_signer()
    )
    response = world.post(world.admin, "/v1/parties", stranger)
    assert response.status_code == 401 and _reason(response) == "unknown_key"
    regulator = world.create(world.admin, "regulator", "Regulator US", "US", jurisdiction=["US"])
    signed_by_admin = world.envelope(world.admin, "party.create", _manufacturer_body())
    response = world.post(regulator, "/v1/parties", signed_by_admin)
    assert response.status_code == 403 and _reason(response) == "token_party_mismatch"


def test_revoked_key_is_refused_from_its_revocation_on(world: World) -> None:
    maker = world.create(world.admin, "manufacturer", "Maker", "US")
    second = new_signer()
    body = {"party_id": maker.id, "public_key": encode_public_key(second.public_key_bytes())}
    registered = world.post(maker, "/v1/keys", world.envelope(maker, "key.register", body))
    assert registered.status_code == 201
    early = world.envelope(maker, "token.create", {"party_id": maker.id, "label": "early"})
    first_key = registered.json()["key"]["key_id"]
    old_key_id = world.get(maker, f"/v1/parties/{maker.id}").json()["keys"][0]["key_id"]
    assert old_key_id != first_key

    world.clock.advance(timedelta(seconds=30))
    revoke = world.envelope(maker, "key.revoke", {"key_id": old_key_id}, signer=second)
    assert world.post(maker, "/v1/keys/revoke", revoke).status_code == 200

    # An envelope signed before the revocation but received after it is refused too.
    response = world.post(maker, "/v1/tokens", early)
    assert response.status_code == 401 and _reason(response) == "revoked_key"
    after = world.envelope(maker, "token.create", {"party_id": maker.id}, signer=second)
    assert world.post(maker, "/v1/tokens", after).status_code == 201

    # Signatures made before the revocation stay verifiable from the ledger's opening.
    opening = world.get(maker, f"/v1/log/openings/{registered.json()['entry_id']}").json()
    signed = parse_signed_envelope(opening["record"]["envelope"])
    keys = {k["key_id"]: k for k in world.get(maker, f"/v1/parties/{maker.id}").json()["keys"]}
    assert keys[old_key_id]["revoked_at"] is not None
    verify_envelope(
        signed,
        public_key=decode_public_key(keys[old_key_id]["public_key"]),
        origin=world.store.origin,
        now=signed.envelope.time,
    )


def test_idempotent_retry_returns_the_first_result(world: World) -> None:
    wire = world.envelope(world.admin, "party.create", _manufacturer_body())
    headers = {"Idempotency-Key": "create-example-fab"}
    first = world.post(world.admin, "/v1/parties", wire, headers=headers)
    size = world.log_size()
    retry = world.post(world.admin, "/v1/parties", wire, headers=headers)
    expected = {k: v for k, v in first.json().items() if k != "token"}  # a secret: not kept
    assert retry.status_code == first.status_code
    assert {k: v for k, v in retry.json().items() if k != "withheld"} == expected
    assert world.log_size() == size
    other = world.envelope(world.admin, "party.create", _manufacturer_body("Other Fab"))
    clash = world.post(world.admin, "/v1/parties", other, headers=headers)
    assert clash.status_code == 409 and _reason(clash) == "idempotency_mismatch"


def test_dry_run_checks_everything_and_writes_nothing(world: World) -> None:
    size = world.log_size()
    wire = world.envelope(world.admin, "party.create", _manufacturer_body())
    dry = world.post(world.admin, "/v1/parties", wire, params={"dry_run": "true"})
    assert dry.status_code == 201 and dry.json()["dry_run"] is True
    assert "entry_id" not in dry.json()
    assert world.log_size() == size
    listed = world.get(world.admin, "/v1/parties").json()
    assert [p["role"] for p in listed["items"]] == ["administrator"]
    bad = world.envelope(world.admin, "party.create", {**_manufacturer_body(), "country": "XX"})
    refused = world.post(world.admin, "/v1/parties", bad, params={"dry_run": "true"})
    assert refused.status_code == 400 and "alpha-2" in refused.json()["detail"]
    again = world.post(world.admin, "/v1/parties", wire)  # a dry run spends the nonce
    assert again.status_code == 401 and _reason(again) == "replay"


def test_signed_action_is_in_the_ledger_and_proves_with_its_opening(
    world: World, tmp_path: Path
) -> None:
    regulator = world.create(world.admin, "regulator", "Regulator NL", "NL", jurisdiction=["NL"])
    wire = world.envelope(regulator, "party.create", _manufacturer_body("ASML-like", "NL"))
    created = world.post(regulator, "/v1/parties", wire)
    assert created.status_code == 201, created.text
    entry_id = created.json()["entry_id"]
    world.log_size()  # integrate
    index = world.get(None, f"/v1/log/pending/{entry_id}").json()["index"]
    opening = world.get(regulator, f"/v1/log/openings/{entry_id}")
    assert opening.status_code == 200
    assert opening.json()["record"]["envelope"] == wire
    path = tmp_path / "opening.json"
    path.write_text(json.dumps(opening.json()))
    runner = CliRunner()
    args = ["ledger", "prove", "--url", world.server.url, "--index", str(index)]
    assert runner.invoke(cli, [*args, "--opening", str(path)]).exit_code == 0
    tampered = opening.json()
    tampered["record"]["envelope"]["envelope"]["body"]["legal_name"] = "Someone Else"
    path.write_text(json.dumps(tampered))
    assert runner.invoke(cli, [*args, "--opening", str(path)]).exit_code == 1


def test_requests_without_a_valid_token_are_refused(world: World) -> None:
    assert world.get(None, "/v1/parties").status_code == 401
    with world.server.client("cgt_not-a-token") as http:
        response = http.get("/v1/parties")
    assert response.status_code == 401 and _reason(response) == "bad_token"
