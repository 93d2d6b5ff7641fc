"""The chip commands against a live server: register with a progress bar, inventory, report,
key binding and a history whose proofs the command verifies itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chips_helpers import device_key, h100s, maker_of, register
from typer.testing import CliRunner

from computegov.cli import app
from computegov.identity.keys import encode_public_key
from computegov.instants import utcnow
from computegov.store.signer import Ed25519FileSigner
from conftest import Actor, World

runner = CliRunner()


def _key_file(world: World, actor: Actor, path: Path) -> Path:
    """A key file for `actor`: a new key, registered to it."""
    signer = Ed25519FileSigner.generate(path)
    body = {"party_id": actor.id, "public_key": encode_public_key(signer.public_key_bytes())}
    response = world.post(actor, "/v1/keys", world.envelope(actor, "key.register", body))
    assert response.status_code == 201, response.text
    return path


def _run(world: World, actor: Actor, *args: str, key: Path | None = None) -> object:
    extra = ["--url", world.server.url, "--token", actor.token]
    if key is not None:
        extra += ["--key", str(key)]
    return runner.invoke(app, [*args, *extra], catch_exceptions=False)


def test_register_inventory_report_and_history_from_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the real clock
    maker = maker_of(world, country="US")
    key = _key_file(world, maker, tmp_path / "maker.key")
    manifest = tmp_path / "m.csv"
    manifest.write_bytes(h100s(3))
    result = _run(world, maker, "chips", "register", str(manifest), "--json", key=key)
    assert result.exit_code == 0, result.output
    registered = json.loads(result.stdout)
    assert registered["chips"] == 3 and registered["manifest"]["size"] == 3

    again = _run(world, maker, "chips", "register", str(manifest), key=key)
    assert again.exit_code == 1 and "already registered" in again.stderr

    table = _run(world, maker, "chips", "inventory", "--status", "in_stock")
    assert table.exit_code == 0 and "SN-0002" in table.stdout and "1-3 of 3" in table.stdout

    lost = _run(world, maker, "chips", "report", "NVIDIA", "SN-0001", "--status", "lost", key=key)
    assert lost.exit_code == 0, lost.output
    bind = _run(
        world,
        maker,
        "chips",
        "bind-key",
        "NVIDIA",
        "SN-0002",
        "--device-key",
        device_key(),
        "--json",
        key=key,
    )
    assert bind.exit_code == 0, bind.output
    binding = json.loads(bind.stdout)["binding"]["id"]
    regulator = world.create(world.admin, "regulator", "BIS", "US", jurisdiction=["US"])
    reg_key = _key_file(world, regulator, tmp_path / "reg.key")
    approve = _run(world, regulator, "chips", "approve-key", binding, key=reg_key)
    assert approve.exit_code == 0, approve.output

    world.log_size()  # integrate
    shown = _run(
        world, maker, "chips", "history", "NVIDIA", "SN-0001", "--vkey", world.store.verifier_key
    )
    assert shown.exit_code == 0, shown.output
    assert "checkpoint size" in shown.stdout and "pending" not in shown.stdout
    assert shown.stdout.count("✓") >= 4  # two proofs and two openings
    as_json = _run(world, maker, "chips", "history", "NVIDIA", "SN-0002", "--json")
    steps = json.loads(as_json.stdout)["steps"]
    assert [s["kind"] for s in steps] == ["registered", "key_bound"]
    assert [s["verified"] for s in steps] == [True, True]
    attested = _run(world, maker, "chips", "attestation", "NVIDIA", "SN-0002")
    assert attested.exit_code == 0 and "signature and inclusion path" in attested.stdout


def test_a_bad_manifest_is_refused_locally_with_every_line(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())
    maker = maker_of(world, country="US")
    key = _key_file(world, maker, tmp_path / "maker.key")
    manifest = tmp_path / "bad.csv"
    manifest.write_text(
        "serial,model,manufactured_on,fab,assembly_site,device_public_key\n"
        "A,H100,2026-01-01,TSMC Fab 18,Amkor Arizona,\n"
        "B,Nope,2026-01-01,TSMC Fab 18,Amkor Arizona,\n"
        "C,H20,2026-01-01,TSMC Fab 18,Shenzhen Back Room,\n"
    )
    result = _run(world, maker, "chips", "register", str(manifest), key=key)
    assert result.exit_code == 2
    assert "line 2: device_public_key is required" in result.stderr
    assert "line 3: unknown model 'Nope'" in result.stderr
    assert "line 4: unknown assembly site 'Shenzhen Back Room'" in result.stderr
    assert "Amkor Arizona (US)" in result.stderr  # the known sites are listed
    template = runner.invoke(app, ["chips", "manifest-template"])
    header = "serial,model,manufactured_on,fab,assembly_site,device_public_key\n"
    assert template.stdout.startswith(header)


@pytest.mark.parametrize("blank", ["", "   "])
def test_history_refuses_an_empty_pinned_key_instead_of_trusting_the_server(
    world: World, blank: str
) -> None:
    # Seen: `--vkey ""` fell back to the key the server serves and still said key_pinned: true.
    maker = maker_of(world, country="US")
    assert register(world, maker, h100s(1)).status_code == 201
    world.log_size()  # integrate

    refused = _run(world, maker, "chips", "history", "NVIDIA", "SN-0000", "--vkey", blank, "--json")
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith("error: an empty verifier key pins nothing")

    unpinned = _run(world, maker, "chips", "history", "NVIDIA", "SN-0000", "--json")
    assert unpinned.exit_code == 0, unpinned.output
    assert json.loads(unpinned.stdout)["key_pinned"] is False
    pinned = _run(
        world, maker, "chips", "history", "NVIDIA", "SN-0000", "--vkey", world.store.verifier_key
    )
    assert pinned.exit_code == 0, pinned.output
    assert "key not pinned" not in pinned.stdout
