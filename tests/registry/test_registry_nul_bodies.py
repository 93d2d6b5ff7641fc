"""A NUL (U+0000) anywhere in a signed body is a 400 problem, never PostgreSQL's 500.

Found by an adversarial review after issue 9: the URL guard refused NULs in paths and query
strings, but a NUL inside an envelope's strings (a party's name, a site's name, a transfer's
receiver, a manifest's serial, a screening list's CSV) reached the database, where PostgreSQL
refuses text with a NUL and the request failed as an internal error. Also here: an envelope
sent with another party's token is refused before it is verified, so whoever holds a stolen
token cannot spend the nonce of an envelope it intercepted.
"""

from __future__ import annotations

from typing import Any

from chips_helpers import FAB, maker_of, manifest_csv, register, unsigned_body
from custody_setup import Cast, add_chips

from computegov.identity.keys import encode_public_key
from conftest import World, new_signer


def _refused_for_nul(response: Any) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["reason"] == "nul_character", problem
    assert "NUL" in problem["detail"]


def test_a_nul_in_any_signed_string_is_a_400(world: World) -> None:
    cast = Cast(world)
    size = world.log_size()
    key = encode_public_key(new_signer().public_key_bytes())
    party = {"role": "distributor", "country": "US", "public_keys": [key]}
    attempts = [
        (world.admin, "party.create", "/v1/parties", {**party, "legal_name": "A\x00B"}),
        (
            world.admin,
            "party.create",
            "/v1/parties",
            {**party, "legal_name": "Aliased", "aliases": ["ok", "x\x00"]},
        ),
        (cast.us_cloud, "site.create", "/v1/sites", {"name": "DC\x00", "country": "US"}),
        (world.admin, "token.create", "/v1/tokens", {"party_id": world.admin.id, "label": "\x00"}),
        (
            cast.us_reg,
            "screening.import",
            "/v1/screening/lists",
            {"name": "Entity List", "csv": "name,source\nEvil\x00 Co,BIS\n"},
        ),
    ]
    chips = add_chips(world, cast.maker, "H100 SXM", 1)
    body = {"chips": chips, "receiver_id": cast.us_cloud.id + "\x00", "destination_country": "US"}
    attempts.append((cast.maker, "transfer.declare", "/v1/transfers", body))
    for actor, type_, path, payload in attempts:
        _refused_for_nul(world.post(actor, path, world.envelope(actor, type_, payload)))
    assert world.log_size() == size  # nothing was written


def test_a_nul_in_a_manifest_is_a_400(world: World) -> None:
    maker = maker_of(world)
    data = manifest_csv([("Z\x00-0000", "H100", "2026-01-15", FAB, None)])
    _refused_for_nul(register(world, maker, data, body=unsigned_body(data, maker, world)))


def test_another_partys_token_cannot_spend_an_intercepted_envelope(world: World) -> None:
    cast = Cast(world)
    wire = world.envelope(cast.us_cloud, "site.create", {"name": "Ashburn 9", "country": "US"})
    stolen = world.post(cast.maker, "/v1/sites", wire)  # the maker's token, the cloud's envelope
    assert stolen.status_code == 403 and stolen.json()["reason"] == "token_party_mismatch"
    applied = world.post(cast.us_cloud, "/v1/sites", wire)  # its nonce is still unspent
    assert applied.status_code == 201, applied.text
