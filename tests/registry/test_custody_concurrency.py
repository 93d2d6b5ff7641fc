"""Two declarations of one chip at the same instant, on SQLite and PostgreSQL: exactly one
wins, the other is refused, and the chips end up in exactly one transfer."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from custody_setup import Cast, add_chips, chip_rows

from computegov.registry.custody.models import Transfer, TransferChip
from conftest import World

ROUNDS = 6


def _race(world: World, token: str, wires: list[dict[str, Any]]) -> list[Any]:
    """POST every envelope at once from its own thread; the responses in order."""
    barrier = threading.Barrier(len(wires))
    results: list[Any] = [None] * len(wires)

    def declare(i: int) -> None:
        with world.server.client(token) as http:
            barrier.wait()
            results[i] = http.post("/v1/transfers", json=wires[i])

    threads = [threading.Thread(target=declare, args=(i,)) for i in range(len(wires))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_declarations_of_one_chip_exactly_one_wins(world: World) -> None:
    cast = Cast(world)
    receivers = [cast.us_cloud, world.create(world.admin, "cloud_provider", "Other US", "US")]
    for _ in range(ROUNDS):
        chips = add_chips(world, cast.maker, "H100 SXM", 8)
        wires = [
            world.envelope(
                cast.maker,
                "transfer.declare",
                {"chips": chips, "receiver_id": r.id, "destination_country": "US"},
            )
            for r in receivers
        ]
        results = _race(world, cast.maker.token, wires)
        codes = sorted(r.status_code for r in results)
        assert codes[0] == 201 and codes[1] in (409, 422), [r.text for r in results]
        loser = next(r for r in results if r.status_code != 201).json()
        assert loser["reason"] in ("in_transit", "concurrent_transfer")
        with world.store.transaction() as session:
            rows = session.execute(
                sa.select(TransferChip.transfer_id).where(TransferChip.chip_id.in_(chips))
            ).all()
            assert len(rows) == len(chips) and len({r[0] for r in rows}) == 1
            assert session.get(Transfer, rows[0][0]).chip_count == len(chips)  # type: ignore[union-attr]
        assert {c["status"] for c in chip_rows(world, chips).values()} == {"in_transit"}
