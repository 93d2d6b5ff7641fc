"""`computegov screening import|lists|withdraw` and `computegov flags list|show|close` against
the live server (SQLite): each signed with the actor's key, each shown as a person reads it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from custody_setup import Cast
from typer.testing import CliRunner

from computegov.cli import app
from computegov.instants import utcnow
from conftest import Actor, World

runner = CliRunner(env={"COLUMNS": "250"})


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def _key_file(tmp_path: Path, actor: Actor) -> Path:
    path = tmp_path / f"{actor.id}.pem"
    if not path.exists():
        pem = actor.signer._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
    return path


def _run(world: World, tmp_path: Path, actor: Actor, *args: str) -> Any:
    extra = ["--url", world.server.url, "--token", actor.token]
    if args[-1] != "--no-key":
        extra += ["--key", str(_key_file(tmp_path, actor))]
    else:
        args = args[:-1]
    return runner.invoke(app, [*args, *extra])


def test_import_close_and_withdraw_through_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Cast(world)
    listing = tmp_path / "unreliable.csv"
    listing.write_text(
        "name,source\nNVIDIA Corporation,Unreliable Entity List (MOFCOM)\n"
        "Beijing AI Holdings,Unreliable Entity List (MOFCOM)\n",
        encoding="utf-8",
    )
    imported = _run(
        world, tmp_path, cast.cn_reg, "screening", "import", str(listing), "--name", "uel", "--json"
    )
    assert imported.exit_code == 0, imported.output
    result = json.loads(imported.stdout)
    flag_of = {f["subject_id"]: f["id"] for f in result["flags"]}
    list_id = result["list_id"]

    shown = _run(world, tmp_path, cast.us_reg, "screening", "lists", "--no-key")
    assert shown.exit_code == 0, shown.output
    assert list_id in shown.stdout and cast.cn_reg.id in shown.stdout and "active" in shown.stdout

    # China's regulator may not close the flag on a US party; the US regulator closes it.
    nvidia = flag_of[cast.maker.id]
    refused = _run(world, tmp_path, cast.cn_reg, "flags", "close", nvidia, "--reason", "no")
    assert refused.exit_code == 1 and "HTTP 403" in refused.stderr
    closed = _run(
        world,
        tmp_path,
        cast.us_reg,
        "flags",
        "close",
        nvidia,
        "--reason",
        "a US firm in good standing",
    )
    assert closed.exit_code == 0, closed.output
    assert "a US firm in good standing" in closed.stdout and "flag.close" in closed.stdout
    history = _run(world, tmp_path, cast.us_reg, "flags", "show", nvidia, "--json", "--no-key")
    assert json.loads(history.stdout)["history"][-1]["by"] == cast.us_reg.id

    # The owner withdraws its list: the other flag closes with the owner's reason.
    withdrawn = _run(
        world, tmp_path, cast.cn_reg, "screening", "withdraw", list_id, "--reason", "superseded"
    )
    assert withdrawn.exit_code == 0, withdrawn.output
    assert "withdrawn" in withdrawn.stdout
    listed = _run(
        world, tmp_path, world.admin, "flags", "list", "--status", "closed", "--json", "--no-key"
    )
    closed_ids = {f["id"] for f in json.loads(listed.stdout)["items"]}
    assert closed_ids == set(flag_of.values())


def test_help_texts_name_the_owner_rule_and_the_reason() -> None:
    withdraw = runner.invoke(app, ["screening", "withdraw", "--help"])
    assert withdraw.exit_code == 0 and "Withdraw one of your screening lists" in withdraw.stdout
    close = runner.invoke(app, ["flags", "close", "--help"])
    assert close.exit_code == 0 and "--reason" in close.stdout
    assert "regulator of the flagged party's jurisdiction" in close.stdout
