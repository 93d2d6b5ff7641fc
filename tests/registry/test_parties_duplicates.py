"""One name, one party (issue 10): a second party of the same role with the same legal name in
the same country (a regulator: also in an overlapping jurisdiction) is refused with 409 naming
the party that exists, over the real server on SQLite and PostgreSQL; a different country or
role is still a different party."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

from computegov.cli import app
from computegov.identity.keys import encode_public_key
from computegov.instants import utcnow
from computegov.store.signer import Ed25519FileSigner
from conftest import Actor, World, new_signer


def _create(
    world: World, name: str, role: str, country: str, creator: Actor | None = None, **body: Any
) -> Any:
    payload = {
        "legal_name": name,
        "role": role,
        "country": country,
        "public_keys": [encode_public_key(new_signer().public_key_bytes())],
        **body,
    }
    creator = creator or world.admin
    return world.post(creator, "/v1/parties", world.envelope(creator, "party.create", payload))


def _total(world: World) -> int:
    return int(world.get(world.admin, "/v1/parties").json()["total"])


def _refused_naming(response: Any, existing: Actor) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/conflict") and problem["status"] == 409
    assert problem["reason"] == "duplicate_party"
    assert problem["existing_party_id"] == existing.id
    assert existing.id in problem["detail"]


def test_a_second_regulator_with_the_same_name_is_refused(world: World) -> None:
    bis = world.create(world.admin, "regulator", "US BIS", "US", jurisdiction=["US"])
    before = _total(world)
    spellings = ("US BIS", "us bis", "  US   BIS ", "US\u00a0BIS", "ＵＳ ＢＩＳ")
    # What looks the same on a page: punctuation, invisible characters (zero-width space,
    # soft hyphen, byte-order mark, word joiner).
    spellings += ("U.S. BIS", "US BIS.", "US\u200b BIS", "U\u00adS BIS", "\ufeffUS BIS")
    spellings += ("US\u2060BIS",)
    for spelling in spellings:
        refused = _create(world, spelling, "regulator", "US", jurisdiction=["US"])
        _refused_naming(refused, bis)
    # Located elsewhere, but regulating the same country: the same regulator again.
    _refused_naming(_create(world, "US BIS", "regulator", "DE", jurisdiction=["DE", "US"]), bis)
    assert _total(world) == before  # nothing was written
    # Another name, or the same name for another jurisdiction elsewhere, is another regulator.
    assert _create(world, "US BIS 2", "regulator", "US", jurisdiction=["US"]).status_code == 201
    other = _create(world, "US BIS", "regulator", "GB", jurisdiction=["GB"])
    assert other.status_code == 201, other.text


def test_a_different_country_or_role_is_still_accepted(world: World) -> None:
    acme = world.create(world.admin, "manufacturer", "Acme Chips Ltd", "TW")
    _refused_naming(_create(world, "ACME CHIPS  LTD", "manufacturer", "TW"), acme)
    assert _create(world, "Acme Chips Ltd", "manufacturer", "US").status_code == 201
    assert _create(world, "Acme Chips Ltd", "distributor", "TW").status_code == 201
    # Punctuation does not make another name ("Ltd." is "Ltd"); a word does.
    _refused_naming(_create(world, "Acme Chips Ltd.", "manufacturer", "TW"), acme)
    _refused_naming(_create(world, "Acme-Chips, Ltd", "manufacturer", "TW"), acme)
    assert _create(world, "Acme Chips Taiwan Ltd", "manufacturer", "TW").status_code == 201


def test_a_regulator_learns_only_of_parties_it_may_see(world: World) -> None:
    """The 409 names the existing party's id: a regulator must not learn from it of a party
    outside its jurisdiction. Its duplicates are only ever parties it may read."""
    us_acme = world.create(world.admin, "distributor", "Acme Trading", "US")
    bafa = world.create(world.admin, "regulator", "BAFA", "DE", jurisdiction=["DE"])
    assert world.get(bafa, f"/v1/parties/{us_acme.id}").status_code in (403, 404)
    made = _create(world, "Acme Trading", "distributor", "DE", creator=bafa)
    assert made.status_code == 201, made.text  # the US party is not the DE regulator's business
    assert us_acme.id not in made.text
    again = _create(world, "ACME TRADING", "distributor", "DE", creator=bafa)
    assert again.status_code == 409
    named = again.json()["existing_party_id"]
    assert named == made.json()["party"]["id"]
    assert world.get(bafa, f"/v1/parties/{named}").status_code == 200


def test_the_cli_says_which_party_exists(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    bis = world.create(world.admin, "regulator", "US BIS", "US", jurisdiction=["US"])
    admin_key = tmp_path / "admin.pem"
    pem = world.admin.signer._key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(admin_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    Ed25519FileSigner.generate(tmp_path / "new.key")
    args = ["parties", "create", "--role", "regulator", "--name", "US BIS", "--country", "US"]
    args += ["--jurisdiction", "US", "--party-key", str(tmp_path / "new.key")]
    args += ["--url", world.server.url, "--token", world.admin.token, "--key", str(admin_key)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and bis.id in result.stderr
    assert "already exists" in result.stderr
