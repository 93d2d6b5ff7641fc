"""The custody commands against the live server: a refused transfer naming the instruments,
a regulator's license, the transfer completed under it, lists and `rules impact`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from custody_setup import Cast, add_chips, chip_rows
from typer.testing import CliRunner

from computegov.cli import app
from computegov.instants import utcnow
from conftest import Actor, World

runner = CliRunner(env={"COLUMNS": "220"})


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def _key_file(tmp_path: Path, actor: Actor) -> Path:
    path = tmp_path / f"{actor.id}.pem"
    if path.exists():
        return path
    pem = actor.signer._key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return path


def _run(world: World, tmp_path: Path, actor: Actor, *args: str, signed: bool = True) -> Any:
    extra = ["--url", world.server.url, "--token", actor.token]
    if signed:
        extra += ["--key", str(_key_file(tmp_path, actor))]
    return runner.invoke(app, [*args, *extra])


def test_refused_then_licensed_then_completed_through_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 8)
    site = _run(
        world,
        tmp_path,
        cast.cn_cloud,
        "sites",
        "create",
        "--name",
        "Shanghai 1",
        "--country",
        "CN",
        "--lat",
        "31.2",
        "--lon",
        "121.5",
        "--network",
        "interconnect_gbit_s=3200",
        "--json",
    )
    assert site.exit_code == 0, site.output
    site_id = json.loads(site.stdout)["site"]["id"]

    refused = _run(
        world,
        tmp_path,
        cast.maker,
        "transfers",
        "declare",
        *chips,
        "--to",
        cast.cn_cloud.id,
        "--country",
        "CN",
        "--site",
        site_id,
    )
    assert refused.exit_code == 1
    assert "fired: bis-2023-10" in refused.stderr and "fired: bis-2025-04-h20" in refused.stderr
    assert "(license_required)" in refused.stderr

    issued = _run(
        world,
        tmp_path,
        cast.us_reg,
        "licenses",
        "issue",
        "--licensee",
        cast.maker.id,
        "--consignee",
        cast.cn_cloud.id,
        "--destination",
        "CN",
        "--model",
        "H100 SXM",
        "--quantity",
        "8",
        "--expires",
        "2099-01-01",
        "--json",
    )
    assert issued.exit_code == 0, issued.output
    license_id = json.loads(issued.stdout)["license"]["id"]

    dry = _run(
        world,
        tmp_path,
        cast.maker,
        "transfers",
        "declare",
        *chips,
        "--to",
        cast.cn_cloud.id,
        "--country",
        "CN",
        "--site",
        site_id,
        "--license",
        license_id,
        "--dry-run",
        "--json",
    )
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["dry_run"] is True
    declared = _run(
        world,
        tmp_path,
        cast.maker,
        "transfers",
        "declare",
        *chips,
        "--to",
        cast.cn_cloud.id,
        "--country",
        "CN",
        "--site",
        site_id,
        "--license",
        license_id,
        "--json",
    )
    assert declared.exit_code == 0, declared.output
    transfer_id = json.loads(declared.stdout)["transfer"]["id"]

    incoming = _run(
        world, tmp_path, cast.cn_cloud, "transfers", "list", "--incoming", "--json", signed=False
    )
    assert [t["id"] for t in json.loads(incoming.stdout)["items"]] == [transfer_id]
    table = _run(world, tmp_path, cast.cn_cloud, "transfers", "list", "--incoming", signed=False)
    assert transfer_id in table.stdout and "pending" in table.stdout

    confirmed = _run(world, tmp_path, cast.cn_cloud, "transfers", "confirm", transfer_id)
    assert confirmed.exit_code == 0, confirmed.output
    assert "completed" in confirmed.stdout
    assert {r["custodian"] for r in chip_rows(world, chips).values()} == {cast.cn_cloud.id}

    licenses = _run(world, tmp_path, cast.maker, "licenses", "list", "--json", signed=False)
    [lic] = json.loads(licenses.stdout)["items"]
    assert (lic["used"], lic["remaining"]) == (8, 0)
    sites = _run(world, tmp_path, cast.cn_cloud, "sites", "list", signed=False)
    assert "Shanghai 1" in sites.stdout and "interconnect_gbit_s=3200" in sites.stdout

    impact = _run(world, tmp_path, cast.cn_reg, "rules", "impact", "--json", signed=False)
    assert impact.exit_code == 0, impact.output
    assert json.loads(impact.stdout)["chips_needing_license"] == 8
    old = _run(world, tmp_path, world.admin, "rules", "impact", "--on", "2022-01-01", signed=False)
    assert old.exit_code == 0 and "0 of 8 chips would need a license" in old.stdout
    human = _run(world, tmp_path, cast.cn_reg, "rules", "impact", signed=False)
    assert human.exit_code == 0 and "review policies" in human.stdout
    assert "presumption of denial" in human.stdout  # held in China: a transfer within China


def test_bad_chip_name_is_a_one_line_error(world: World, tmp_path: Path) -> None:
    cast = Cast(world)
    result = _run(
        world,
        tmp_path,
        cast.maker,
        "transfers",
        "declare",
        "nonsense",
        "--to",
        cast.us_cloud.id,
        "--country",
        "US",
    )
    assert result.exit_code == 2 and "VENDOR/SERIAL" in result.stderr


def test_declare_cites_several_licenses_and_names_the_missing_jurisdiction(
    world: World, tmp_path: Path
) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Cast(world)
    h100s = add_chips(world, cast.maker, "H100 SXM", 2)
    h20s = add_chips(world, cast.maker, "H20", 2)

    def issue(regulator: Actor, licensee: Actor, model: str, *extra: str) -> Any:
        return _run(
            world,
            tmp_path,
            regulator,
            "licenses",
            "issue",
            "--licensee",
            licensee.id,
            "--consignee",
            cast.cn_cloud.id,
            "--destination",
            "CN",
            "--model",
            model,
            "--quantity",
            "2",
            "--expires",
            "2099-01-01",
            "--json",
            *extra,
        )

    def declare(*licenses: str) -> Any:
        cited = [arg for lic in licenses for arg in ("--license", lic)]
        return _run(
            world,
            tmp_path,
            cast.maker,
            "transfers",
            "declare",
            *h100s,
            *h20s,
            "--to",
            cast.cn_cloud.id,
            "--country",
            "CN",
            *cited,
        )

    ids = []
    for model in ("H100 SXM", "H20"):
        issued = issue(cast.us_reg, cast.maker, model, "--jurisdiction", "US")
        assert issued.exit_code == 0, issued.output
        assert json.loads(issued.stdout)["license"]["jurisdiction"] == "US"
        ids.append(json.loads(issued.stdout)["license"]["id"])

    refused = declare()
    assert refused.exit_code == 1
    assert "fired: bis-2023-10 (88 FR 73458, US)" in refused.stderr
    assert (
        "a license of US is required" in refused.stderr and "(license_required)" in refused.stderr
    )

    declared = declare(*ids)
    assert declared.exit_code == 0, declared.output
    assert (
        f"{ids[0]} (US, 2 chips)" in declared.stdout
        and f"{ids[1]} (US, 2 chips)" in declared.stdout
    )
    listed = _run(world, tmp_path, cast.maker, "licenses", "list", "--json", signed=False)
    assert {(lic["id"], lic["used"]) for lic in json.loads(listed.stdout)["items"]} == {
        (ids[0], 2),
        (ids[1], 2),
    }
