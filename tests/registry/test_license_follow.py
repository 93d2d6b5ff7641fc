"""The control follows the chip (issue 11), over the real server on SQLite and PostgreSQL.

Chips exported from the US to a Chinese consignee under a US license, passed on inside China
under another US license and then to Malaysia: the US regulator reads every later step (the
chip, its history, each transfer, the lists); a regulator of another jurisdiction does not, nor
does the US regulator follow a chip that never moved under a US license once it is abroad. The
end-use period ends the following; a cancelled transfer records no licensed chips.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from custody_setup import Cast, add_chips

from computegov.errors import Forbidden
from computegov.registry.licensing.models import ExportLicense, LicensedChip
from computegov.registry.overview import dashboard
from computegov.registry.parties.models import Party
from conftest import Actor, World


class Chain:
    """US maker -> Shanghai Compute (CN, licensed) -> Shenzhen AI (CN, licensed) -> KL (MY)."""

    def __init__(self, world: World, chips: int = 3) -> None:
        self.world = world
        self.cast = cast = Cast(world)
        admin = world.admin
        self.cn_next = world.create(admin, "cloud_provider", "Shenzhen AI Cloud", "CN")
        self.my_cloud = world.create(admin, "cloud_provider", "Kuala Lumpur Compute", "MY")
        self.jp_reg = world.create(admin, "regulator", "METI", "JP", jurisdiction=["JP"])
        self.my_reg = world.create(admin, "regulator", "MITI", "MY", jurisdiction=["MY"])
        self.chips = add_chips(world, cast.maker, "H100 SXM", chips)
        self.export_license = self.license(cast.maker, cast.cn_cloud, "CN", chips)
        self.export = self.move(cast.maker, cast.cn_cloud, "CN", license_id=self.export_license)

    def license(self, licensee: Actor, consignee: Actor, destination: str, n: int) -> str:
        issued = self.cast.license(
            self.cast.us_reg, licensee, consignee, destination, ["H100 SXM"], n
        )
        assert issued.status_code == 201, issued.text
        return str(issued.json()["license"]["id"])

    def move(
        self,
        sender: Actor,
        receiver: Actor,
        country: str,
        chips: list[str] | None = None,
        **body: Any,
    ) -> dict[str, Any]:
        """Declare and confirm a transfer; the declaration's response."""
        declared = self.cast.declare(sender, chips or self.chips, receiver, country, **body)
        assert declared.status_code == 201, declared.text
        transfer_id = declared.json()["transfer"]["id"]
        confirm = {"transfer_id": transfer_id}
        done = self.cast.act(receiver, "transfer.confirm", "/v1/transfers/confirm", confirm)
        assert done.status_code == 200, done.text
        return dict(declared.json())

    def onward(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Within China under a second US license, then on to Malaysia (no license needed)."""
        cast = self.cast
        second = self.license(cast.cn_cloud, self.cn_next, "CN", len(self.chips))
        inside = self.move(cast.cn_cloud, self.cn_next, "CN", license_id=second)
        abroad = self.move(self.cn_next, self.my_cloud, "MY")
        return inside, abroad


def _reads(world: World, reader: Actor, path: str) -> bool:
    response = world.get(reader, path)
    assert response.status_code in (200, 403), response.text
    return response.status_code == 200


def _set_license(world: World, license_id: str, **values: Any) -> None:
    """TEST SET-UP: license terms `licenses issue` does not take yet (end-use period)."""
    with world.store.transaction(write=True) as session:
        session.execute(
            sa.update(ExportLicense).where(ExportLicense.id == license_id).values(**values)
        )


def test_the_licensing_regulator_reads_each_later_step_of_the_chip(world: World) -> None:
    chain = Chain(world)
    cast = chain.cast
    inside, abroad = chain.onward()
    chip = chain.chips[0]
    steps = [chain.export, inside, abroad]
    # The US regulator follows the chip into Malaysia: the chip, its history, every transfer.
    assert _reads(world, cast.us_reg, f"/v1/chips/{chip}")
    history = world.get(cast.us_reg, f"/v1/chips/{chip}/history").json()
    kinds = [step["kind"] for step in history["steps"]]
    assert kinds.count("transfer_completed") == 3 and history["chip"]["country"] == "MY"
    for step in steps:
        assert _reads(world, cast.us_reg, f"/v1/transfers/{step['transfer']['id']}")
    listed = {t["id"] for t in world.get(cast.us_reg, "/v1/transfers").json()["items"]}
    assert {step["transfer"]["id"] for step in steps} <= listed
    inventory = world.get(cast.us_reg, "/v1/chips", params={"country": "MY"}).json()
    assert sorted(c["id"] for c in inventory["items"]) == sorted(chain.chips)
    # A regulator of another jurisdiction sees none of it; China's sees only what touched China.
    assert not _reads(world, chain.jp_reg, f"/v1/chips/{chip}")
    assert not _reads(world, chain.jp_reg, f"/v1/chips/{chip}/history")
    for step in steps:
        assert not _reads(world, chain.jp_reg, f"/v1/transfers/{step['transfer']['id']}")
    assert world.get(chain.jp_reg, "/v1/chips").json()["total"] == 0
    assert world.get(chain.jp_reg, "/v1/transfers").json()["total"] == 0
    assert not _reads(world, cast.cn_reg, f"/v1/chips/{chip}")
    assert _reads(world, cast.cn_reg, f"/v1/transfers/{abroad['transfer']['id']}")
    # The dashboard's chip page and lists follow the same rule.
    with world.store.transaction() as session:
        us, jp = session.get(Party, cast.us_reg.id), session.get(Party, chain.jp_reg.id)
        assert us is not None and jp is not None
        assert dashboard.chip_history(session, us, chip)["chip"]["id"] == chip
        with pytest.raises(Forbidden):
            dashboard.chip_history(session, jp, chip)
        assert dashboard.list_chips(session, us, country="MY").total == len(chain.chips)
        assert dashboard.list_chips(session, jp).total == 0


def test_a_chip_never_licensed_is_not_followed_abroad(world: World) -> None:
    chain = Chain(world, chips=1)
    cast = chain.cast
    plain = add_chips(world, cast.maker, "H100 SXM", 1)
    out = chain.move(cast.maker, chain.my_cloud, "MY", chips=plain)  # needs no license
    further = world.create(world.admin, "distributor", "Penang Parts", "MY")
    later = chain.move(chain.my_cloud, further, "MY", chips=plain)
    assert _reads(world, cast.us_reg, f"/v1/transfers/{out['transfer']['id']}")  # it left the US
    assert not _reads(world, cast.us_reg, f"/v1/transfers/{later['transfer']['id']}")
    assert not _reads(world, cast.us_reg, f"/v1/chips/{plain[0]}")
    assert not _reads(world, cast.us_reg, f"/v1/chips/{plain[0]}/history")
    listed = {t["id"] for t in world.get(cast.us_reg, "/v1/transfers").json()["items"]}
    assert later["transfer"]["id"] not in listed
    assert plain[0] not in {c["id"] for c in world.get(cast.us_reg, "/v1/chips").json()["items"]}


def test_licensed_chips_are_recorded_at_declaration_and_dropped_on_cancellation(
    world: World,
) -> None:
    chain = Chain(world, chips=2)
    cast = chain.cast
    with world.store.transaction() as session:
        rows = session.scalars(sa.select(LicensedChip)).all()
    assert sorted((r.license_id, r.chip_id, r.transfer_id) for r in rows) == sorted(
        (chain.export_license, c, chain.export["transfer"]["id"]) for c in chain.chips
    )
    # A second licensed move, declared then cancelled: its rows go, the export's stay.
    second = chain.license(cast.cn_cloud, chain.cn_next, "CN", 2)
    declared = cast.declare(cast.cn_cloud, chain.chips, chain.cn_next, "CN", license_id=second)
    assert declared.status_code == 201, declared.text
    transfer_id = declared.json()["transfer"]["id"]
    with world.store.transaction() as session:
        count = session.scalar(
            sa.select(sa.func.count()).where(LicensedChip.transfer_id == transfer_id)
        )
    assert count == 2
    cancel = {"transfer_id": transfer_id}
    assert (
        cast.act(cast.cn_cloud, "transfer.cancel", "/v1/transfers/cancel", cancel).status_code
        == 200
    )
    with world.store.transaction() as session:
        left = session.scalars(sa.select(LicensedChip.license_id)).all()
    assert set(left) == {chain.export_license}


def test_following_ends_with_the_end_use_period(world: World) -> None:
    chain = Chain(world, chips=1)
    cast = chain.cast
    end = world.clock.now() + timedelta(days=30)
    _set_license(world, chain.export_license, end_use_until=end)
    inside = chain.move(
        cast.cn_cloud,
        chain.cn_next,
        "CN",
        license_id=chain.license(cast.cn_cloud, chain.cn_next, "CN", 1),
    )
    _set_license(world, inside["transfer"]["licenses"][0]["license_id"], end_use_until=end)
    chip = chain.chips[0]
    assert _reads(world, cast.us_reg, f"/v1/chips/{chip}")
    world.clock.advance(timedelta(days=31))
    abroad = chain.move(chain.cn_next, chain.my_cloud, "MY")
    # The period is over: the chip (now abroad) and the move after it are out of sight ...
    assert not _reads(world, cast.us_reg, f"/v1/chips/{chip}")
    assert not _reads(world, cast.us_reg, f"/v1/transfers/{abroad['transfer']['id']}")
    # ... but the steps taken while it lasted stay readable for the end-use check.
    assert _reads(world, cast.us_reg, f"/v1/transfers/{inside['transfer']['id']}")
    assert not _reads(world, chain.jp_reg, f"/v1/transfers/{inside['transfer']['id']}")
