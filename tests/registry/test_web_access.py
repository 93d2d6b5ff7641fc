"""Access for the reading interfaces, generated from the matrix: for every role, a chip it
holds, one it made, one in a regulator's jurisdiction and a foreign one; `stats.read` counts
exactly the chips the matrix allows, and the chip page (`chip.read`) shows exactly those it
allows and refuses the others with 403. (SQLite only: the matrix is engine-free.)"""

from __future__ import annotations

import httpx
import pytest
import web_setup

from computegov.identity.access import Actor as AccessActor
from computegov.identity.access import default_matrix
from computegov.registry.actions import actor_of
from computegov.registry.overview.visibility import chip_resource
from computegov.registry.parties.models import Party
from computegov.web.pages import COOKIE
from conftest import Actor, World

MATRIX = default_matrix()
#: Where each kind of chip is: the acting regulator's jurisdiction is NL. "own" is held by the
#: acting party, "made" was made by it (its manifest) and is held by another.
PLACES = {"own": "DE", "made": "BR", "jurisdiction": "NL", "foreign": "JP"}


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def _actor(world: World, role: str) -> Actor:
    if role == "administrator":
        return world.admin
    extra = {"jurisdiction": ["NL"]} if role == "regulator" else {}
    return world.create(world.admin, role, f"Acting {role}", "FR", **extra)


@pytest.mark.parametrize("role", MATRIX.roles)
def test_stats_and_chip_pages_follow_the_matrix(world: World, role: str) -> None:
    actor = _actor(world, role)
    maker = world.create(world.admin, "manufacturer", "Maker", "US")
    holder = world.create(world.admin, "cloud_provider", "Holder", "JP")
    if role == "auditor":  # a grant over the holder: its chips become the auditor's to read
        grant = {"auditor_id": actor.id, "resource_id": holder.id}
        answer = world.post(
            world.admin, "/v1/audit/grants", world.envelope(world.admin, "audit.grant", grant)
        )
        assert answer.status_code == 201, answer.text
    now = world.clock.now()
    with world.store.transaction(write=True) as session:
        manifest = web_setup.add_manifest(session, maker, now)
        own_manifest = web_setup.add_manifest(session, actor, now)
        chips = {
            kind: web_setup.add_chip(
                session,
                own_manifest if kind == "made" else manifest,
                serial,
                actor.id if kind == "own" else holder.id,
                "H100 SXM",
                country,
                "in_stock",
                now,
            )
            for serial, (kind, country) in enumerate(PLACES.items())
        }
        reader = session.get(Party, actor.id)
        assert reader is not None
        who: AccessActor = actor_of(session, reader)
        allowed = {
            action: {
                kind
                for kind, chip in chips.items()
                if MATRIX.decide(who, action, chip_resource(chip)).allowed
            }
            for action in ("stats.read", "chip.read")
        }
        ids = {kind: chip.id for kind, chip in chips.items()}

    stats = world.get(actor, "/v1/stats/chips?by=country")
    if not MATRIX.scopes(role, "stats.read"):
        assert stats.status_code == 403
    else:
        assert stats.status_code == 200, stats.text
        counted = {item["country"] for item in stats.json()["items"]}
        assert counted == {PLACES[kind] for kind in allowed["stats.read"]}, role

    with httpx.Client(base_url=world.server.url, cookies={COOKIE: actor.token}) as http:
        for kind, chip_id in ids.items():
            page = http.get(f"/chips/{chip_id}")
            expected = 200 if kind in allowed["chip.read"] else 403
            assert page.status_code == expected, (role, kind, page.text[:200])
