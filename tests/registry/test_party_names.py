"""Records name their parties by id, and a reader who may read a record also sees those
parties' names beside the ids (as the registry's pages show them): transfers (sender,
receiver), licenses (regulator, licensee, consignee) and a chip's history (each step's party),
through the API and the CLI's tables; the ids stay as they were, whole, and `-q` prints ids
only. A reader who may not read a record learns no name from it."""

from __future__ import annotations

from typing import Any

import pytest
from chips_helpers import h100s, maker_of, register
from custody_setup import Cast
from typer.testing import CliRunner

from computegov.cli import app
from conftest import Actor, World

MAKER = "Acme Accelerators Inc"
US_REG = "US BIS"
DE_SUB = "Frankfurt GPU GmbH"


@pytest.fixture
def moved(world: World) -> dict[str, Any]:
    """A maker's registered chips, two of them licensed by the US regulator to a German cloud
    and transferred to it (confirmed), and a third party that sees none of it."""
    cast = Cast(world)
    maker = maker_of(world, name=MAKER, country="US")
    registered = register(world, maker, h100s(3))
    assert registered.status_code == 201, registered.text
    chips = [c["id"] for c in world.get(maker, "/v1/chips").json()["items"]]
    lic = cast.license(cast.us_reg, maker, cast.de_sub, "DE", ["H100"], 2)
    assert lic.status_code == 201, lic.text
    declared = cast.declare(
        maker, chips[:2], cast.de_sub, "DE", license_id=lic.json()["license"]["id"]
    )
    assert declared.status_code == 201, declared.text
    transfer_id = declared.json()["transfer"]["id"]
    body = {"transfer_id": transfer_id}
    confirmed = cast.act(cast.de_sub, "transfer.confirm", "/v1/transfers/confirm", body)
    assert confirmed.status_code == 200, confirmed.text
    return {
        "cast": cast,
        "maker": maker,
        "chip": chips[0],
        "license": lic.json(),
        "declared": declared.json(),
        "confirmed": confirmed.json(),
        "transfer_id": transfer_id,
    }


def _names_of_transfer(transfer: dict[str, Any], maker: Actor, cast: Cast) -> None:
    assert transfer["sender_id"] == maker.id
    assert transfer["sender_name"] == MAKER
    assert transfer["receiver_id"] == cast.de_sub.id
    assert transfer["receiver_name"] == DE_SUB


def test_transfers_name_sender_and_receiver_to_those_who_may_read_them(
    world: World, moved: dict[str, Any]
) -> None:
    cast, maker = moved["cast"], moved["maker"]
    _names_of_transfer(moved["declared"]["transfer"], maker, cast)
    _names_of_transfer(moved["confirmed"]["transfer"], maker, cast)
    for reader in (maker, cast.de_sub, cast.us_reg, world.admin):
        listed = world.get(reader, "/v1/transfers")
        assert listed.status_code == 200, listed.text
        [item] = [t for t in listed.json()["items"] if t["id"] == moved["transfer_id"]]
        _names_of_transfer(item, maker, cast)
        shown = world.get(reader, f"/v1/transfers/{moved['transfer_id']}")
        assert shown.status_code == 200, shown.text
        _names_of_transfer(shown.json(), maker, cast)
    # A page names its own rows: the second page of one row still carries names.
    paged = world.get(maker, "/v1/transfers", params={"limit": 1, "offset": 0}).json()
    _names_of_transfer(paged["items"][0], maker, cast)
    # A reader who may not read the transfer learns neither it nor its parties' names.
    outsider = cast.cn_cloud
    assert world.get(outsider, "/v1/transfers").json()["items"] == []
    refused = world.get(outsider, f"/v1/transfers/{moved['transfer_id']}")
    assert refused.status_code in (403, 404), refused.text
    assert DE_SUB not in refused.text and MAKER not in refused.text


