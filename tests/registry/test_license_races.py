"""Races on a pending licensed transfer over the real server on SQLite and PostgreSQL: the
receiver's confirmation against the license's revocation, and against the sender's
cancellation. Exactly one wins, and the chips, the transfer and the license agree on which."""

from __future__ import annotations

from typing import Any

from custody_setup import Cast, add_chips, chip_rows
from test_license_suspension import _race, _used
from test_license_terms import issue, issued

from conftest import World

ROUNDS = 6


def _one_winner(
    world: World, cast: Cast, chips: list[str], transfer_id: str, lic_id: str, confirmed: Any
) -> None:
    """The transfer, its chips and its license agree on whether the confirmation won."""
    status = world.get(cast.maker, f"/v1/transfers/{transfer_id}").json()["status"]
    rows = chip_rows(world, chips).values()
    used = _used(world, lic_id)[:2]
    if confirmed.status_code == 200:
        assert status == "completed"
        assert {(r["custodian"], r["country"]) for r in rows} == {(cast.cn_cloud.id, "CN")}
        assert used == (2, 2000)
    else:
        assert confirmed.json()["reason"] == "not_pending", confirmed.text
        assert status == "cancelled"
        assert {(r["custodian"], r["country"], r["status"]) for r in rows} == {
            (cast.maker.id, "US", "in_stock")
        }
        assert used == (0, 0)


def _pending(world: World, cast: Cast) -> tuple[dict[str, Any], list[str], str]:
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 10, value_usd=10_000))
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    declared = cast.declare(
        cast.maker, chips, cast.cn_cloud, "CN", license_id=lic["id"], value_usd=2000
    )
    assert declared.status_code == 201, declared.text
    return lic, chips, declared.json()["transfer"]["id"]


def test_a_confirmation_racing_a_revocation_never_both_win(world: World) -> None:
    cast = Cast(world)
    for _ in range(ROUNDS):
        lic, chips, transfer_id = _pending(world, cast)
        confirm = world.envelope(cast.cn_cloud, "transfer.confirm", {"transfer_id": transfer_id})
        revoke = world.envelope(
            cast.us_reg, "license.revoke", {"license_id": lic["id"], "reason": "diverted"}
        )
        confirmed, revoked = _race(
            world,
            [
                (cast.cn_cloud, "/v1/transfers/confirm", confirm),
                (cast.us_reg, f"/v1/licenses/{lic['id']}/revoke", revoke),
            ],
        )
        assert revoked.status_code == 200, revoked.text
        cancelled = [t["transfer_id"] for t in revoked.json()["cancelled_transfers"]]
        assert cancelled == ([] if confirmed.status_code == 200 else [transfer_id])
        _one_winner(world, cast, chips, transfer_id, lic["id"], confirmed)


def test_a_confirmation_racing_the_senders_cancellation_never_both_win(world: World) -> None:
    cast = Cast(world)
    for _ in range(ROUNDS):
        lic, chips, transfer_id = _pending(world, cast)
        body = {"transfer_id": transfer_id}
        confirmed, cancelled = _race(
            world,
            [
                (
                    cast.cn_cloud,
                    "/v1/transfers/confirm",
                    world.envelope(cast.cn_cloud, "transfer.confirm", body),
                ),
                (
                    cast.maker,
                    "/v1/transfers/cancel",
                    world.envelope(cast.maker, "transfer.cancel", body),
                ),
            ],
        )
        assert (confirmed.status_code == 200) != (cancelled.status_code == 200), (
            confirmed.text,
            cancelled.text,
        )
        _one_winner(world, cast, chips, transfer_id, lic["id"], confirmed)
