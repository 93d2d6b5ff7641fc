"""Every list the CLI prints against a live server, at the widths people's terminals have (80
and 120 columns): each id the next command needs appears whole on one line, `-q` prints the
ids and nothing else, and no table shows "None" where a value is missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from chips_helpers import h100s, maker_of, register
from custody_setup import Cast
from typer.testing import CliRunner

from computegov.cli import app
from computegov.instants import utcnow
from computegov.store.signer import Ed25519FileSigner
from conftest import Actor, World

WIDTHS = ("80", "120")


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def _cli(world: World, actor: Actor, columns: str, *args: str) -> Any:
    runner = CliRunner(env={"COLUMNS": columns})
    extra = ["--url", world.server.url, "--token", actor.token]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    return result


def _ids(world: World, actor: Actor, path: str, field: str = "id") -> list[str]:
    response = world.get(actor, path, params={"limit": 1000})
    assert response.status_code == 200, response.text
    return [str(item[field]) for item in response.json()["items"]]


def _whole_on_a_line(text: str, value: str) -> bool:
    return any(value in line for line in text.splitlines())


@pytest.fixture
def busy(world: World) -> dict[str, Any]:
    """A registry with a record of every kind a list shows: parties, registered chips, a site,
    a license, a transfer under it (flagged), a screening list (a match) and a stolen chip."""
    cast = Cast(world)
    maker = maker_of(world, name="Acme Accelerators Inc", country="US")
    registered = register(world, maker, h100s(4))
    assert registered.status_code == 201, registered.text
    chips = _ids(world, maker, "/v1/chips")
    lic = cast.license(cast.us_reg, maker, cast.de_sub, "DE", ["H100"], 2)
    assert lic.status_code == 201, lic.text
    declared = cast.declare(
        maker, chips[:2], cast.de_sub, "DE", license_id=lic.json()["license"]["id"]
    )
    assert declared.status_code == 201, declared.text
    cast.site(cast.de_sub, "DE", name="Frankfurt West", latitude=50.1, longitude=8.6)
    imported = cast.act(
        cast.us_reg,
        "screening.import",
        "/v1/screening/lists",
        {"name": "entity list", "csv": "name,source\nAcme Accelerators,Entity List (BIS)\n"},
    )
    assert imported.status_code == 201, imported.text
    serial = world.get(maker, f"/v1/chips/{chips[3]}").json()["serial"]
    body = {"chip": {"vendor": "NVIDIA", "serial": serial}, "status": "stolen", "note": ""}
    stolen = cast.act(maker, "chip.report", "/v1/chips/reports", body)
    assert stolen.status_code in (200, 201), stolen.text
    return {"cast": cast, "maker": maker}


LISTS = [
    (("parties", "list"), "/v1/parties"),
    (("chips", "inventory"), "/v1/chips"),
    (("sites", "list"), "/v1/sites"),
    (("licenses", "list"), "/v1/licenses"),
    (("transfers", "list"), "/v1/transfers"),
    (("screening", "lists"), "/v1/screening/lists"),
    (("screening", "flags"), "/v1/flags"),
    (("flags", "list"), "/v1/flags"),
]


def test_lists_show_every_id_whole_at_80_and_120_columns(
    world: World, busy: dict[str, Any]
) -> None:
    admin = world.admin
    for command, path in LISTS:
        ids = _ids(world, admin, path)
        assert ids, command
        for columns in WIDTHS:
            out = _cli(world, admin, columns, *command).stdout
            for value in ids:
                assert _whole_on_a_line(out, value), (command, columns, value, out)
            assert "None" not in out, (command, columns, out)


def test_ids_inside_rows_and_records_stay_whole(world: World, busy: dict[str, Any]) -> None:
    """Custodians, senders, licenses a transfer drew on, key ids, vendors, serials and the
    instants a license expires at."""
    admin = world.admin
    chips = world.get(admin, "/v1/chips", params={"limit": 1000}).json()["items"]
    transfers = world.get(admin, "/v1/transfers").json()["items"]
    maker = world.get(admin, f"/v1/parties/{busy['maker'].id}").json()
    for columns in WIDTHS:
        inventory = _cli(world, admin, columns, "chips", "inventory").stdout
        for chip in chips:
            for value in (chip["custodian_id"], chip["serial"], chip["vendor"]):
                assert _whole_on_a_line(inventory, value), (columns, value, inventory)
        listed = _cli(world, admin, columns, "transfers", "list").stdout
        for t in transfers:
            for value in (t["sender_id"], t["receiver_id"], *t["license_ids"]):
                assert _whole_on_a_line(listed, value), (columns, value, listed)
        licenses = _cli(world, admin, columns, "licenses", "list").stdout
        for lic in world.get(admin, "/v1/licenses").json()["items"]:
            for value in (lic["licensee_id"], lic["consignee_id"], lic["expires_at"]):
                assert _whole_on_a_line(licenses, value), (columns, value, licenses)
        shown = _cli(world, admin, columns, "parties", "show", maker["id"]).stdout
        for key in maker["keys"]:
            assert _whole_on_a_line(shown, key["key_id"]), (columns, shown)


def test_a_flag_history_shows_whole_entry_ids(
    world: World, busy: dict[str, Any], tmp_path: Path
) -> None:
    cast: Cast = busy["cast"]
    admin = world.admin
    flags = world.get(admin, "/v1/flags").json()["items"]
    [flag] = [f for f in flags if f["kind"] == "screening_match"]
    closed = cast.act(
        cast.us_reg, "flag.close", "/v1/flags/close", {"flag_id": flag["id"], "reason": "cleared"}
    )
    assert closed.status_code == 200, closed.text
    entry = closed.json()["entry_id"]
    for columns in WIDTHS:
        out = _cli(world, admin, columns, "flags", "show", flag["id"]).stdout
        assert _whole_on_a_line(out, entry) and _whole_on_a_line(out, flag["id"]), out
        assert "None" not in out


def test_flags_say_why_each_was_raised_without_none(world: World, busy: dict[str, Any]) -> None:
    """The bug: `screening flags` printed "None" for the evidence a flag kind lacks."""
    out = _cli(world, world.admin, "200", "screening", "flags").stdout
    kinds = {f["kind"] for f in world.get(world.admin, "/v1/flags").json()["items"]}
    assert kinds == {"screening_match", "hq_in_licensed_destination", "lost_or_stolen"}
    assert "Acme Accelerators Inc ~ Acme Accelerators (list entity list)" in out
    assert "receiver's ultimate parent headquartered in CN" in out
    assert "stolen chip NVIDIA" in out
    assert "None" not in out


def test_quiet_prints_the_ids_and_nothing_else(world: World, busy: dict[str, Any]) -> None:
    admin = world.admin
    for command, path in LISTS:
        for flag in ("-q", "--quiet"):
            out = _cli(world, admin, "80", *command, flag).stdout
            assert out.splitlines() == _ids(world, admin, path), (command, out)
    flagged = _cli(world, admin, "80", "flags", "list", "-q", "--status", "open").stdout
    assert flagged.splitlines() == [
        f["id"] for f in world.get(admin, "/v1/flags").json()["items"] if f["status"] == "open"
    ]
    vendors = _cli(world, admin, "80", "chips", "vendors", "-q").stdout.splitlines()
    assert "NVIDIA" in vendors and all(" " not in v for v in vendors)


def test_quiet_output_feeds_the_next_command(world: World, busy: dict[str, Any]) -> None:
    """What `-q` prints is what the next command takes."""
    admin = world.admin
    first = _cli(world, admin, "80", "parties", "list", "-q").stdout.splitlines()[0]
    shown = _cli(world, admin, "80", "parties", "show", first, "--json").stdout
    assert json.loads(shown)["id"] == first


def test_names_are_shown_as_they_are_never_as_markup(world: World) -> None:
    """A name holding rich markup ("[/b]") once crashed every list that showed it."""
    name = "Bracket [/b] Labs [bold]GmbH[/bold]"
    world.create(world.admin, "distributor", name, "DE")
    narrow = _cli(world, world.admin, "80", "parties", "list").stdout
    assert "[/b]" in narrow, narrow
    wide = _cli(world, world.admin, "200", "parties", "list").stdout
    assert _whole_on_a_line(wide, name), wide


def test_words_in_other_columns_are_never_cut(world: World, busy: dict[str, Any]) -> None:
    """Columns without ids wrap between words: a status or a header is never split in two
    (`in_stoc|k` at 100 columns, `jurisdictio|n` at 120 before)."""
    admin = world.admin
    for columns in ("80", "100", "120"):
        inventory = _cli(world, admin, columns, "chips", "inventory").stdout
        assert _whole_on_a_line(inventory, "in_stock"), (columns, inventory)
        licenses = _cli(world, admin, columns, "licenses", "list").stdout
        assert _whole_on_a_line(licenses, "jurisdiction"), (columns, licenses)
        for out in (inventory, licenses):  # no table is cropped at its right edge
            framed = [line.rstrip() for line in out.splitlines() if line[:1] in "┏┃┡│└"]
            assert framed and all(line[-1] in "┓┃┩│┘" for line in framed), (columns, out)


def test_a_saved_token_is_written_and_not_printed(world: World, tmp_path: Path) -> None:
    """`parties create --save-token` keeps the secret off the screen (and scrollback)."""
    saved, party_key = tmp_path / "maker.token", tmp_path / "maker.key"
    Ed25519FileSigner.generate(party_key)
    world.clock.set(utcnow())  # the CLI dates its envelopes by the real clock
    key = world.store.settings.data_dir / "admin.key"
    result = _cli(
        world,
        world.admin,
        "120",
        "parties",
        "create",
        "--role",
        "manufacturer",
        "--name",
        "Token Keeping Foundry Ltd",
        "--country",
        "TW",
        "--key",
        str(key),
        "--party-key",
        str(party_key),
        "--save-token",
        str(saved),
    )
    token = saved.read_text().strip()
    assert token and token not in result.stdout
    assert f"written to {saved}" in result.stdout.replace("\n", "")
    with world.server.client(token) as http:  # the saved token is the party's
        assert http.get("/v1/parties").status_code == 200
