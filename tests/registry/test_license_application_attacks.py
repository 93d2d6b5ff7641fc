"""Attacks on a license application's parties over the real server on SQLite and PostgreSQL:
a test lab is no party to an export, as `licenses issue` and transfers already hold."""

from __future__ import annotations

from licensing_setup import Licensing

from conftest import World


def test_a_test_lab_is_no_party_to_an_export(world: World) -> None:
    cast = Licensing(world)
    lab = world.create(world.admin, "test_lab", "Shenzhen Test Lab", "CN")
    for field, value in (
        ("ultimate_consignee_id", lab.id),
        ("purchaser_id", lab.id),
        ("end_user_ids", [lab.id]),
        ("intermediate_consignee_ids", [lab.id]),
    ):
        response = cast.apply(**{field: value})
        assert response.status_code == 422, response.text
        problem = response.json()
        assert (problem["reason"], problem["field"]) == ("invalid_application", field)
        assert "test_lab" in problem["detail"]
