"""CSV the csv module cannot read is a 400 problem over real HTTP, not a 500 (found by the
fuzz tests: a field past the module's 128 KiB limit, a lone carriage return)."""

from __future__ import annotations

from typing import Any

from chips_helpers import HEADER, register, unsigned_body

from conftest import World

HUGE = "N" * (200 * 1024)


def _problem(response: Any) -> str:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail: str = response.json()["detail"]
    return detail


def test_a_screening_list_the_csv_module_cannot_read_is_a_400(world: World) -> None:
    header = "name,alt_names,addresses,source,programs"
    for csv in (f"{header}\n{HUGE},,,EL,\n", f'{header}\n"{HUGE}\n', f"{header}\nA\rB,,,EL,\n"):
        wire = world.envelope(world.admin, "screening.import", {"name": "el", "csv": csv})
        response = world.post(world.admin, "/v1/screening/lists", wire)
        assert "screening list" in _problem(response)


def test_a_manifest_the_csv_module_cannot_read_is_a_400(world: World) -> None:
    maker = world.create(world.admin, "manufacturer", "Maker", "US")
    data = f"{HEADER}\n{HUGE},H100,2026-01-15,TSMC,\n".encode()
    detail = _problem(register(world, maker, data, body=unsigned_body(data, maker, world)))
    assert "line 2: the manifest is not readable CSV" in detail
