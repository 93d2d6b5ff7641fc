"""Creating a party within the creator's reach (issue 9, low item 11), over the real server
on SQLite and PostgreSQL: a regulator names as parent only a party it may see in its
jurisdiction, and a party it may not see answers exactly as one that does not exist; a
headquarters outside its jurisdiction needs the administrator."""

from __future__ import annotations

from typing import Any

from computegov.identity.keys import encode_public_key
from conftest import Actor, World, new_signer


def _create(world: World, creator: Actor, **body: Any) -> Any:
    payload = {
        "legal_name": "Frankfurt GPU GmbH",
        "role": "cloud_provider",
        "country": "DE",
        "public_keys": [encode_public_key(new_signer().public_key_bytes())],
        **body,
    }
    return world.post(creator, "/v1/parties", world.envelope(creator, "party.create", payload))


def test_a_parent_must_be_one_the_regulator_may_see_and_a_hidden_one_answers_as_missing(
    world: World,
) -> None:
    admin = world.admin
    de_reg = world.create(admin, "regulator", "BAFA", "DE", jurisdiction=["DE"])
    cn_parent = world.create(admin, "ai_developer", "Beijing AI Holdings", "CN")
    de_parent = world.create(de_reg, "ai_developer", "Munich Holding GmbH", "DE")

    hidden = _create(world, de_reg, parent_id=cn_parent.id)
    missing = _create(world, de_reg, parent_id="pty_00000000deadbeef")
    assert hidden.status_code == missing.status_code == 404, hidden.text
    as_if_missing = hidden.json()
    as_if_missing["detail"] = as_if_missing["detail"].replace(cn_parent.id, "pty_00000000deadbeef")
    assert as_if_missing == missing.json()
    assert missing.json()["reason"] == "unknown_parent"

    assert _create(world, de_reg, parent_id=de_parent.id).status_code == 201
    # The administrator may name any party as parent (of another party: one name, one party).
    other = _create(world, admin, parent_id=cn_parent.id, legal_name="Frankfurt AI Cloud GmbH")
    assert other.status_code == 201, other.text


def test_a_headquarters_outside_the_regulators_jurisdiction_needs_the_administrator(
    world: World,
) -> None:
    admin = world.admin
    de_reg = world.create(admin, "regulator", "BAFA", "DE", jurisdiction=["DE"])
    refused = _create(world, de_reg, hq_country="CN")
    assert refused.status_code == 403, refused.text
    assert refused.json()["reason"] == "access"
    assert "hq_country CN is outside your jurisdiction (DE)" in refused.json()["detail"]
    assert _create(world, de_reg, hq_country="DE").status_code == 201
    made = _create(world, admin, hq_country="CN", legal_name="Frankfurt AI Cloud GmbH")
    assert made.status_code == 201, made.text
    assert made.json()["party"]["hq_country"] == "CN"