def test_licenses_name_regulator_licensee_and_consignee(
    world: World, moved: dict[str, Any]
) -> None:
    cast, maker = moved["cast"], moved["maker"]
    lic_id = moved["license"]["license"]["id"]

    def check(lic: dict[str, Any]) -> None:
        assert (lic["regulator_id"], lic["regulator_name"]) == (cast.us_reg.id, US_REG)
        assert (lic["licensee_id"], lic["licensee_name"]) == (maker.id, MAKER)
        assert (lic["consignee_id"], lic["consignee_name"]) == (cast.de_sub.id, DE_SUB)

    check(moved["license"]["license"])
    for reader in (maker, cast.de_sub, cast.us_reg):
        [item] = [x for x in world.get(reader, "/v1/licenses").json()["items"] if x["id"] == lic_id]
        check(item)
        check(world.get(reader, f"/v1/licenses/{lic_id}").json())
    outsider = cast.cn_cloud
    assert world.get(outsider, "/v1/licenses").json()["items"] == []
    refused = world.get(outsider, f"/v1/licenses/{lic_id}")
    assert refused.status_code in (403, 404), refused.text
    assert DE_SUB not in refused.text and MAKER not in refused.text


def test_a_chips_history_names_each_steps_party(world: World, moved: dict[str, Any]) -> None:
    cast, maker = moved["cast"], moved["maker"]
    served = world.get(cast.de_sub, f"/v1/chips/{moved['chip']}/history")
    assert served.status_code == 200, served.text
    steps = served.json()["steps"]
    assert [(s["kind"], s["party_id"], s["party_name"]) for s in steps] == [
        ("registered", maker.id, MAKER),
        ("transfer_declared", maker.id, MAKER),
        ("transfer_completed", cast.de_sub.id, DE_SUB),
    ]
    refused = world.get(cast.cn_cloud, f"/v1/chips/{moved['chip']}/history")
    assert refused.status_code in (403, 404), refused.text
    assert MAKER not in refused.text


def _cli(world: World, actor: Actor, columns: str, *args: str) -> str:
    runner = CliRunner(env={"COLUMNS": columns})
    result = runner.invoke(app, [*args, "--url", world.server.url, "--token", actor.token])
    assert result.exit_code == 0, result.output
    return result.stdout


def _on_a_line(text: str, value: str) -> bool:
    return any(value in line for line in text.splitlines())


def _words_shown(text: str, name: str) -> bool:
    """Each word of a name appears (a name column may wrap between words)."""
    return all(word in text for word in name.split())


@pytest.mark.parametrize("columns", ["80", "120"])
def test_cli_tables_show_names_beside_whole_ids(
    world: World, moved: dict[str, Any], columns: str
) -> None:
    cast, maker = moved["cast"], moved["maker"]
    listed = _cli(world, maker, columns, "transfers", "list")
    for value in (moved["transfer_id"], maker.id, cast.de_sub.id):
        assert _on_a_line(listed, value), (value, listed)
    assert _words_shown(listed, MAKER) and _words_shown(listed, DE_SUB), listed

    licenses = _cli(world, cast.de_sub, columns, "licenses", "list")
    for value in (moved["license"]["license"]["id"], maker.id, cast.de_sub.id):
        assert _on_a_line(licenses, value), (value, licenses)
    assert _words_shown(licenses, MAKER) and _words_shown(licenses, DE_SUB), licenses

    serial = world.get(cast.de_sub, f"/v1/chips/{moved['chip']}").json()["serial"]
    key = world.store.verifier_key
    history = _cli(world, cast.de_sub, columns, "chips", "history", "NVIDIA", serial, "--vkey", key)
    for value in (maker.id, cast.de_sub.id):
        assert _on_a_line(history, value), (value, history)
    assert _words_shown(history, MAKER) and _words_shown(history, DE_SUB), history
    assert "None" not in listed + licenses + history

    # `-q` still prints the ids and nothing else.
    quiet = _cli(world, maker, columns, "transfers", "list", "-q").split()
    assert quiet == [moved["transfer_id"]]
    quiet = _cli(world, cast.de_sub, columns, "licenses", "list", "-q").split()
    assert quiet == [moved["license"]["license"]["id"]]
